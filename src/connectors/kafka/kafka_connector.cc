#include "connectors/kafka/kafka_connector.h"

#include "connectors/kafka/kafka_options.h"
#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "connectors/kafka/kafka_source_options.h"
#include "connectors/registry.h"
#include "sql/options.h"

namespace sluice::connectors::kafka {

void register_connector(Registry& registry) {
  using K = sql::OptionSpec::Kind;
  registry.add_source(
      {.name = "kafka",
       .options = {{"bootstrap.servers", K::kString, {}, true, "", 0},
                   {"topic", K::kString, {}, true, "", 0},  // one, or several: 'a, b'
                   {"format", K::kChoice, {"json", "csv"}, false, "json", 0},
                   {"delimiter", K::kCharacter, {}, false, ",", 0},
                   // earliest | latest | a timestamp (checked by check_kafka_source)
                   {"start", K::kString, {}, false, "earliest", 0},
                   {"group.id", K::kString, {}, false, "", 0},
                   {"timestamp.column", K::kString, {}, false, "", 0},
                   sql::idle_timeout_option(),  // per partition, and the source's
                   {"on.error", K::kChoice, {"fail", "skip"}, false, "fail", 0},
                   {"connect.timeout", K::kDuration, {}, false, "10s", 1000},
                   // kafka_options.h's credential_properties(); passwords secret
                   {"sasl.username", K::kString, {}, false, "", 0},
                   {"sasl.password", K::kString, {}, false, "", 0, true},
                   {"ssl.key.password", K::kString, {}, false, "", 0, true},
                   {"sasl.oauthbearer.client.secret", K::kString, {}, false, "", 0, true}},
       // librdkafka's own consumer properties, passed through (checked by check_kafka_source).
       .open_prefix = kPropertiesPrefix,
       // Every partition's offset in each checkpoint; the watermark made per partition.
       .capabilities = {.replayable = true, .own_watermark = true},
       .check = check_kafka_source},
      [](std::shared_ptr<runtime::Ingest> ingest, std::shared_ptr<runtime::SourceRuntime> source) {
        return std::make_unique<KafkaSource>(std::move(ingest), std::move(source));
      });
  registry.add_sink(
      {.name = "kafka",
       .options = {{"bootstrap.servers", K::kString, {}, true, "", 0},
                   {"topic", K::kString, {}, true, "", 0},
                   {"format", K::kChoice, {"json", "csv"}, false, "json", 0},
                   {"key", K::kString, {}, false, "", 0},
                   // exactly-once (kafka_sink.cc, docs/sinks.md)
                   {"transactional.id", K::kString, {}, false, "", 0},
                   {"progress.topic", K::kString, {}, false, "_sluice_progress", 0},
                   // kafka_options.h's credential_properties(); passwords secret
                   {"sasl.username", K::kString, {}, false, "", 0},
                   {"sasl.password", K::kString, {}, false, "", 0, true},
                   {"ssl.key.password", K::kString, {}, false, "", 0, true},
                   {"sasl.oauthbearer.client.secret", K::kString, {}, false, "", 0, true}},
       // librdkafka's own properties, passed through (checked by check_kafka_sink).
       .open_prefix = kPropertiesPrefix,
       // A transaction per epoch; keyed messages, a changelog becomes upserts and tombstones.
       .capabilities = {.exactly_once = true, .upsert = true, .changelog = true},
       .check = check_kafka_sink},
      make_kafka_sink);
}

}  // namespace sluice::connectors::kafka
