#include "connectors/generator/generator_connectors.h"

#include <set>
#include <string>

#include "connectors/generator/datagen.h"
#include "connectors/generator/generator_source.h"
#include "connectors/generator/nexmark.h"
#include "connectors/registry.h"
#include "sql/options.h"

namespace sluice::connectors::generator {
namespace {

using K = sql::OptionSpec::Kind;

// Events per batch the source hands on (the last one of a limited run may be shorter). Rows
// are the same whatever it is; only the batching changes, which is how a test shows that a
// query's output does not depend on it.
const sql::OptionSpec kBatchSize{
    "batch.size", K::kInteger, {}, false, std::to_string(GeneratorSource::kDefaultBatchSize), 1};

// A generator with a limit ends after it.
bool limited(const sql::OptionMap& o) {
  return o.at("limit") != "0";
}

// Every fields.<column>.<property> option names a column and a known property, and makes a
// generator: checked at CREATE SOURCE, so a bad one fails the statement.
Status check_datagen(const sql::OptionMap& options, const Schema& schema) {
  static const std::set<std::string> kProperties = {"kind", "min",    "max",    "start",
                                                    "step", "values", "length", "null.rate"};
  for (const auto& [key, value] : options) {
    if (key.rfind("fields.", 0) != 0) continue;
    const std::string rest = key.substr(7);
    const size_t dot = rest.find('.');
    const std::string column = rest.substr(0, dot);
    const std::string property = dot == std::string::npos ? "" : rest.substr(dot + 1);
    if (schema.find(column) < 0) {
      return Status(ErrorCode::kSqlInvalidOption,
                    "option '" + key + "' names unknown column '" + column + "'");
    }
    if (!kProperties.count(property)) {
      return Status(ErrorCode::kSqlInvalidOption,
                    "option '" + key + "': unknown property '" + property +
                        "' (kind, min, max, start, step, values, length, null.rate)");
    }
  }
  return make_datagen(schema, options).status();
}

SourceFactory factory(GeneratorSource::Kind kind) {
  return [kind](std::shared_ptr<runtime::Ingest> ingest,
                std::shared_ptr<runtime::SourceRuntime> source) {
    return std::make_unique<GeneratorSource>(kind, std::move(ingest), std::move(source));
  };
}

}  // namespace

void register_connectors(Registry& registry) {
  // Both replay from an event number: rows are deterministic per number.
  registry.add_source({.name = "datagen",
                       .options = {{"rate", K::kInteger, {}, false, "0", 0},
                                   {"seed", K::kInteger, {}, false, "1", 0},
                                   {"limit", K::kInteger, {}, false, "0", 0},
                                   kBatchSize,
                                   sql::idle_timeout_option()},
                       .open_prefix = "fields.",
                       .capabilities = {.replayable = true},
                       .check = check_datagen,
                       .bounded = limited},
                      factory(GeneratorSource::Kind::kDatagen));
  registry.add_source({.name = "nexmark",
                       .options = {{"table", K::kChoice, {"person", "auction", "bid"}, true, "", 0},
                                   {"rate", K::kInteger, {}, false, "0", 0},
                                   {"event.rate", K::kInteger, {}, false, "10000000", 1},
                                   {"seed", K::kInteger, {}, false, "1", 0},
                                   {"limit", K::kInteger, {}, false, "0", 0},
                                   kBatchSize,
                                   sql::idle_timeout_option()},
                       .capabilities = {.replayable = true},
                       .fixed_schema =
                           [](const sql::OptionMap& o) {
                             NexmarkTable table = NexmarkTable::kBid;
                             parse_nexmark_table(o.at("table"), table);
                             return nexmark_schema(table);
                           },
                       .fixed_schema_time_column = "date_time",
                       .bounded = limited},
                      factory(GeneratorSource::Kind::kNexmark));
}

}  // namespace sluice::connectors::generator
