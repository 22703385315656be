#include "sql/versioned_view.h"

#include "sql/event_time.h"
#include "sql/names.h"

namespace sluice::sql {

namespace {

// The query that makes `name`'s rows (a catalog stream or view, or a step), or null.
const BoundQuery* query_of(const Catalog& catalog, const std::string& name,
                           const std::vector<PlanStep>*& steps) {
  if (const PlanStep* step = find_step(steps, name)) {
    return step->kind == PlanStep::Kind::kQuery ? step->query.get() : nullptr;
  }
  const Catalog::Entry* e = catalog.find(name);
  if (e == nullptr || !e->query) return nullptr;
  steps = &e->query->query->steps;
  return e->query->query.get();
}

// The first aggregate that emits per input batch on the way from `name` to its source
// through queries of one input, or null: its name, for the message.
const BoundQuery* per_batch_aggregate(const Catalog& catalog, std::string name,
                                      const std::vector<PlanStep>* steps, std::string& where) {
  for (int depth = 0; depth < 64; ++depth) {
    const BoundQuery* q = query_of(catalog, name, steps);
    if (q == nullptr) return nullptr;
    if (q->aggregate) {
      if (q->window && q->emit == EmitMode::kOnWindowClose) return nullptr;
      where = name;
      return q;
    }
    name = q->input;
  }
  return nullptr;
}

}  // namespace

bool is_proctime(const Expr& system_time) {
  return system_time.kind == ExprKind::kFunction && system_time.args.empty() &&
         to_upper(system_time.name) == "PROCTIME";
}

Result<int> view_version_time(const Catalog& catalog, const std::string& view, const Schema& schema,
                              int change_column, const std::vector<PlanStep>* steps) {
  std::string why;
  for (int c = 0; c < schema.num_fields(); ++c) {
    if (c == change_column || schema.field(c).type != DataType::kTimestamp) continue;
    const JoinTimeColumn t = join_time_column(catalog, view, c, steps);
    if (t.is_event_time()) return c;
    if (why.empty()) {
      why = t.kind == JoinTimeColumn::Kind::kWindowBound
                ? "'" + schema.field(c).name +
                      "' is a window_start, or a window_end with ALLOW LATENESS, of an upstream "
                      "aggregate: its rows come after the watermark passed them"
                : t.why;
    }
  }
  const std::string instead =
      " Version a view of one row per key with its time — the latest row per key: "
      "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM "
      "s) t WHERE rn = 1 — or join FOR SYSTEM_TIME AS OF PROCTIME() for the view's rows as each "
      "left row arrives (an answer that depends on timing)";
  std::string aggregate;
  if (per_batch_aggregate(catalog, view, steps, aggregate) != nullptr) {
    return Status(ErrorCode::kSqlInvalidQuery,
                  "a lookup join by event time versions the view by the time of its rows, but '" +
                      view + "' " +
                      (to_lower(aggregate) == to_lower(view) ? std::string("is")
                                                             : "reads '" + aggregate + "',") +
                      " an aggregate that emits per input batch (EMIT CHANGES or ON UPDATE): its "
                      "updates depend on how its input was batched, so versions of it would "
                      "too." +
                      instead);
  }
  return Status(ErrorCode::kSqlInvalidQuery,
                "a lookup join by event time versions the view by the time of its rows: an "
                "event-time column of '" +
                    view + "' (a source's watermark column, passed through), and it has none" +
                    (why.empty() ? std::string(" (no TIMESTAMP column)") : ": " + why) + "." +
                    instead);
}

}  // namespace sluice::sql
