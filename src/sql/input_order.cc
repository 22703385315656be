#include "sql/input_order.h"

#include <optional>

#include "sql/event_time.h"

namespace sluice::sql {

namespace {

// A query whose output order follows its input's: one that only filters and projects, and a
// windowed aggregate emitting on window close (a closing window's groups go out in the order
// their first rows came). Not a top-N or OVER frame (they settle an order of their own: held
// when it needs to be) nor an aggregate emitting per batch (batch-dependent in any case).
bool passes_order_on(const BoundQuery& q) {
  if (q.top_n || q.over) return false;
  return !q.aggregate || (q.window && q.emit == EmitMode::kOnWindowClose);
}

// Whether the rows of `name` come in an order made by the interleaving of two or more sources.
bool interleaves(const Catalog& catalog, const std::vector<PlanStep>* steps,
                 std::string_view name) {
  if (const PlanStep* step = find_step(steps, name)) {
    if (step->kind == PlanStep::Kind::kQuery) {
      return passes_order_on(*step->query) && interleaves(catalog, steps, step->query->input);
    }
    return catalog.sources_upstream(name, steps).size() >= 2;  // a join or a UNION ALL
  }
  const Catalog::Entry* e = catalog.find(name);
  if (e == nullptr || e->query == nullptr) return false;  // a source: its own order
  const BoundQuery& q = *e->query->query;
  return passes_order_on(q) && interleaves(catalog, &q.steps, q.input);
}

}  // namespace

InputOrder input_order(const Catalog& catalog, std::string_view input,
                       const std::vector<PlanStep>* steps) {
  InputOrder order;
  if (!interleaves(catalog, steps, input)) return order;
  // An updating input's changes are not reordered: a delete must follow the insert it takes
  // back, which ordering by time and values would not keep.
  const std::optional<TrailingTimeColumn> time =
      catalog.updating(input, steps) ? std::nullopt
                                     : least_trailing_time_column(catalog, input, steps);
  if (time) {
    order.kind = InputOrder::Kind::kHeld;
    order.time_column = time->column;
    order.trail = time->trail;
    order.complete_at_trail = time->complete_at_trail;
  } else {
    order.kind = InputOrder::Kind::kInterleaved;
  }
  return order;
}

}  // namespace sluice::sql
