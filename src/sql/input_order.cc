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

// Held by `time` when there is one, else the interleaving.
InputOrder held_by(const std::optional<TrailingTimeColumn>& time) {
  InputOrder order;
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

// Whether an aggregate's result depends on the order its rows come in: FIRST_VALUE/LAST_VALUE
// (first/last by arrival), and the floating-point accumulations — SUM/AVG of DOUBLE, and the
// variance family (Welford's update in doubles, whatever the argument) — whose rounding depends
// on the order the values are added in. Integer and DECIMAL sums are exact, MIN/MAX/COUNT
// order-free.
bool depends_on_row_order(const BoundQuery& q) {
  for (const AggregateCall& call : q.aggregates) {
    switch (call.kind) {
      case AggKind::kFirstValue:
      case AggKind::kLastValue:
      case AggKind::kVarSamp:
      case AggKind::kVarPop:
      case AggKind::kStddevSamp:
      case AggKind::kStddevPop:
        return true;
      case AggKind::kSum:
      case AggKind::kAvg:
        if (call.arg && call.arg->type == DataType::kDouble) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

}  // namespace

InputOrder input_order(const Catalog& catalog, std::string_view input,
                       const std::vector<PlanStep>* steps) {
  if (!interleaves(catalog, steps, input)) return InputOrder{};
  // An updating input's changes are not reordered: a delete must follow the insert it takes
  // back, which ordering by time and values would not keep.
  if (catalog.updating(input, steps)) return held_by(std::nullopt);
  return held_by(least_trailing_time_column(catalog, input, steps));
}

InputOrder aggregate_input_order(const Catalog& catalog, const BoundQuery& q,
                                 const std::vector<PlanStep>* steps) {
  if (!depends_on_row_order(q)) return InputOrder{};
  if (!q.window) return input_order(catalog, q.input, steps);
  if (!interleaves(catalog, steps, q.input)) return InputOrder{};
  // Processing-time windows close by the wall clock, whatever the watermark: holding rows for
  // it would only move them to later windows.
  if (q.window->processing_time || catalog.updating(q.input, steps)) return held_by(std::nullopt);
  // Held by the window's own column, never by another that trails less. Why no row is then
  // late: a row at time t comes out once the watermark W passes t + T (T its column's trail),
  // and the OrderedInput applies it before the aggregate hears W. A window [s, e) holding t
  // closes when W reaches e + L (L its ALLOW LATENESS). Over a watermark column, the binder's
  // window check demanded L >= T, and e > t, so e + L > t + T: the row is out by the time W
  // reaches e + L. Over an upstream window's bounds, the check demanded e + L >= t + T for every
  // window holding t, and those rows are out once W reaches t + T (complete_at_trail). Either
  // way the aggregate's watermark when it gets the row is one the row was not yet out at, below
  // e + L: every window holding t is still open, the row never late. (One edge is left: an
  // upstream window's bounds behind an interval join are held until W passes t + T, while the
  // check lets e + L equal t + T.) Ordered by another column, a row could come out after its
  // window closed and be dropped as late. A left outer join's right column orders its non-NULL
  // rows; its NULL ones fall in no window.
  return held_by(time_column_trail(catalog, q.input, q.window->time_column, steps));
}

}  // namespace sluice::sql
