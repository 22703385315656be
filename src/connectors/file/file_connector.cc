#include "connectors/file/file_connector.h"

#include "columnar/value_parse.h"
#include "connectors/file/file_sink.h"
#include "connectors/file/file_source.h"
#include "connectors/registry.h"
#include "sql/options.h"

namespace sluice::connectors::file {
namespace {

using K = sql::OptionSpec::Kind;

sql::ConnectorSpec source_spec() {
  return {
      .name = "file",
      .options = {{"path", K::kString, {}, true, "", 0},
                  {"format", K::kChoice, {"jsonl", "csv"}, false, "jsonl", 0},
                  {"header", K::kBoolean, {}, false, "false", 0},
                  {"delimiter", K::kCharacter, {}, false, ",", 0},
                  {"on.error", K::kChoice, {"fail", "skip"}, false, "fail", 0},
                  {"follow", K::kBoolean, {}, false, "false", 0},
                  sql::idle_timeout_option()},
      // Re-read from a byte offset.
      .capabilities = {.replayable = true},
      // A followed file never ends.
      .bounded = [](const sql::OptionMap& o) { return o.at("follow") != "true"; },
  };
}

sql::ConnectorSpec sink_spec() {
  return {
      .name = "file",
      .options = {{"path", K::kString, {}, true, "", 0},
                  {"format", K::kChoice, {"jsonl", "csv"}, false, "jsonl", 0},
                  {"rolling.size", K::kInteger, {}, false, "", 1024},
                  {"rolling.interval", K::kDuration, {}, false, "", 1000000}},
      // A staged part per epoch, published at commit.
      .capabilities = {.exactly_once = true},
  };
}

Result<std::unique_ptr<sink::Sink>> make_sink(const sql::SinkDef& def, const SinkFactoryContext&) {
  const sql::OptionMap& o = def.options;
  FileSinkOptions f;
  f.directory = o.at("path");
  f.csv = o.at("format") == "csv";
  if (auto it = o.find("rolling.size"); it != o.end()) {
    SLC_RETURN_IF_ERROR(parse_int64(it->second, f.roll_bytes));
  }
  if (auto it = o.find("rolling.interval"); it != o.end()) {
    SLC_ASSIGN_OR_RETURN(f.roll_micros, sql::parse_duration(it->second));
  }
  return make_file_sink(std::move(f));
}

}  // namespace

void register_connector(Registry& registry) {
  registry.add_source(source_spec(), [](std::shared_ptr<runtime::Ingest> ingest,
                                        std::shared_ptr<runtime::SourceRuntime> source) {
    return std::make_unique<FileSource>(std::move(ingest), std::move(source));
  });
  registry.add_sink(sink_spec(), make_sink);
}

}  // namespace sluice::connectors::file
