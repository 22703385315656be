#pragma once
// A connector as the SQL layer sees it: its name, the options it takes, what it can do and the
// hooks the binder calls at CREATE time. The binder finds connectors through ConnectorCatalog,
// which a higher layer implements (connectors::Registry); nothing in sql/ names a connector.
//
// Thread: specs are immutable once registered and may be read from any thread.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/schema.h"
#include "sluice/status.h"
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
  // A secret (a password): shown as *** wherever options or statements are shown
  // (sql/redaction.h). Best given as ${env:NAME} (sql/env_reference.h), so it is not stored.
  bool secret = false;
};

enum class ConnectorKind { kSource, kSink };

struct ConnectorCapabilities {
  bool replayable = false;  // source: re-reads its input from a checkpointed offset
  // source: the connector makes the WATERMARK FOR clause's watermark itself and pushes it
  // (Kafka: per partition, the source's being their minimum), not the source node from the
  // largest event time seen across all rows.
  bool own_watermark = false;
  bool exactly_once = false;  // sink: stages epochs, so delivery = 'exactly-once' is allowed
  bool upsert = false;        // sink: can apply rows by key
  bool changelog = false;     // sink: understands EMIT CHANGES rows (_op insert/delete)
};

struct ConnectorSpec {
  std::string name = {};  // lower case, unique among connectors of its kind
  ConnectorKind kind = ConnectorKind::kSource;
  // The connector's own options. A sink also takes the options every sink takes
  // (sink_task_option_specs(), appended by validate_sink_options).
  std::vector<OptionSpec> options = {};
  // Keys under this prefix are the connector's own to check in `check` (datagen's fields.*).
  std::string open_prefix = {};
  ConnectorCapabilities capabilities = {};

  // Hooks, each optional (empty: not used).
  // Checks that span options, or options and columns: for a source its declared (or fixed)
  // columns, for a sink its input's. An error fails the CREATE; nothing is created.
  std::function<Status(const OptionMap& options, const Schema& schema)> check = {};
  // A source whose connector defines its columns (nexmark): the schema for these options.
  // Such a source takes no column list; `fixed_schema_time_column` gets a watermark.
  std::function<SchemaPtr(const OptionMap& options)> fixed_schema = {};
  std::string fixed_schema_time_column = {};
  // A source whose input ends (a file not followed, a generator with a limit).
  std::function<bool(const OptionMap& options)> bounded = {};
};

// What the binder knows of the connectors: found by name (case-insensitive), listed in
// registration order for messages. Implemented by connectors::Registry.
class ConnectorCatalog {
 public:
  virtual ~ConnectorCatalog() = default;
  // Null when no connector of that kind has the name.
  virtual const ConnectorSpec* find_source(std::string_view name) const = 0;
  virtual const ConnectorSpec* find_sink(std::string_view name) const = 0;
  virtual std::vector<std::string> source_names() const = 0;
  virtual std::vector<std::string> sink_names() const = 0;
  // Some connector of either kind marks an option of this key (lower case) secret, so its
  // value is masked in statement text shown to people, whichever connector the statement names.
  virtual bool secret_option(std::string_view key) const = 0;
};

}  // namespace sluice::sql
