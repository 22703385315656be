#pragma once
// INTERVAL literals' text → a duration in microseconds. sluice's INTERVAL is a fixed duration
// (include/sluice/data_type.h), so the units are those of fixed length, spelled as PostgreSQL
// spells them; months, years and longer vary in length and are refused, saying so.

#include <cstdint>
#include <string_view>

#include "sluice/status.h"

namespace sluice::sql {

// "5", "SECOND" → microseconds. The number may have a sign and a fraction; the unit is one of
// PostgreSQL's spellings of a fixed-length unit, any case: microsecond (us, usec), millisecond
// (ms, msec), second (s, sec), minute (m, min), hour (h, hr), day (d), week (w), singular or
// plural.
Result<int64_t> parse_interval_text(std::string_view number, std::string_view unit);

// The whole string of INTERVAL '...' with no unit after it, as PostgreSQL reads it: parts
// `quantity unit` ('1 hour 30 minutes', '2 days 3 hours', '1.5 seconds', '90min'), each signed
// on its own ('-1 hour 30 minutes' is -30 minutes), and at most one time `[-]h:mm[:ss[.f]]`
// ('01:30:00', '1 day 02:00'); a lone number is seconds; a trailing `ago` negates the whole.
// Errors (SLC-1001) say which part is wrong; the caller adds the literal's line:column.
Result<int64_t> parse_interval_string(std::string_view text);

// Whether `word` names an interval unit (a calendar one included), so that INTERVAL '5' word
// reads it as the unit.
bool is_interval_unit(std::string_view word);

}  // namespace sluice::sql
