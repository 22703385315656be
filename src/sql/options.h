#pragma once
// Options of WITH (...) and INTO connector (...): each connector declares the options it
// takes; anything else, or a value of the wrong form, is an error naming the option at
// CREATE time. Nothing is parsed and then ignored.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace sluice::sql {

struct OptionSpec {
  enum class Kind { kString, kInteger, kBoolean, kChoice, kDuration, kCharacter };
  std::string key;
  Kind kind = Kind::kString;
  std::vector<std::string> choices;  // kChoice
  bool required = false;
  std::string default_value;  // filled in when absent (empty: no default)
  int64_t min = 0;            // kInteger, kDuration (µs)
};

struct ConnectorSpec {
  std::string name;
  std::vector<OptionSpec> options;
  bool bounded = false;  // a source that ends at end of input
  // Keys under this prefix are the connector's own to check (datagen's fields.C.prop).
  std::string open_prefix = {};
  // A sink connector that implements delivery = 'exactly-once' (staged epochs).
  bool exactly_once = false;
  // Checks that span options, or options and the input's columns (upsert keys); null: none.
  Status (*check)(const OptionMap& options, const Schema& input) = nullptr;
};

// The columns of a `primary.key` option ("id, region"), trimmed; empty when there are none.
std::vector<std::string> split_column_list(std::string_view text);

// Sources whose connector fixes their columns (nexmark): the schema, and the event-time
// column that gets a watermark. Null when the connector takes declared columns.
SchemaPtr fixed_source_schema(const std::string& connector, const OptionMap& options);
inline constexpr const char* kFixedSchemaTimeColumn = "date_time";

// Options of a source without a connector (fed through the API): `credits` (rows in flight
// before `overflow` applies) and `overflow` = block | drop | error.
const ConnectorSpec& push_source_spec();
// Built-in connectors; nullptr when unknown.
const ConnectorSpec* find_source_connector(std::string_view name);
const ConnectorSpec* find_sink_connector(std::string_view name);
std::vector<std::string> source_connector_names();
std::vector<std::string> sink_connector_names();

// Checks `given` against `spec` and returns the options with defaults filled in.
// `what` names the object in messages ("source 'trades'").
Result<OptionMap> validate_options(const std::vector<Option>& given, const ConnectorSpec& spec,
                                   std::string_view what);

// "250ms", "1s", "5 seconds", "2m", "1h", or a bare number of milliseconds → µs.
Result<int64_t> parse_duration(std::string_view text);

}  // namespace sluice::sql
