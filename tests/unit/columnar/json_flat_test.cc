// The JSON decoder's fast path (columnar/json_flat_object.h) against simdjson's DOM path: for
// every line, the same row or the same error (code and text), whichever path read it.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "columnar/json_flat_object.h"
#include "columnar/row_decoder.h"

namespace sluice {
namespace {

SchemaPtr fast_types() {
  return make_schema({{"id", DataType::kInt64, false},
                      {"symbol", DataType::kVarchar, false},
                      {"price", DataType::kDouble, true},
                      {"qty", DataType::kInt32, true},
                      {"ok", DataType::kBoolean, true},
                      {"ts", DataType::kTimestamp, true}});
}

// What each line gave: its error's text, or "" and the row it appended.
struct Outcome {
  std::vector<std::string> errors;
  RecordBatch rows;
};

Outcome decode_lines(const SchemaPtr& schema, const std::vector<std::string>& lines,
                     JsonPaths paths) {
  auto decoder = make_json_lines_decoder(schema, paths);
  Outcome out;
  for (const std::string& line : lines) {
    std::string error;
    auto result = decoder->append(line, true, [&](const Status& s) {
      error = std::to_string(static_cast<int>(s.code())) + " " + s.to_string();
      return true;
    });
    EXPECT_TRUE(result.ok());
    out.errors.push_back(error);
  }
  out.rows = decoder->finish();
  return out;
}

void expect_same_rows(const RecordBatch& fast, const RecordBatch& dom) {
  ASSERT_EQ(fast.num_rows(), dom.num_rows());
  for (int c = 0; c < dom.num_columns(); ++c) {
    const Column& a = fast.column(c);
    const Column& b = dom.column(c);
    for (int64_t r = 0; r < dom.num_rows(); ++r) {
      ASSERT_EQ(a.is_null(r), b.is_null(r)) << "column " << c << " row " << r;
      if (b.is_null(r)) continue;
      switch (b.type()) {
        case DataType::kBoolean:
          ASSERT_EQ(a.bool_value(r), b.bool_value(r)) << "row " << r;
          break;
        case DataType::kInt32:
          ASSERT_EQ(a.int32_value(r), b.int32_value(r)) << "row " << r;
          break;
        case DataType::kDouble: {
          // bit for bit: -0.0 and 0.0 differ here
          const double x = a.double_value(r), y = b.double_value(r);
          ASSERT_EQ(std::memcmp(&x, &y, sizeof x), 0) << "row " << r << ": " << x << " vs " << y;
          break;
        }
        case DataType::kVarchar:
          ASSERT_EQ(a.string_value(r), b.string_value(r)) << "row " << r;
          break;
        default:
          ASSERT_EQ(a.int64_value(r), b.int64_value(r)) << "row " << r;
      }
    }
  }
}

// Values of every shape a member may have, well-formed or not, for the random lines below.
const std::vector<std::string>& value_texts() {
  static const std::vector<std::string> v = {"0",
                                             "-0",
                                             "7",
                                             "-12",
                                             "123456789012345678",
                                             "1234567890123456789",
                                             "99999999999999999999",
                                             "2147483647",
                                             "2147483648",
                                             "-2147483649",
                                             "007",
                                             "1.",
                                             ".5",
                                             "-",
                                             "1e5",
                                             "1E+2",
                                             "2.5e-3",
                                             "-0.0",
                                             "0.1",
                                             "112.375",
                                             "1e400",
                                             "-1e400",
                                             "1e-400",
                                             "4.9e-324",
                                             "2.2250738585072011e-308",
                                             "9007199254740993",
                                             "123.456e7",
                                             "1.7976931348623157e308",
                                             "true",
                                             "false",
                                             "null",
                                             "nul",
                                             "truex",
                                             "\"AAPL\"",
                                             "\"Zürich AG\"",
                                             "\"東京電力\"",
                                             "\"\"",
                                             "\"a\\\"b\"",
                                             "\"tab\there\"",
                                             "\"\\u00e9\"",
                                             "\"bad \xff byte\"",
                                             "\"\xc3\x28\"",
                                             "\"2026-11-30T10:11:12.123456Z\"",
                                             "\"2026-11-30 10:11:12\"",
                                             "\"2026-13-01T00:00:00Z\"",
                                             "\"2026-02-29T00:00:00Z\"",
                                             "\"1700000000000\"",
                                             "1700000000000",
                                             "-1700000000000",
                                             "9223372036854775",
                                             "[1,2]",
                                             "{\"x\":1}",
                                             "{}",
                                             "[]",
                                             "\"x\"y"};
  return v;
}

std::string random_line(std::mt19937& rng) {
  static const std::vector<std::string> keys = {"id", "symbol", "price", "qty",          "ok", "ts",
                                                "ID", "Price",  "extra", "s\\u0079mbol", "é"};
  const auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const auto space = [&]() -> std::string {
    static const char* spaces[] = {"", "", "", " ", "\t", "\r", "  "};
    return spaces[pick(7)];
  };
  // Mostly the usual shape (every column in order, good values), so both paths meet often.
  std::string line = space() + "{";
  const bool usual = pick(2) == 0;
  const int members = usual ? 6 : static_cast<int>(pick(9));
  for (int i = 0; i < members; ++i) {
    if (i > 0) line += space() + "," + space();
    const std::string key = usual ? keys[static_cast<size_t>(i)] : keys[pick(keys.size())];
    line += "\"" + key + "\"" + space() + ":" + space();
    if (usual) {
      static const char* good[] = {"42", "\"AAPL\"", "112.375",
                                   "17", "true",     "\"2026-11-30T10:11:12.123456Z\""};
      line += pick(12) == 0 ? value_texts()[pick(value_texts().size())] : good[i];
    } else {
      line += value_texts()[pick(value_texts().size())];
    }
  }
  line += space() + "}" + space();
  switch (pick(20)) {
    case 0:
      line += "x";  // trailing content
      break;
    case 1:
      line = line.substr(0, pick(line.size() + 1));  // truncated
      break;
    case 2:
      line += "{}";
      break;
    default:
      break;
  }
  return line;
}

TEST(JsonFlatPath, ReadsEveryLineExactlyAsTheDomPath) {
  std::mt19937 rng(17);
  std::vector<std::string> lines;
  for (int i = 0; i < 40000; ++i) lines.push_back(random_line(rng));
  const Outcome fast = decode_lines(fast_types(), lines, JsonPaths::kFlatWhereExact);
  const Outcome dom = decode_lines(fast_types(), lines, JsonPaths::kDomOnly);
  int good = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(fast.errors[i], dom.errors[i]) << "line: " << lines[i];
    good += dom.errors[i].empty();
  }
  expect_same_rows(fast.rows, dom.rows);
  // Both outcomes are well represented.
  EXPECT_GT(good, 4000);
  EXPECT_GT(static_cast<int>(lines.size()) - good, 4000);
}

TEST(JsonFlatPath, ReadsDoublesBitForBitAsTheDomPath) {
  std::mt19937_64 rng(5);
  std::vector<std::string> lines;
  char text[64];
  for (int i = 0; i < 20000; ++i) {
    double d;
    const uint64_t bits = rng();
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    // shortest round trip, 17 digits, and few digits (not exactly representable)
    const int precision = i % 3 == 0 ? 17 : (i % 3 == 1 ? 6 : 21);
    std::snprintf(text, sizeof text, "%.*g", precision, d);
    lines.push_back("{\"id\":1,\"symbol\":\"s\",\"price\":" + std::string(text) + "}");
  }
  const Outcome fast = decode_lines(fast_types(), lines, JsonPaths::kFlatWhereExact);
  const Outcome dom = decode_lines(fast_types(), lines, JsonPaths::kDomOnly);
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(fast.errors[i], dom.errors[i]) << lines[i];
  expect_same_rows(fast.rows, dom.rows);
}

// A key outside the schema is ignored, but the DOM parses its value all the same and refuses a
// line with a number it cannot hold: so does the fast path (it read such lines before).
TEST(JsonFlatPath, RefusesNumbersTheDomRefusesUnderKeysOutsideTheSchema) {
  std::vector<std::string> lines;
  for (const char* value : {"1e400", "-1e400", "99999999999999999999", "1e-400", "12", "1.5"}) {
    for (int copy = 0; copy < 3; ++copy) {  // the second and third in the first one's shape
      lines.push_back(std::string("{\"id\":1,\"extra\":") + value + ",\"symbol\":\"s\"}");
    }
  }
  const Outcome fast = decode_lines(fast_types(), lines, JsonPaths::kFlatWhereExact);
  const Outcome dom = decode_lines(fast_types(), lines, JsonPaths::kDomOnly);
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(fast.errors[i], dom.errors[i]) << lines[i];
  EXPECT_FALSE(dom.errors[0].empty());
  expect_same_rows(fast.rows, dom.rows);
}

// The shape path (json_line_shape.h): runs of lines in one shape, each line a copy of a usual one
// with one change somewhere (a value of any kind from value_texts, a byte of its punctuation or
// keys changed, dropped or added, a key renamed or missing, whitespace), and the shape itself
// changing now and then (keys reordered, spaces, a key outside the schema, nested values): every
// line as the DOM reads it, whichever path read it.
TEST(JsonFlatPath, ReadsLinesOfTheLastShapeExactlyAsTheDomPath) {
  std::mt19937 rng(23);
  const auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::vector<std::string>> shapes = {
      {"{\"id\":", ",\"symbol\":", ",\"price\":", ",\"qty\":", ",\"ok\":", ",\"ts\":", "}"},
      {" { \"ts\" : ", " , \"id\": ", ", \"symbol\":", ",\"ok\":", ",\"price\" :", ",\"qty\":",
       " } "},
      {"{\"id\":", ",\"extra\":", ",\"symbol\":", ",\"price\":", ",\"qty\":", ",\"ok\":",
       ",\"ts\":", "}"},
      {"{\"ID\":", ",\"Symbol\":", ",\"price\":", ",\"qty\":", ",\"ok\":", ",\"ts\":", "}"},
      {"{\"id\":", ",\"symbol\":", ",\"price\":", ",\"qty\":", ",\"ts\":", "}"}};
  const std::map<std::string, std::string> good = {{"id", "42"},
                                                   {"symbol", "\"AAPL\""},
                                                   {"price", "112.375"},
                                                   {"qty", "17"},
                                                   {"ok", "true"},
                                                   {"ts", "\"2026-11-30T10:11:12.123456Z\""},
                                                   {"extra", "[1,{\"a\":2}]"}};
  const auto key_of = [](const std::string& literal) {
    const size_t open = literal.find('"');
    std::string key = literal.substr(open + 1, literal.find('"', open + 1) - open - 1);
    for (char& c : key) c = static_cast<char>(std::tolower(c));
    return key;
  };
  std::vector<std::string> lines;
  size_t shape = 0;
  for (int i = 0; i < 60000; ++i) {
    if (pick(200) == 0) shape = pick(shapes.size());
    const std::vector<std::string>& literals = shapes[shape];
    std::string line;
    const size_t changed = pick(literals.size() * 2);  // a value (even) or a literal (odd)
    for (size_t k = 0; k < literals.size(); ++k) {
      std::string literal = literals[k];
      if (changed == 2 * k + 1 && pick(3) == 0) {
        const size_t at = pick(literal.size());
        const char* bytes = " \t\"{}:,xI\xc3";
        switch (pick(3)) {
          case 0:
            literal[at] = bytes[pick(11)];
            break;
          case 1:
            literal.erase(at, 1);
            break;
          default:
            literal.insert(at, 1, bytes[pick(11)]);
        }
      }
      line += literal;
      if (k + 1 == literals.size()) break;
      const std::string key = key_of(literals[k]);
      line += changed == 2 * k && pick(2) == 0 ? value_texts()[pick(value_texts().size())]
                                               : good.at(key);
    }
    if (pick(50) == 0) line = line.substr(0, pick(line.size() + 1));
    lines.push_back(line);
  }
  const Outcome fast = decode_lines(fast_types(), lines, JsonPaths::kFlatWhereExact);
  const Outcome dom = decode_lines(fast_types(), lines, JsonPaths::kDomOnly);
  int good_lines = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(fast.errors[i], dom.errors[i]) << "line: " << lines[i];
    good_lines += dom.errors[i].empty();
  }
  expect_same_rows(fast.rows, dom.rows);
  EXPECT_GT(good_lines, 30000);
  EXPECT_GT(static_cast<int>(lines.size()) - good_lines, 3000);
}

