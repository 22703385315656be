// FlatValueReader (the shape path's one-pass value reading, columnar/json_flat_value.h) against
// what it stands for, scan_flat_value then append_flat_value (or flat_ignorable): for every value
// text and what follows it, for every column type the fast path reads, nullable or not, and for a
// key outside the schema, the same bytes taken, the same value appended bit for bit, the same
// refusals and the same non-ASCII report.
#include "columnar/json_flat_value.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace sluice {
namespace {

// Numbers of every form the grammar allows and some it does not: signs, leading zeros, 0 to 22
// digits before the point and 0 to 18 after it, exponents.
std::string random_number(std::mt19937& rng) {
  const auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
  std::string s;
  if (pick(3) == 0) s += '-';
  const unsigned whole = pick(8) == 0 ? pick(23) : 1 + pick(8);
  for (unsigned k = 0; k < whole; ++k) s += static_cast<char>('0' + pick(10));
  if (whole > 1 && s[s.size() - whole] == '0' && pick(4) != 0) s[s.size() - whole] = '1';
  if (pick(2) == 0) {
    s += '.';
    const unsigned fraction = pick(8) == 0 ? pick(19) : pick(8);
    for (unsigned k = 0; k < fraction; ++k) s += static_cast<char>('0' + pick(10));
  }
  if (pick(10) == 0) {
    s += "eE"[pick(2)];
    if (pick(2) == 0) s += "+-"[pick(2)];
    for (unsigned k = pick(4); k > 0; --k) s += static_cast<char>('0' + pick(10));
  }
  return s;
}

// Timestamps mostly canonical, in runs of one hour (the reader keeps the last date and hour),
// some in other spellings or with a byte changed; and other strings, some with special bytes.
std::string random_string(std::mt19937& rng, unsigned& hour) {
  const auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
  if (pick(40) == 0) hour = pick(26);
  std::string s;
  switch (pick(4)) {
    case 0: {
      static const char* others[] = {"AAPL",
                                     "Zürich AG",
                                     "東京電力",
                                     "",
                                     "a\\\"b",
                                     "tab\there",
                                     "\\u00e9",
                                     "bad \xff byte",
                                     "\xc3\x28",
                                     "2026-11-30 10:11:12",
                                     "1700000000000",
                                     "x\x01y",
                                     "0123456789abcdefghij"};
      s = others[pick(sizeof others / sizeof others[0])];
      break;
    }
    default: {
      char text[64];
      std::snprintf(text, sizeof text, "2026-11-%02uT%02u:%02u:%02u", 28 + pick(4), hour, pick(61),
                    pick(60));
      s = text;
      const unsigned digits = pick(11);
      if (digits > 0) s += '.';
      for (unsigned k = 0; k < digits; ++k) s += static_cast<char>('0' + pick(10));
      s += pick(20) == 0 ? "+01:00" : "Z";
      if (pick(10) == 0) s[pick(static_cast<unsigned>(s.size()))] = "0:-T. Z"[pick(7)];
    }
  }
  return '"' + s + (pick(30) == 0 ? "" : "\"");
}

// What may follow a value in a line (or nothing: the value ends the text), short and long, so
// that the reading by words meets the text's end at every place.
const std::vector<std::string>& followers() {
  static const std::vector<std::string> f = {"",
                                             ",",
                                             "}",
                                             " ",
                                             "x",
                                             "0",
                                             "5",
                                             ".",
                                             "e",
                                             "E",
                                             "-",
                                             "\"",
                                             ",\"qty\":17,\"ts\":\"2026\"}",
                                             "}    ",
                                             ".5}",
                                             "e5,\"a\":1}",
                                             "0000000000"};
  return f;
}

struct Target {
  DataType type;
  bool nullable;
  bool ignored;
};

void expect_same_columns(const Column& a, const Column& b, const std::string& what) {
  ASSERT_EQ(a.length(), b.length()) << what;
  for (int64_t r = 0; r < b.length(); ++r) {
    ASSERT_EQ(a.is_null(r), b.is_null(r)) << what << " row " << r;
    if (b.is_null(r)) continue;
    switch (b.type()) {
      case DataType::kBoolean:
        ASSERT_EQ(a.bool_value(r), b.bool_value(r)) << what << " row " << r;
        break;
      case DataType::kInt32:
        ASSERT_EQ(a.int32_value(r), b.int32_value(r)) << what << " row " << r;
        break;
      case DataType::kDouble: {
        const double x = a.double_value(r), y = b.double_value(r);
        ASSERT_EQ(std::memcmp(&x, &y, sizeof x), 0) << what << " row " << r;
        break;
      }
      case DataType::kVarchar:
        ASSERT_EQ(a.string_value(r), b.string_value(r)) << what << " row " << r;
        break;
      default:
        ASSERT_EQ(a.int64_value(r), b.int64_value(r)) << what << " row " << r;
    }
  }
}

TEST(JsonFlatValue, ReaderAgreesWithScanThenAppend) {
  const std::vector<Target> targets = {
      {DataType::kBoolean, false, false},  {DataType::kInt32, false, false},
      {DataType::kInt32, true, false},     {DataType::kInt64, false, false},
      {DataType::kInt64, true, false},     {DataType::kDouble, false, false},
      {DataType::kDouble, true, false},    {DataType::kVarchar, false, false},
      {DataType::kVarchar, true, false},   {DataType::kTimestamp, false, false},
      {DataType::kTimestamp, true, false}, {DataType::kVarchar, true, true}};
  std::mt19937 rng(29);
  static const char* literals[] = {"true", "false", "null", "nul", "truex", "[1]", "{}", ""};
  for (const Target& target : targets) {
    FlatValueReader reader(target.type, target.nullable, target.ignored);
    ColumnBuilder read(target.type), reference(target.type);
    unsigned hour = 10;
    int taken = 0, declined = 0;
    for (int i = 0; i < 60000; ++i) {
      std::string value;
      switch (rng() % 8) {
        case 0:
          value = literals[rng() % 8];
          break;
        case 1:
        case 2:
        case 3:
          value = random_string(rng, hour);
          break;
        default:
          value = random_number(rng);
      }
      const std::string text = value + followers()[rng() % followers().size()];
      // Exactly the text's bytes: a read past its end is a heap overflow under ASan.
      const std::unique_ptr<char[]> bytes(new char[text.size() + (text.empty() ? 1 : 0)]);
      std::memcpy(bytes.get(), text.data(), text.size());
      const char* const p = bytes.get();
      const char* const end = p + text.size();

      bool non_ascii = false;
      const size_t length = reader.read(p, end, read, non_ascii);

      FlatMember m{};
      size_t expected = 0;
      bool high = false;
      if (scan_flat_value(std::string_view(p, text.size()), m, expected, high) &&
          !(target.ignored ? flat_ignorable(m)
                           : append_flat_value(reference, target.nullable, m))) {
        expected = 0;
      }
      const std::string what = "'" + text + "' into " + std::string(type_name(target.type)) +
                               (target.nullable ? " NULL" : "") +
                               (target.ignored ? " ignored" : "");
      ASSERT_EQ(length, expected) << what;
      ASSERT_EQ(read.length(), reference.length()) << what;
      if (length > 0) {
        ASSERT_EQ(non_ascii, high) << what;
        ++taken;
      } else {
        ++declined;
      }
    }
    expect_same_columns(read.finish(), reference.finish(), type_name(target.type));
    EXPECT_GT(taken, 1000) << type_name(target.type);  // both outcomes are met often
    EXPECT_GT(declined, 1000) << type_name(target.type);
  }
}

// The usual values of kafka_source_bench's lines, at the end of the text and before more: read
// in one pass to the values the scan and the conversions give.
TEST(JsonFlatValue, ReadsUsualValues) {
  struct Case {
    DataType type;
    const char* text;
    size_t length;
  };
  for (const Case& c :
       std::vector<Case>{{DataType::kInt64, "640123", 6},
                         {DataType::kInt64, "-123456789012345678,", 19},
                         {DataType::kInt32, "17}", 2},
                         {DataType::kDouble, "112.375,", 7},
                         {DataType::kDouble, "-0.0", 4},
                         {DataType::kDouble, "123456789012.345", 16},
                         {DataType::kVarchar, "\"東京電力\",", 14},
                         {DataType::kTimestamp, "\"2026-11-30T01:02:03.123000Z\"}", 29}}) {
    FlatValueReader reader(c.type, false, false);
    ColumnBuilder read(c.type), reference(c.type);
    const std::string_view text(c.text);
    bool non_ascii = false;
    EXPECT_EQ(reader.read(text.data(), text.data() + text.size(), read, non_ascii), c.length)
        << c.text;
    FlatMember m{};
    size_t length = 0;
    bool high = false;
    ASSERT_TRUE(scan_flat_value(text, m, length, high)) << c.text;
    ASSERT_TRUE(append_flat_value(reference, false, m)) << c.text;
    EXPECT_EQ(length, c.length) << c.text;
    expect_same_columns(read.finish(), reference.finish(), c.text);
  }
}

}  // namespace
}  // namespace sluice
