#include "sql/options.h"

#include <charconv>

#include "columnar/value_parse.h"
#include "sql/env_reference.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

using K = OptionSpec::Kind;

}  // namespace

const OptionSpec& idle_timeout_option() {
  static const OptionSpec spec = {"idle.timeout", K::kDuration, {}, false, "0s", 0};
  return spec;
}

const ConnectorSpec& push_source_spec() {
  static const ConnectorSpec spec = {
      .name = "push",
      .kind = ConnectorKind::kSource,
      .options = {{"credits", K::kInteger, {}, false, "", 1},
                  {"overflow", K::kChoice, {"block", "drop", "error"}, false, "block", 0},
                  {"durable", K::kBoolean, {}, false, "false", 0},
                  idle_timeout_option()}};
  return spec;
}

const std::vector<OptionSpec>& sink_task_option_specs() {
  static const std::vector<OptionSpec> specs = {
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
  return specs;
}

namespace {

constexpr const char* kEnvWhere = "${env:NAME} is resolved in a sink connector's text options only";

bool is_sink_task_option(const std::string& key) {
  for (const OptionSpec& s : sink_task_option_specs()) {
    if (s.key == key) return true;
  }
  return false;
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
                    "expected one of " + join_names(spec.choices) + ", got '" + value + "'");
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

// ${env:NAME} stands in text options of sink connectors, resolved when the sink opens
// (connectors::Registry::make_sink). Elsewhere nothing would resolve it: refused, not taken
// literally.
Status check_env_use(const OptionSpec& spec, ConnectorKind kind, const std::string& value) {
  if (!has_env_reference(value)) return Status::Ok();
  if (kind != ConnectorKind::kSink || spec.kind != K::kString || is_sink_task_option(spec.key)) {
    return Status(ErrorCode::kSqlInvalidOption, kEnvWhere);
  }
  return check_env_references(value);
}

}  // namespace

Result<OptionMap> validate_options(const std::vector<Option>& given, const ConnectorSpec& spec,
                                   std::string_view what) {
  OptionMap out;
  for (const Option& o : given) {
    if (!spec.open_prefix.empty() && o.key.rfind(spec.open_prefix, 0) == 0) {
      if (has_env_reference(o.value)) {
        return Status(ErrorCode::kSqlInvalidOption,
                      "option '" + o.key + "' of " + std::string(what) + ": " + kEnvWhere,
                      o.pos.to_string());
      }
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
      msg += keys.empty() ? " takes no options)" : " takes: " + join_names(keys) + ")";
      return Status(ErrorCode::kSqlInvalidOption, std::move(msg), o.pos.to_string());
    }
    if (Status s = check_env_use(*match, spec.kind, o.value); !s.ok()) {
      return Status(
          ErrorCode::kSqlInvalidOption,
          "option '" + o.key + "' of " + std::string(what) + ": " + std::string(s.message()),
          o.pos.to_string());
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

Result<OptionMap> validate_sink_options(const std::vector<Option>& given, const ConnectorSpec& spec,
                                        std::string_view what) {
  ConnectorSpec full = spec;  // its own options first, as messages list them
  const std::vector<OptionSpec>& common = sink_task_option_specs();
  full.options.insert(full.options.end(), common.begin(), common.end());
  return validate_options(given, full, what);
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

Result<int64_t> parse_byte_size(std::string_view text) {
  size_t i = 0;
  int64_t number = 0;
  bool overflow = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    overflow |= __builtin_mul_overflow(number, 10, &number) ||
                __builtin_add_overflow(number, text[i] - '0', &number);
  }
  std::string unit(text.substr(i));
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::pair<const char*, int64_t> kUnits[] = {
      {"", 1},
      {"B", 1},
      {"KB", 1000},
      {"MB", 1000 * 1000},
      {"GB", 1000 * 1000 * 1000},
      {"TB", int64_t{1000} * 1000 * 1000 * 1000},
      {"KIB", 1024},
      {"MIB", 1024 * 1024},
      {"GIB", 1024 * 1024 * 1024},
      {"TIB", int64_t{1024} * 1024 * 1024 * 1024}};
  for (const auto& [name, scale] : kUnits) {
    if (i == 0 || unit != name) continue;
    int64_t bytes;
    if (overflow || __builtin_mul_overflow(number, scale, &bytes)) break;
    return bytes;
  }
  return Status(ErrorCode::kInvalidArgument,
                "expected a size such as '512MiB', '2GB' or a number of bytes, got '" +
                    std::string(text) + "'");
}

}  // namespace sluice::sql
