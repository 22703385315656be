#include "columnar/timestamp.h"

#include <gtest/gtest.h>

#include <random>

namespace sluice {
namespace {

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
