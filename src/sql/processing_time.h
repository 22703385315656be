#pragma once
// Processing time (Flink's PROCTIME()): the one place where a continuous query may read the
// wall clock, as an explicit, named opt-in (docs/sql.md "Processing time").
//
// `SELECT *, PROCTIME() AS p_time FROM bid` gives each row the time at which it reached the
// query (a TIMESTAMP, read once per batch). Such a column is a processing-time attribute: it
// passes unchanged through further queries without aggregates, and a TUMBLE or HOP over it is a
// processing-time window, closed by the wall clock rather than by a watermark. Its only other
// use is to be selected as it is: anywhere else (WHERE, a GROUP BY key, an expression, an
// aggregate's argument, a join's condition, HAVING) it is refused, so that the one dependence on
// timing is the window a row falls into, and that stays visible.
//
// Thread: whoever binds (the compute thread); pure functions over the catalog.

#include <string_view>
#include <vector>

#include "sql/bound_query.h"
#include "sql/catalog.h"

namespace sluice::sql {

// For each column of `input` (`width` of them), whether it is a processing-time attribute: a
// PROCTIME() select item of a stream, view, subquery or WITH step without aggregates, or a column
// that passes one on unchanged through such queries. Joins and UNION ALL end the attribute (their
// columns are not processing-time attributes). `steps`: the statement's steps, when `input` may be
// one of them.
std::vector<bool> processing_time_columns(const Catalog& catalog, std::string_view input, int width,
                                          const std::vector<PlanStep>* steps);

// Whether `query` groups by a processing-time window (closed by the wall clock).
bool is_processing_time_window(const BoundQuery& query);

}  // namespace sluice::sql
