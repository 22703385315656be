#pragma once
// The order in which an order-sensitive consumer — a top-N, an OVER frame run as changes, an
// aggregate with FIRST_VALUE or LAST_VALUE (first/last by arrival) — sees its input's rows. Its
// output is a function of that order (a top-1 emits a change each time its leader changes; the
// first value is the first row's), so the order must be a function of the input too.
//
// Rows of one source reach a node in source order, whatever the batching: that order stands
// (kArrival), and nothing is held. Where the input interleaves two or more sources — a join of
// two different sources, or a UNION ALL of them, read through streams, views and subqueries
// that only filter and project or aggregate by windows on their close (whose groups go out in
// the order their first rows came) — the order is the two source threads' timing. Then, when the
// input has an event-time column whose rows trail its watermark by a known bound
// (event_time.h's least_trailing_time_column), the rows are held until the watermark passes
// them and applied by (that time, the row's bytes) (kHeld: dataflow/ordered_input.h); without
// one (a regular join, no watermark upstream) holding could last to the end of the input, so
// the order stays the inputs' interleaving (kInterleaved), which EXPLAIN says. An updating
// input (`_op`) is kInterleaved too: reordering could put a delete before its insert.
//
// Thread: whoever binds (the compute thread); a pure function over the catalog.

#include <string_view>
#include <vector>

#include "sql/bound_query.h"
#include "sql/catalog.h"

namespace sluice::sql {

InputOrder input_order(const Catalog& catalog, std::string_view input,
                       const std::vector<PlanStep>* steps);

// An aggregate's: kArrival unless its result depends on its rows' order (a FIRST_VALUE or
// LAST_VALUE call, a floating-point SUM, AVG, VARIANCE or STDDEV). A windowed one is
// held by its window's time column with that column's trail (event_time.h's time_column_trail),
// not by the least-trailing column, so that no row comes out after its window closed (the proof
// is at the definition); an unwindowed one as input_order(); a processing-time window's follows
// the interleaving (it closes by the wall clock).
InputOrder aggregate_input_order(const Catalog& catalog, const BoundQuery& q,
                                 const std::vector<PlanStep>* steps);

}  // namespace sluice::sql
