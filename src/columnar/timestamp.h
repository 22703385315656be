#pragma once
// TIMESTAMP and INTERVAL text. Timestamps are microseconds since the Unix epoch, UTC.
//   in:  RFC 3339 / ISO 8601: 2026-11-24T10:00:00.123Z, 2026-11-24 10:00:00 (UTC assumed),
//        offsets honoured (+01:00, -0530, +02), fractions up to 9 digits (truncated to µs),
//        a bare date (midnight), or an integer: epoch milliseconds.
//   out: UTC with 'Z'; a fraction only when non-zero (3 digits if whole milliseconds, else 6).
// Intervals are written as ISO 8601 durations in seconds: PT90.5S.
// Dates (days since 1970-01-01) are YYYY-MM-DD both ways.

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice {

Result<int64_t> parse_timestamp(std::string_view text);
// The same parse without the error: false where parse_timestamp fails. No allocation, for a
// decoder's fast path (the error, when wanted, comes from parse_timestamp).
bool try_parse_timestamp(std::string_view text, int64_t& micros);
// Both parse the most common form first, "YYYY-MM-DDTHH:MM:SS" with an optional fraction of 1 to 9
// digits and a 'Z' (read_canonical_timestamp, true with the same value the general parse gives;
// false for any other text, which the general parse then reads or refuses). The general parse
// alone is try_parse_timestamp_general, for the tests that hold the fast path to it.
bool read_canonical_timestamp(std::string_view text, int64_t& micros);
bool try_parse_timestamp_general(std::string_view text, int64_t& micros);

// read_canonical_timestamp for the timestamps of one stream, which mostly share their date and
// hour with the one before: the date and hour (the first 13 bytes) are parsed only when they
// differ from the last ones read, else their microseconds are reused. The same result for every
// text (held to it by Timestamp.CanonicalReaderAgreesWithTheCanonicalParse).
// Thread: belongs to its reader's thread.
class CanonicalTimestampReader {
 public:
  bool read(std::string_view text, int64_t& micros);

 private:
  bool known_ = false;  // head_, hour_ and hour_micros_ are of a valid date and hour
  uint64_t head_ = 0;   // bytes 0-7 of the last date and hour parsed
  uint64_t hour_ = 0;   // bytes 5-12
  int64_t hour_micros_ = 0;
};
void append_timestamp(int64_t micros, std::string& out);
// The same text written at `p`, which has room for kTimestampTextMax bytes; returns its end.
inline constexpr size_t kTimestampTextMax = 48;
char* write_timestamp(int64_t micros, char* p);
std::string format_timestamp(int64_t micros);
void append_interval(int64_t micros, std::string& out);

// DATE text: YYYY-MM-DD (spaces around allowed), a valid proleptic Gregorian day whose
// distance from 1970-01-01 fits an int32.
Result<int32_t> parse_date(std::string_view text);
void append_date(int64_t days, std::string& out);

// Splits a timestamp into whole days since the epoch and microseconds into that day
// (0 ≤ micros_of_day < one day, also before 1970).
void split_days(int64_t micros, int64_t& days, int64_t& micros_of_day);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day);

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

}  // namespace sluice
