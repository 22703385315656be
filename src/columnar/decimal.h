#pragma once
// DECIMAL(p, s) values: an exact __int128 count of 10^-s units whose magnitude is below 10^p
// (p ≤ 38). Parsing, printing, rescaling and the checked arithmetic that every user of
// decimals shares (casts, kernels, aggregates, codecs), so that no decimal passes through a
// double on its way anywhere. Rounding is always half away from zero, as PostgreSQL's numeric.
//
// Thread: stateless.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/data_type.h"
#include "sluice/status.h"

namespace sluice::decimal {

using int128 = __int128;

// 10^n, 0 ≤ n ≤ 38.
int128 pow10(int n);
// |v| < 10^precision.
bool fits(int128 v, int precision);

// Text → value of `type` (a DECIMAL): [+-]digits[.digits][e[+-]digits], spaces around allowed.
// Digits beyond the scale are rounded half away from zero; more integer digits than the
// precision allows are SLC-0006 (out of range); anything else that is not a number is SLC-2003.
Result<int128> parse(std::string_view text, DataType type);
// The smallest DECIMAL that holds `text` exactly (DECIMAL '12.340' is DECIMAL(5,3)); nullopt
// when the text is not a plain decimal number of at most 38 digits.
std::optional<DataType> type_of_text(std::string_view text);

// Value → text with exactly `scale` digits after the point: -12.30, 0.05, 7.
void append(int128 v, int scale, std::string& out);
std::string to_string(int128 v, int scale);

// v at scale `from` → scale `to`: more digits are exact (false on overflow of 38 digits),
// fewer are rounded half away from zero.
bool rescale(int128 v, int from, int to, int128& out);
// num / den rounded half away from zero; den ≠ 0.
int128 divide_rounded(int128 num, int128 den);
// (x at scale sx) / (y at scale sy) at scale `scale` (≥ sx), rounded half away from zero; y ≠ 0.
// Exact for every quotient of at most 38 digits, however many the shifted dividend would need;
// false when the quotient has more.
bool divide(int128 x, int sx, int128 y, int sy, int scale, int128& out);

// The nearest double (correctly rounded: through the decimal text).
double to_double(int128 v, int scale);
// A finite double → value of `type`, rounded half away from zero at its scale (from the
// double's shortest exact decimal form); false when not finite or too large for the type.
bool from_double(double d, DataType type, int128& out);
// An integer → value of `type`; false when it needs more digits than the type has.
bool from_integer(int64_t v, DataType type, int128& out);
// Value → integer, rounded half away from zero; false when out of the int64 range.
bool to_integer(int128 v, int scale, int64_t& out);

// The error a decimal operation reports when its result needs more digits than its type has
// (the same code as integer overflow).
Status overflow(std::string_view what, DataType type);

}  // namespace sluice::decimal
