#include "connectors/postgres/postgres_connector.h"

#include "connectors/postgres/postgres_sink.h"
#include "connectors/registry.h"
#include "sql/names.h"
#include "sql/options.h"

namespace sluice::connectors::postgres {
namespace {

using K = sql::OptionSpec::Kind;

// No dead letters (a delivery is many batches). mode = 'upsert' needs primary.key, naming columns
// of the input; EMIT CHANGES' _op says whether a row is upserted or deleted, so it is no key.
Status check_postgres_sink(const sql::OptionMap& options, const Schema& input) {
  if (auto it = options.find("on.error"); it != options.end() && it->second == "dead_letter") {
    return Status(ErrorCode::kSqlInvalidOption,
                  "on.error = 'dead_letter' is not supported: a rejected COPY holds rows of "
                  "many batches; use 'fail' or 'pause'");
  }
  const bool upsert = options.at("mode") == "upsert";
  auto key = options.find("primary.key");
  if (!upsert) {
    if (key != options.end()) {
      return Status(ErrorCode::kSqlInvalidOption,
                    "option 'primary.key' applies to mode = 'upsert' only (mode is 'append')");
    }
    return Status::Ok();
  }
  if (key == options.end()) {
    return Status(ErrorCode::kSqlInvalidOption,
                  "mode = 'upsert' needs primary.key = '<column>[, <column>...]'");
  }
  const std::vector<std::string> columns = sql::split_column_list(key->second);
  if (columns.empty()) {
    return Status(ErrorCode::kSqlInvalidOption, "option 'primary.key' names no column");
  }
  for (const std::string& c : columns) {
    if (input.find(c) < 0 || sql::to_lower(c) == "_op") {
      return Status(ErrorCode::kSqlUnknownName, "primary.key column '" + c +
                                                    "' is not a column of the input (" +
                                                    input.to_string() + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

void register_connector(Registry& registry) {
  registry.add_sink(
      {.name = "postgres",
       .options = {{"dsn", K::kString, {}, false, "", 0},
                   {"host", K::kString, {}, false, "", 0},
                   {"port", K::kInteger, {}, false, "", 1},
                   {"dbname", K::kString, {}, false, "", 0},
                   {"user", K::kString, {}, false, "", 0},
                   {"password", K::kString, {}, false, "", 0, /*secret=*/true},
                   {"table", K::kString, {}, true, "", 0},
                   {"schema", K::kString, {}, false, "public", 0},
                   {"mode", K::kChoice, {"append", "upsert"}, false, "append", 0},
                   {"primary.key", K::kString, {}, false, "", 0},
                   {"batch.size", K::kInteger, {}, false, "4096", 1},
                   {"auto.create", K::kBoolean, {}, false, "true", 0},
                   {"connect.timeout", K::kDuration, {}, false, "10s", 1000000},
                   {"statement.timeout", K::kDuration, {}, false, "", 1000},
                   {"resend.memory", K::kInteger, {}, false, "16777216", 0}},
       // Prepared transactions per epoch; upserts through a staging table, deletes by _op.
       .capabilities = {.exactly_once = true, .upsert = true, .changelog = true},
       .check = check_postgres_sink},
      [](const sql::SinkDef& def, const SinkFactoryContext&) { return make_postgres_sink(def); });
}

}  // namespace sluice::connectors::postgres
