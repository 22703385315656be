#include "sink/sink_factory.h"

#include "columnar/value_parse.h"
#include "sql/options.h"

namespace sluice::sink {

Result<std::unique_ptr<Sink>> make_sink(const sql::SinkDef& def, const CallbackLookup& callbacks,
                                        const SinkMakerLookup& connector_makers) {
  const sql::OptionMap& o = def.options;
  if (def.connector == "blackhole") return make_blackhole_sink();
  if (def.connector == "console") return make_console_sink(o.at("format") == "jsonl");
  if (def.connector == "callback") {
    BatchCallback callback = callbacks ? callbacks(o.at("function")) : BatchCallback();
    if (!callback) {
      return Status(ErrorCode::kSqlInvalidOption,
                    "no callback named '" + o.at("function") +
                        "' is registered; call Database::register_callback first",
                    "sink '" + def.name + "'");
    }
    return make_callback_sink(std::move(callback));
  }
  if (def.connector == "file") {
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
  if (SinkMaker maker = connector_makers ? connector_makers(def.connector) : SinkMaker()) {
    return maker(def);
  }
  return Status(ErrorCode::kSqlInvalidOption, "no sink connector '" + def.connector + "'");
}

}  // namespace sluice::sink
