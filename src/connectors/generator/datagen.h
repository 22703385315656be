#pragma once
// The `datagen` generator: rows for a source's declared columns, each column's values drawn
// as its `fields.<column>.<property>` options say. Row n's values come from a random stream
// seeded by (seed, n), so any range replays exactly.
//
//   fields.C.kind      random (default) | sequence | values
//   fields.C.min/max   random numbers and timestamps (inclusive min, exclusive max for DOUBLE)
//   fields.C.start     sequence: the first value (numbers; timestamps as RFC 3339)
//   fields.C.step      sequence: the increment (numbers; an interval such as '1s' for timestamps)
//   fields.C.values    values: a comma-separated list to pick from uniformly
//   fields.C.length    random VARCHAR length (default 10)
//   fields.C.null.rate share of NULLs, 0 to 1 (nullable columns only)
// A DECIMAL column takes whole numbers (random bounds must fit its type; a sequence wraps within
// its integer digits); a DATE column days since 1970-01-01 (values as YYYY-MM-DD).
// A TIMESTAMP column without options is a sequence from 2026-11-24T10:00:00Z stepping
// 1 s / rate (1 ms when the rate is unlimited): an in-order event time.

#include <memory>
#include <string>
#include <vector>

#include "connectors/generator/row_generator.h"
#include "sluice/status.h"
#include "sql/catalog.h"

namespace sluice::connectors {

// Checks every fields.* option against the schema and makes the generator. Errors name the
// option, so CREATE SOURCE can report them.
Result<std::unique_ptr<RowGenerator>> make_datagen(const Schema& schema,
                                                   const sql::OptionMap& options);

}  // namespace sluice::connectors
