#include "sql/processing_time.h"

#include <algorithm>

namespace sluice::sql {

namespace {

// The query whose output `name` is (a step of `steps`, or a stream or view of the catalog), and
// the steps its own input may be among; null for a source, a join, a UNION ALL.
const BoundQuery* query_of(const Catalog& catalog, const std::vector<PlanStep>* steps,
                           std::string_view name, const std::vector<PlanStep>*& its_steps) {
  if (const PlanStep* step = find_step(steps, name)) {
    its_steps = steps;
    return step->kind == PlanStep::Kind::kQuery ? step->query.get() : nullptr;
  }
  const Catalog::Entry* e = catalog.find(name);
  if (e == nullptr || !e->query) return nullptr;
  its_steps = &e->query->query->steps;
  return e->query->query.get();
}

bool is_processing_time_column(const Catalog& catalog, const std::vector<PlanStep>* steps,
                               std::string_view name, int column) {
  // Each level is a query of the pipeline, declared before the one reading it: the walk ends.
  for (;;) {
    const std::vector<PlanStep>* its_steps = nullptr;
    const BoundQuery* q = query_of(catalog, steps, name, its_steps);
    if (q == nullptr || q->aggregate || column < 0 ||
        column >= static_cast<int>(q->projection.size())) {
      return false;
    }
    const std::vector<int>& own = q->processing_time_columns;
    if (std::find(own.begin(), own.end(), column) != own.end()) return true;
    const BoundExpr& p = *q->projection[static_cast<size_t>(column)];
    if (p.kind != BoundExpr::Kind::kColumn) return false;
    name = q->input;
    column = p.column;
    steps = its_steps;
  }
}

}  // namespace

std::vector<bool> processing_time_columns(const Catalog& catalog, std::string_view input, int width,
                                          const std::vector<PlanStep>* steps) {
  std::vector<bool> out(static_cast<size_t>(width), false);
  for (int i = 0; i < width; ++i)
    out[static_cast<size_t>(i)] = is_processing_time_column(catalog, steps, input, i);
  return out;
}

bool is_processing_time_window(const BoundQuery& query) {
  return query.window && query.window->processing_time;
}

}  // namespace sluice::sql
