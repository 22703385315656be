#include "columnar/timestamp.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

namespace sluice {
namespace {

// Ends a timestamp text made of its fields: a fraction of 0 to 9 digits (10: too many; now and
// then a bare '.') and 'Z'; then, one time in `damage_one_in`, a byte changed, dropped or added.
template <typename Pick>
void finish_text(std::string& s, Pick& pick, unsigned damage_one_in) {
  static const std::string alphabet = "0123456789-T:.Zz +/";
  const unsigned digits = pick(11);
  if (digits > 0 || pick(8) == 0) s += '.';
  for (unsigned k = 0; k < digits; ++k) s += static_cast<char>('0' + pick(10));
  s += 'Z';
  if (pick(damage_one_in) == 0) {
    const size_t at = pick(static_cast<unsigned>(s.size()));
    const char c = alphabet[pick(static_cast<unsigned>(alphabet.size()))];
    switch (pick(3)) {
      case 0:
        s[at] = c;
        break;
      case 1:
        s.erase(at, 1);
        break;
      default:
        s.insert(at, 1, c);
    }
  }
}

constexpr int64_t k20261124T10 = 1'795'514'400'000'000;

int64_t parse_ok(std::string_view text) {
  Result<int64_t> r = parse_timestamp(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().to_string();
  return r.ok() ? *r : INT64_MIN;
}

TEST(Timestamp, ParsesRfc3339AndCommonSpellings) {
  EXPECT_EQ(parse_ok("2026-11-24T10:00:00Z"), k20261124T10);
  EXPECT_EQ(parse_ok("2026-11-24T10:00:00.123Z"), k20261124T10 + 123'000);
  EXPECT_EQ(parse_ok("2026-11-24 10:00:00"), k20261124T10);
  EXPECT_EQ(parse_ok("2026-11-24t10:00:00z"), k20261124T10);
  EXPECT_EQ(parse_ok("2026-11-24T10:00"), k20261124T10);
  EXPECT_EQ(parse_ok("2026-11-24"), k20261124T10 - 10 * 3600 * kMicrosPerSecond);
  EXPECT_EQ(parse_ok("2026-11-24T10:00:00.123456789Z"), k20261124T10 + 123'456);
  EXPECT_EQ(parse_ok("2026-11-24T10:00:00.5"), k20261124T10 + 500'000);
}

TEST(Timestamp, HonoursOffsets) {
  EXPECT_EQ(parse_ok("2026-11-24T11:00:00+01:00"), k20261124T10);
  EXPECT_EQ(parse_ok("2026-11-24T04:30:00-0530"), k20261124T10);
  EXPECT_EQ(parse_ok("2026-11-24T12:00:00+02"), k20261124T10);
  EXPECT_EQ(parse_ok("2026-11-25T00:00:00+14:00"), k20261124T10);
}

TEST(Timestamp, IntegersAreEpochMilliseconds) {
  EXPECT_EQ(parse_ok("1795514400000"), k20261124T10);
  EXPECT_EQ(parse_ok("-1000"), -1'000'000);
  EXPECT_EQ(parse_ok("0"), 0);
}

TEST(Timestamp, RejectsBadInputWithAReason) {
  for (const char* bad : {"", "2026-13-01", "2026-02-29", "2026-11-24T24:00:00", "2026-11-24T10:60",
                          "2026-11-24T10:00:00+25:00", "2026-11-24T10:00:00Zjunk", "24/11/2026",
                          "2026-11-24T10:00:00.", "99999999999999999999"}) {
    Result<int64_t> r = parse_timestamp(bad);
    EXPECT_FALSE(r.ok()) << "accepted '" << bad << "'";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidTimestamp);
    }
  }
  EXPECT_TRUE(parse_timestamp("2024-02-29").ok());  // leap day
}

// The decoders' allocation-free parse accepts exactly what parse_timestamp accepts, with the
// same value.
TEST(Timestamp, TryParseAgreesWithParse) {
  for (const char* text :
       {"2026-11-24T10:00:00Z", " 2026-11-24 10:00:00.123456 ", "2026-11-24T10:00:00+01:00",
        "2026-11-24T10:00:00.123456789-0530", "2026-11-24", "1732442400000", "-5", "", "2026-13-01",
        "2026-02-29", "2026-11-24T24:00:00", "2026-11-24T10:00:00Zjunk", "2026-11-24T10:00:00.",
        "99999999999999999999", "2026-11-24T10:00:00.1234567890Z", "12a"}) {
    const Result<int64_t> parsed = parse_timestamp(text);
    int64_t micros = -1;
    EXPECT_EQ(try_parse_timestamp(text, micros), parsed.ok()) << "'" << text << "'";
    if (parsed.ok()) {
      EXPECT_EQ(micros, *parsed) << "'" << text << "'";
    }
  }
}

// The canonical form's fast path gives exactly what the general parse gives, and declines only
// what that parse reads some other way or refuses: every text here, canonical ones (each field
// at its bounds, fractions of 1 to 9 digits) and ones a byte away from it.
TEST(Timestamp, CanonicalFastPathAgreesWithTheGeneralParse) {
  std::mt19937 rng(3);
  const auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
  int canonical = 0;
  for (int i = 0; i < 200000; ++i) {
    char text[64];
    const unsigned year = i % 5 == 0 ? pick(10000) : 1960 + pick(100);
    const unsigned month = 1 + pick(i % 7 == 0 ? 13 : 12);
    const unsigned day = 1 + pick(i % 3 == 0 ? 31 : 28);
    int n = std::snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02u", year, month, day,
                          pick(i % 11 == 0 ? 25 : 24), pick(i % 13 == 0 ? 61 : 60),
                          pick(i % 17 == 0 ? 61 : 60));
    std::string s(text, static_cast<size_t>(n));
    finish_text(s, pick, 3);
    int64_t general = -1, fast = -1;
    const bool general_ok = try_parse_timestamp_general(s, general);
    if (read_canonical_timestamp(s, fast)) {
      ++canonical;
      ASSERT_TRUE(general_ok) << "'" << s << "'";
      ASSERT_EQ(fast, general) << "'" << s << "'";
    }
    int64_t both = -1;
    ASSERT_EQ(try_parse_timestamp(s, both), general_ok) << "'" << s << "'";
    if (general_ok) {
      ASSERT_EQ(both, general) << "'" << s << "'";
    }
  }
  EXPECT_GT(canonical, 50000);  // the fast path is met often
  for (const char* text : {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                           "2024-02-29T12:00:00.5Z", "1969-12-31T23:59:59.000001Z"}) {
    int64_t fast = -1, general = -2;
    ASSERT_TRUE(read_canonical_timestamp(text, fast)) << text;
    ASSERT_TRUE(try_parse_timestamp_general(text, general)) << text;
    EXPECT_EQ(fast, general) << text;
  }
  for (const char* text : {"2026-11-24T10:00:00z", "2026-11-24 10:00:00Z", "2026-11-24T10:00Z",
                           "2026-11-24T10:00:00.Z", "2026-11-24T10:00:00.1234567890Z",
                           "2026-11-24T10:00:00+00:00", "2025-02-29T00:00:00Z"}) {
    int64_t fast = -1;
    EXPECT_FALSE(read_canonical_timestamp(text, fast)) << text;
  }
}

// CanonicalTimestampReader against read_canonical_timestamp, text after text through one reader
// (its date and hour kept from one text to the next): runs of texts in one hour, some with a byte
// of the date, hour or the rest changed, dropped or added, and hours that change now and then
// (next door: the same day, the next day, the same hour of another day).
TEST(Timestamp, CanonicalReaderAgreesWithTheCanonicalParse) {
  std::mt19937 rng(7);
  const auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
  CanonicalTimestampReader reader;
  unsigned year = 2026, month = 11, day = 30, hour = 10;
  int read = 0, canonical = 0;
  for (int i = 0; i < 200000; ++i) {
    if (pick(50) == 0) {
      switch (pick(4)) {
        case 0:
          hour = pick(i % 7 == 0 ? 25 : 24);
          break;
        case 1:
          day = 1 + pick(i % 5 == 0 ? 31 : 28);
          break;
        case 2:
          month = 1 + pick(i % 5 == 0 ? 13 : 12);
          break;
        default:
          year = i % 3 == 0 ? pick(10000) : 1960 + pick(100);
      }
    }
    char text[64];
    const int n =
        std::snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02u", year, month, day, hour,
                      pick(i % 13 == 0 ? 61 : 60), pick(i % 17 == 0 ? 61 : 60));
    std::string s(text, static_cast<size_t>(n));
    finish_text(s, pick, 4);
    int64_t expected = -1, got = -2;
    const bool expected_ok = read_canonical_timestamp(s, expected);
    ASSERT_EQ(reader.read(s, got), expected_ok) << "'" << s << "'";
    if (expected_ok) {
      ASSERT_EQ(got, expected) << "'" << s << "'";
      ++canonical;
    }
    ++read;
  }
  EXPECT_GT(canonical, read / 2);  // both outcomes are met often
  EXPECT_GT(read - canonical, read / 10);
}

TEST(Timestamp, FormatsAsUtcWithZ) {
  EXPECT_EQ(format_timestamp(k20261124T10), "2026-11-24T10:00:00Z");
  EXPECT_EQ(format_timestamp(k20261124T10 + 123'000), "2026-11-24T10:00:00.123Z");
  EXPECT_EQ(format_timestamp(k20261124T10 + 7), "2026-11-24T10:00:00.000007Z");
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_timestamp(253'402'300'800'000'000), "10000-01-01T00:00:00Z");  // past 9999
  std::string out = "at ";
  append_timestamp(k20261124T10 + 45'000'010, out);  // appends
  EXPECT_EQ(out, "at 2026-11-24T10:00:45.000010Z");
}

TEST(Timestamp, RoundTripsAcrossCenturies) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> dist(-62'135'596'800'000'000, 253'402'300'799'999'999);
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = dist(rng);
    const std::string text = format_timestamp(t);
    ASSERT_EQ(parse_ok(text), t) << text;
  }
}

TEST(Interval, FormatsAsIsoDurationSeconds) {
  std::string out;
  append_interval(90'500'000, out);
  EXPECT_EQ(out, "PT90.5S");
  out.clear();
  append_interval(-5 * kMicrosPerSecond, out);
  EXPECT_EQ(out, "PT-5S");
}

}  // namespace
}  // namespace sluice
