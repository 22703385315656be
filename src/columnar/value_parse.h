#pragma once
// Text → typed value, for CSV fields and SQL literals. Each returns a Status naming what was
// expected; the caller adds where (line, field).

#include <cstdint>
#include <string_view>

#include "sluice/column_builder.h"
#include "sluice/status.h"

namespace sluice {

Status parse_bool(std::string_view text, bool& out);
Status parse_int32(std::string_view text, int32_t& out);
Status parse_int64(std::string_view text, int64_t& out);
Status parse_double(std::string_view text, double& out);

// Parses `text` as a value of the builder's type and appends it. VARCHAR text must be
// valid UTF-8. TIMESTAMP accepts RFC 3339 or epoch milliseconds; INTERVAL milliseconds;
// DECIMAL exact digits (decimal::parse); DATE YYYY-MM-DD.
Status append_text_value(ColumnBuilder& builder, std::string_view text);

}  // namespace sluice
