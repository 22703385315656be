#pragma once
// What the binder keeps while it binds one statement's FROM items: the steps made so far
// (bound_plan.h: each join, subquery, WITH item and UNION ALL, named "<object>$<n>"), the WITH
// names in scope, and what a FROM item binds to. Internal to the sql module (the binder).
//
// Thread: values, used by one thread at a time.

#include <string>
#include <utility>
#include <vector>

#include "sql/bound_plan.h"
#include "sql/catalog.h"
#include "sql/column_usage.h"
#include "sql/relations.h"

namespace sluice::sql {

struct StatementSteps {
  std::string object;  // the statement's object ("select" for an ad-hoc SELECT or EXPLAIN)
  std::vector<PlanStep> steps;
  // WITH name → its step, innermost last (a WITH of a subquery hides an outer one of its name).
  std::vector<std::pair<std::string, std::string>> with;
  // Projection pushdown into joins (column_usage.h): what the first binding records, and what
  // the second one narrows each join to; null when neither is done.
  ColumnUsage* usage = nullptr;
  // An ad-hoc SELECT's steps: they run once over the views' current rows, ended at once
  // (dataflow/adhoc_select.h), so a time bound in ON is a condition like any other (a regular
  // join) and an aggregate in a subquery or WITH emits its changes, which the result folds.
  bool adhoc = false;

  // The name the next step added gets.
  std::string next_name() const { return object + "$" + std::to_string(steps.size() + 1); }
  // Names `step` "<object>$<n>", appends it, and returns its name.
  const std::string& add(PlanStep step) {
    step.name = next_name();
    steps.push_back(std::move(step));
    return steps.back().name;
  }
  // The reads of `input` by the query or join whose FROM it is, when it is a join step and the
  // first binding records them; else null.
  ColumnReads* reads_of(const std::string& input) {
    const PlanStep* step = find(input);
    if (usage == nullptr || step == nullptr || step->kind != PlanStep::Kind::kJoin) return nullptr;
    return usage->reader(input);
  }
  const PlanStep* find(std::string_view name) const { return find_step(&steps, name); }
};

// A FROM item bound: what the query reads (a catalog object or a step) and the relations its
// names resolve in.
struct BoundFrom {
  std::string input;
  SchemaPtr schema;
  std::vector<Relation> relations;
  // One relation: its name and alias, as a single-table Scope takes them.
  std::string relation;
  std::string alias;
  bool view = false;  // a catalog materialized view (the right side a lookup join needs)
  bool several() const { return relations.size() > 1; }
};

}  // namespace sluice::sql