// Decimals without an exponent of up to 17 digits, the point anywhere, signs and leading zeros
// (Clinger's fast path reads those of up to 15 digits, from_chars the rest): bit for bit as the
// DOM reads them.
TEST(JsonFlatPath, ReadsShortDecimalsBitForBitAsTheDomPath) {
  std::mt19937_64 rng(11);
  std::vector<std::string> lines;
  for (int i = 0; i < 40000; ++i) {
    const int digits = 1 + static_cast<int>(rng() % 17);
    std::string text;
    for (int k = 0; k < digits; ++k) text += static_cast<char>('0' + rng() % 10);
    if (text.size() > 1 && text[0] == '0' && rng() % 2 == 0) text[0] = '1';
    const size_t point = 1 + rng() % static_cast<size_t>(digits);
    text.insert(point, ".");
    if (point == text.size() - 1) text += static_cast<char>('0' + rng() % 10);
    if (rng() % 3 == 0) text.insert(0, "-");
    lines.push_back("{\"id\":1,\"symbol\":\"s\",\"price\":" + text + "}");
  }
  for (const char* text : {"0.0", "-0.0", "0.000000000000001", "999999999999999.9",
                           "99999999999999.99", "9007199254740.993", "0.1", "-112.375"}) {
    lines.push_back(std::string("{\"id\":1,\"symbol\":\"s\",\"price\":") + text + "}");
  }
  const Outcome fast = decode_lines(fast_types(), lines, JsonPaths::kFlatWhereExact);
  const Outcome dom = decode_lines(fast_types(), lines, JsonPaths::kDomOnly);
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(fast.errors[i], dom.errors[i]) << lines[i];
  expect_same_rows(fast.rows, dom.rows);
}

