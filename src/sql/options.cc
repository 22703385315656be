#include "sql/options.h"

#include <charconv>

#include "columnar/value_parse.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

using K = OptionSpec::Kind;

const std::vector<ConnectorSpec>& source_connectors() {
  static const std::vector<ConnectorSpec> specs = {
      {"datagen",
       {{"rate", K::kInteger, {}, false, "0", 0},
        {"seed", K::kInteger, {}, false, "1", 0},
        {"limit", K::kInteger, {}, false, "0", 0}},
       true,
       "fields."},
      {"nexmark",
       {{"table", K::kChoice, {"person", "auction", "bid"}, true, "", 0},
        {"rate", K::kInteger, {}, false, "0", 0},
        {"event.rate", K::kInteger, {}, false, "10000000", 1},
        {"seed", K::kInteger, {}, false, "1", 0},
        {"limit", K::kInteger, {}, false, "0", 0}},
       true,
       ""},
      {"file",
       {{"path", K::kString, {}, true, "", 0},
        {"format", K::kChoice, {"jsonl", "csv"}, false, "jsonl", 0},
        {"header", K::kBoolean, {}, false, "false", 0},
        {"delimiter", K::kCharacter, {}, false, ",", 0},
        {"on.error", K::kChoice, {"fail", "skip"}, false, "fail", 0},
        {"follow", K::kBoolean, {}, false, "false", 0}},
       true,
       ""},
  };
  return specs;
}

}  // namespace

SchemaPtr fixed_source_schema(const std::string& connector, const OptionMap& options) {
  if (connector != "nexmark") return nullptr;
  const std::string& table = options.at("table");
  using D = DataType;
  if (table == "person") {
    return make_schema({{"id", D::kInt64, false},
                        {"name", D::kVarchar, false},
                        {"email_address", D::kVarchar, false},
                        {"credit_card", D::kVarchar, false},
                        {"city", D::kVarchar, false},
                        {"state", D::kVarchar, false},
                        {"date_time", D::kTimestamp, false},
                        {"extra", D::kVarchar, false}});
  }
  if (table == "auction") {
    return make_schema({{"id", D::kInt64, false},
                        {"item_name", D::kVarchar, false},
                        {"description", D::kVarchar, false},
                        {"initial_bid", D::kInt64, false},
                        {"reserve", D::kInt64, false},
                        {"date_time", D::kTimestamp, false},
                        {"expires", D::kTimestamp, false},
                        {"seller", D::kInt64, false},
                        {"category", D::kInt64, false},
                        {"extra", D::kVarchar, false}});
  }
  return make_schema({{"auction", D::kInt64, false},
                      {"bidder", D::kInt64, false},
                      {"price", D::kInt64, false},
                      {"channel", D::kVarchar, false},
                      {"url", D::kVarchar, false},
                      {"date_time", D::kTimestamp, false},
                      {"extra", D::kVarchar, false}});
}

const ConnectorSpec& push_source_spec() {
  static const ConnectorSpec spec = {
      "push",
      {{"credits", K::kInteger, {}, false, "", 1},
       {"overflow", K::kChoice, {"block", "drop", "error"}, false, "block", 0},
       {"durable", K::kBoolean, {}, false, "false", 0}},
      false,
      ""};
  return spec;
}

