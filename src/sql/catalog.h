#pragma once
// The catalog: every source, stream, materialized view and sink by name (names are unique
// across kinds and case-insensitive), with what each reads, so DROP can name dependents.
//
// Thread: owned by whoever executes DDL (the engine's pipeline); not shared.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sluice/schema.h"
#include "sql/ast.h"
#include "sql/bound_query.h"
#include "sql/names.h"

namespace sluice::sql {

using OptionMap = std::map<std::string, std::string>;
class ConnectorCatalog;  // sql/connector_spec.h

struct SourceDef {
  std::string name;
  SchemaPtr schema;
  int watermark_column = -1;    // -1: no watermark declared
  int64_t watermark_delay = 0;  // µs subtracted from the largest event time seen
  // The connector pushes the watermark (ConnectorCapabilities::own_watermark); the source
  // node only passes rows on.
  bool connector_watermark = false;
  std::string connector;  // empty: a push source fed through the API
  OptionMap options;
  bool bounded = false;     // the input ends (a file not followed)
  bool replayable = false;  // can re-read its input from a checkpointed offset
  std::string sql;
};

struct QueryDef {  // a stream or a materialized view
  std::string name;
  ObjectKind kind = ObjectKind::kStream;
  std::shared_ptr<const BoundQuery> query;
  bool anonymous = false;  // made for a CREATE SINK ... AS SELECT
  std::string sql;
};

struct SinkDef {
  std::string name;
  std::string input;   // the stream or view it reads
  BoundExprPtr where;  // over the input's schema, may be null
  std::string connector;
  OptionMap options;  // as written: ${env:NAME} references are resolved when it opens
  std::vector<std::string> secret_options;  // keys its connector marks secret (shown as ***)
  std::string sql;
};

class Catalog {
 public:
  struct Entry {
    ObjectKind kind;
    std::shared_ptr<const SourceDef> source;
    std::shared_ptr<const QueryDef> query;
    std::shared_ptr<const SinkDef> sink;

    const std::string& name() const;
    // What this object reads (empty for sources).
    std::string input() const;
    // The rows it produces (sinks produce none: their input's schema).
    SchemaPtr schema() const;
  };

  const Entry* find(std::string_view name) const;
  void add(Entry entry);
  void remove(std::string_view name);
  // Objects that read `name`, in creation order.
  std::vector<const Entry*> dependents(std::string_view name) const;
  // Every entry of a kind, in creation order.
  std::vector<const Entry*> all(ObjectKind kind) const;
  std::vector<const Entry*> all() const;

  // Properties that flow down the graph.
  bool has_watermark(std::string_view name) const;  // some source upstream declares one
  bool bounded(std::string_view name) const;        // every source upstream ends
  // The first source upstream of `name` that cannot replay its input from an offset (a
  // push source without durable = true); empty when every one can.
  std::string unreplayable_source(std::string_view name) const;
  // Whether the database checkpoints (it has a data_dir): exactly-once sinks need it.
  void set_checkpointing(bool on) { checkpointing_ = on; }
  bool checkpointing() const { return checkpointing_; }
  // The connectors CREATE SOURCE / CREATE SINK may name (not owned; null: none). Set by
  // the database (its connectors::Registry) before the first statement.
  void set_connectors(const ConnectorCatalog* connectors) { connectors_ = connectors; }
  const ConnectorCatalog* connectors() const { return connectors_; }
  // Whether `name` emits a changelog or updates (EMIT CHANGES / ON UPDATE of an aggregate)
  // rather than append-only rows.
  bool updating(std::string_view name) const;
  // The closest existing name, for "did you mean" (empty when none is close).
  std::string closest(std::string_view name) const;

 private:
  std::vector<Entry> entries_;  // creation order
  bool checkpointing_ = false;
  const ConnectorCatalog* connectors_ = nullptr;
};

}  // namespace sluice::sql