// Strings of every length up to 24 bytes with a quote, an escape, a control character or a
// non-ASCII byte (valid or not) at every place: the scan reads 8 bytes at a time, so each may
// fall at any byte of a word, or in the bytes after the last whole word.
TEST(JsonFlatPath, ReadsStringsWhereverTheirSpecialBytesFall) {
  const std::vector<std::string> specials = {
      "\\\"", "\\n", "\x01", "\x1f", "\t", "\xc3\xa9", "\xe6\x9d\xb1", "\xff", "\xc3", "\x7f", " "};
  std::vector<std::string> lines;
  for (size_t length = 0; length <= 24; ++length) {
    for (size_t at = 0; at <= length; ++at) {
      for (const std::string& special : specials) {
        std::string text(length, 'x');
        text.insert(at, special);
        lines.push_back("{\"id\":1,\"symbol\":\"" + text + "\",\"price\":2}");
      }
    }
  }
  const Outcome fast = decode_lines(fast_types(), lines, JsonPaths::kFlatWhereExact);
  const Outcome dom = decode_lines(fast_types(), lines, JsonPaths::kDomOnly);
  for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(fast.errors[i], dom.errors[i]) << lines[i];
  expect_same_rows(fast.rows, dom.rows);
}

// The scan itself: what it takes (the usual message, keys found where expected) and declines.
TEST(JsonFlatPath, ScansFlatObjectsAndDeclinesTheRest) {
  FlatObject o;
  const std::vector<std::string_view> expected = {"id", "symbol"};
  ASSERT_TRUE(scan_flat_object(R"({"id":-5,"symbol":"Zürich AG","price":1.5e3,"ok":true,"n":null})",
                               expected, o));
  ASSERT_EQ(o.members.size(), 5u);
  EXPECT_TRUE(o.members[0].expected);
  EXPECT_TRUE(o.members[1].expected);
  EXPECT_FALSE(o.members[2].expected);
  EXPECT_EQ(o.members[0].value, "-5");
  EXPECT_EQ(o.members[0].kind, FlatKind::kInteger);
  EXPECT_EQ(o.members[1].value, "Zürich AG");
  EXPECT_EQ(o.members[2].kind, FlatKind::kNumber);
  EXPECT_EQ(o.members[3].kind, FlatKind::kTrue);
  EXPECT_EQ(o.members[4].kind, FlatKind::kNull);
  EXPECT_TRUE(o.non_ascii);
  ASSERT_TRUE(scan_flat_object(" { } ", expected, o));
  EXPECT_TRUE(o.members.empty());
  for (const char* declined :
       {R"({"a":"x\"y"})", R"({"a":[1]})", R"({"a":{}})", R"({"a":01})", R"({"a":1.})",
        R"({"a":-})", R"({"a":1} x)", R"({"a":1)", R"({"a" 1})", R"({"a":1,})", R"([1])",
        "{\"a\":\"\x01\"}", R"({"a\u0062":1})", R"({"a":tru})", ""}) {
    EXPECT_FALSE(scan_flat_object(declined, expected, o)) << declined;
  }
}

}  // namespace
}  // namespace sluice
