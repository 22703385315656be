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

// The step of `steps` named `name` (case-insensitive), or null (also when `steps` is null).
const PlanStep* find_step(const std::vector<PlanStep>* steps, std::string_view name);
// Whether a query emits updates (EMIT CHANGES, or an aggregate's EMIT ON UPDATE) rather than
// append-only rows, on its own (an append-only query over an updating input passes them on).
bool emits_updates(const BoundQuery& query);
class ConnectorCatalog;  // sql/connector_spec.h

struct SourceDef {
  std::string name;
  SchemaPtr schema;
  int watermark_column = -1;    // -1: no watermark declared
  int64_t watermark_delay = 0;  // µs subtracted from the largest event time seen
  // The connector pushes the watermark (ConnectorCapabilities::own_watermark); the source
  // node only passes rows on.
  bool connector_watermark = false;
  // Watermark alignment (runtime/watermark_alignment.h): the group it is read in step with
  // (empty: none) and how far ahead of the group's lowest watermark it may read, µs.
  std::string alignment_group;
  int64_t alignment_max_drift = 0;
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
    // What this object reads directly (empty for sources): a catalog object, or the name of
    // its last step when its FROM is a join, subquery, WITH or UNION ALL (bound_plan.h).
    std::string input() const;
    // Every catalog object it reads, through its steps, each once, in the order the steps
    // name them (empty for sources).
    std::vector<std::string> inputs() const;
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

  // Properties that flow down the graph, through every input of an object with several
  // (its steps). `name` may also be one of `steps` (a statement being bound: its steps are not
  // in the catalog yet).
  //   has_watermark: a watermark reaches it (a source upstream declares one; with several
  //     inputs, every one: a join's or a union's watermark is the minimum of its inputs').
  bool has_watermark(std::string_view name, const std::vector<PlanStep>* steps = nullptr) const;
  //   bounded: every source upstream ends.
  bool bounded(std::string_view name, const std::vector<PlanStep>* steps = nullptr) const;
  // The first source upstream of `name` that cannot replay its input from an offset (a
  // push source without durable = true); empty when every one can.
  std::string unreplayable_source(std::string_view name,
                                  const std::vector<PlanStep>* steps = nullptr) const;
  // Whether the database checkpoints (it has a data_dir): exactly-once sinks need it.
  void set_checkpointing(bool on) { checkpointing_ = on; }
  bool checkpointing() const { return checkpointing_; }
  // The connectors CREATE SOURCE / CREATE SINK may name (not owned; null: none). Set by
  // the database (its connectors::Registry) before the first statement.
  void set_connectors(const ConnectorCatalog* connectors) { connectors_ = connectors; }
  const ConnectorCatalog* connectors() const { return connectors_; }
  // Whether `name` emits a changelog or updates (EMIT CHANGES / ON UPDATE of an aggregate)
  // rather than append-only rows.
  // A join step updates when it emits `_op` (bound_plan.h); a union when one input does.
  bool updating(std::string_view name, const std::vector<PlanStep>* steps = nullptr) const;
  // The sources upstream of `name` (through every input), each once, in the order found; just
  // `name` when it is a source.
  std::vector<std::string> sources_upstream(std::string_view name,
                                            const std::vector<PlanStep>* steps = nullptr) const;
  // The closest existing name, for "did you mean" (empty when none is close).
  std::string closest(std::string_view name) const;

 private:
  // Calls `visit` with the inputs of `name` (a step of `steps`, else a catalog object) and the
  // steps they are to be resolved in; false when `name` is a source or unknown.
  template <typename Visit>
  bool for_inputs(std::string_view name, const std::vector<PlanStep>* steps, Visit visit) const;

  std::vector<Entry> entries_;  // creation order
  bool checkpointing_ = false;
  const ConnectorCatalog* connectors_ = nullptr;
};

}  // namespace sluice::sql