namespace {

// Options every sink takes (the sink task's), after its connector's own.
std::vector<OptionSpec> with_sink_options(std::vector<OptionSpec> own) {
  const std::vector<OptionSpec> common = {
      {"queue.capacity", K::kInteger, {}, false, "", 1},
      {"queue.full", K::kChoice, {"block", "drop", "fail"}, false, "", 0},
      {"flush.interval", K::kDuration, {}, false, "", 1000},
      {"write.timeout", K::kDuration, {}, false, "", 1000},
      {"retry.max", K::kInteger, {}, false, "", 0},
      {"retry.backoff", K::kDuration, {}, false, "", 1000},
      {"on.error", K::kChoice, {"fail", "pause", "dead_letter"}, false, "", 0},
      {"dead_letter.sink", K::kString, {}, false, "", 0},
      {"delivery", K::kChoice, {"at-least-once", "exactly-once"}, false, "", 0},
  };
  own.insert(own.end(), common.begin(), common.end());
  return own;
}

// No dead letters (a delivery is many batches). mode = 'upsert' needs primary.key, naming columns
// of the input; EMIT CHANGES' _op says whether a row is upserted or deleted, so it is no key.
Status check_postgres_sink(const OptionMap& options, const Schema& input) {
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
  const std::vector<std::string> columns = split_column_list(key->second);
  if (columns.empty()) {
    return Status(ErrorCode::kSqlInvalidOption, "option 'primary.key' names no column");
  }
  for (const std::string& c : columns) {
    if (input.find(c) < 0 || to_lower(c) == "_op") {
      return Status(ErrorCode::kSqlUnknownName, "primary.key column '" + c +
                                                    "' is not a column of the input (" +
                                                    input.to_string() + ")");
    }
  }
  return Status::Ok();
}

const std::vector<ConnectorSpec>& sink_connectors() {
  static const std::vector<ConnectorSpec> specs = {
      {"console",
       with_sink_options({{"format", K::kChoice, {"table", "jsonl"}, false, "table", 0}}), false},
      {"blackhole", with_sink_options({}), false},
      {"callback", with_sink_options({{"function", K::kString, {}, true, "", 0}}), false},
      {"file",
       with_sink_options({{"path", K::kString, {}, true, "", 0},
                          {"format", K::kChoice, {"jsonl", "csv"}, false, "jsonl", 0},
                          {"rolling.size", K::kInteger, {}, false, "", 1024},
                          {"rolling.interval", K::kDuration, {}, false, "", 1000000}}),
       false, "", true},
      {"postgres",
       with_sink_options({{"dsn", K::kString, {}, false, "", 0},
                          {"host", K::kString, {}, false, "", 0},
                          {"port", K::kInteger, {}, false, "", 1},
                          {"dbname", K::kString, {}, false, "", 0},
                          {"user", K::kString, {}, false, "", 0},
                          {"password", K::kString, {}, false, "", 0},
                          {"table", K::kString, {}, true, "", 0},
                          {"schema", K::kString, {}, false, "public", 0},
                          {"mode", K::kChoice, {"append", "upsert"}, false, "append", 0},
                          {"primary.key", K::kString, {}, false, "", 0},
                          {"batch.size", K::kInteger, {}, false, "4096", 1},
                          {"auto.create", K::kBoolean, {}, false, "true", 0},
                          {"connect.timeout", K::kDuration, {}, false, "10s", 1000000},
                          {"statement.timeout", K::kDuration, {}, false, "", 1000},
                          {"resend.memory", K::kInteger, {}, false, "16777216", 0}}),
       false, "", true, check_postgres_sink},
  };
  return specs;
}

const ConnectorSpec* find_in(const std::vector<ConnectorSpec>& specs, std::string_view name) {
  for (const ConnectorSpec& s : specs) {
    if (s.name == to_lower(name)) return &s;
  }
  return nullptr;
}

std::vector<std::string> names_of(const std::vector<ConnectorSpec>& specs) {
  std::vector<std::string> out;
  for (const ConnectorSpec& s : specs) out.push_back(s.name);
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

Status check_value(const OptionSpec& spec, const std::string& value) {
  switch (spec.kind) {
    case K::kString:
      if (spec.required && value.empty())
        return Status(ErrorCode::kSqlInvalidOption, "must not be empty");
      return Status::Ok();
    case K::kInteger: {
      int64_t v;
      if (!parse_int64(value, v).ok()) {
        return Status(ErrorCode::kSqlInvalidOption, "expected an integer, got '" + value + "'");
      }
      if (v < spec.min) {
        return Status(ErrorCode::kSqlInvalidOption,
                      "must be at least " + std::to_string(spec.min) + ", got " + value);
      }
      return Status::Ok();
    }
    case K::kBoolean: {
      bool b;
      if (!parse_bool(value, b).ok()) {
        return Status(ErrorCode::kSqlInvalidOption, "expected true or false, got '" + value + "'");
      }
      return Status::Ok();
    }
    case K::kChoice:
      for (const std::string& c : spec.choices) {
        if (to_lower(value) == c) return Status::Ok();
      }
      return Status(ErrorCode::kSqlInvalidOption,
                    "expected one of " + join(spec.choices) + ", got '" + value + "'");
    case K::kDuration: {
      auto d = parse_duration(value);
      if (!d.ok()) return d.status();
      if (*d < spec.min) {
        return Status(ErrorCode::kSqlInvalidOption, "duration '" + value + "' is too short");
      }
      return Status::Ok();
    }
    case K::kCharacter:
      if (value.size() != 1) {
        return Status(ErrorCode::kSqlInvalidOption,
                      "expected a single character, got '" + value + "'");
      }
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace

const ConnectorSpec* find_source_connector(std::string_view name) {
  return find_in(source_connectors(), name);
}
const ConnectorSpec* find_sink_connector(std::string_view name) {
  return find_in(sink_connectors(), name);
}
std::vector<std::string> source_connector_names() {
  return names_of(source_connectors());
}
std::vector<std::string> sink_connector_names() {
  return names_of(sink_connectors());
}

Result<OptionMap> validate_options(const std::vector<Option>& given, const ConnectorSpec& spec,
                                   std::string_view what) {
  OptionMap out;
  for (const Option& o : given) {
    if (!spec.open_prefix.empty() && o.key.rfind(spec.open_prefix, 0) == 0) {
      out[o.key] = o.value;  // checked by the connector
      continue;
    }
    const OptionSpec* match = nullptr;
    for (const OptionSpec& s : spec.options) {
      if (s.key == o.key) match = &s;
    }
    if (match == nullptr) {
      std::vector<std::string> keys;
      std::string closest;
      size_t closest_distance = 3;
      for (const OptionSpec& s : spec.options) {
        keys.push_back(s.key);
        if (const size_t d = edit_distance(o.key, s.key); d < closest_distance) {
          closest_distance = d;
          closest = s.key;
        }
      }
      std::string msg = "unknown option '" + o.key + "' for " + std::string(what) + " (";
      if (!closest.empty()) msg += "did you mean '" + closest + "'? ";
      msg += "connector '" + spec.name + "'";
      msg += keys.empty() ? " takes no options)" : " takes: " + join(keys) + ")";
      return Status(ErrorCode::kSqlInvalidOption, std::move(msg), o.pos.to_string());
    }
    if (Status s = check_value(*match, o.value); !s.ok()) {
      return Status(
          ErrorCode::kSqlInvalidOption,
          "option '" + o.key + "' of " + std::string(what) + ": " + std::string(s.message()),
          o.pos.to_string());
    }
    out[o.key] = match->kind == K::kChoice ? to_lower(o.value) : o.value;
  }
  for (const OptionSpec& s : spec.options) {
    if (out.count(s.key)) continue;
    if (s.required) {
      return Status(ErrorCode::kSqlInvalidOption, std::string(what) + " needs option '" + s.key +
                                                      "' (connector '" + spec.name + "')");
    }
    if (!s.default_value.empty()) out[s.key] = s.default_value;
  }
  return out;
}

std::vector<std::string> split_column_list(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front())))
      item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back())))
      item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

Result<int64_t> parse_duration(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  std::string_view number = text.substr(0, i);
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (number.empty()) {
    return Status(ErrorCode::kSqlInvalidOption,
                  "expected a duration such as '250ms', '1s' or '5 minutes', got '" +
                      std::string(text) + "'");
  }
  if (unit.empty()) unit = "ms";
  if (unit == "m") unit = "minute";
  if (unit == "h") unit = "hour";
  if (unit == "s") unit = "second";
  if (unit == "d") unit = "day";
  auto micros = parse_interval_text(number, unit);
  if (!micros.ok()) {
    return Status(ErrorCode::kSqlInvalidOption,
                  "expected a duration such as '250ms', '1s' or '5 minutes', got '" +
                      std::string(text) + "'");
  }
  return *micros;
}

}  // namespace sluice::sql
