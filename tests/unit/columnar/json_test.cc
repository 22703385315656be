#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "columnar/decimal.h"
#include "columnar/row_decoder.h"
#include "columnar/row_encoder.h"
#include "columnar/timestamp.h"
#include "test_batches.h"

namespace sluice {
namespace {

SchemaPtr trades() {
  return make_schema({{"symbol", DataType::kVarchar, false},
                      {"price", DataType::kDouble, true},
                      {"volume", DataType::kInt64, true},
                      {"ts", DataType::kTimestamp, true}});
}

TEST(JsonDecoder, DecodesTypesNullsAndMissingKeys) {
  Result<RecordBatch> r = decode_json_lines(
      trades(), R"({"symbol":"AAPL","price":1.5,"volume":100,"ts":"2026-11-24T10:00:00Z"}
{"ts":1795514400000,"symbol":"MSFT","price":2}

{"symbol":"Ünïcødé ☃","volume":null,"extra":{"ignored":[1,2]}}
)");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const RecordBatch& b = *r;
  ASSERT_EQ(b.num_rows(), 3);
  EXPECT_EQ(b.column(0).string_value(2), "Ünïcødé ☃");
  EXPECT_DOUBLE_EQ(b.column(1).double_value(1), 2.0);
  EXPECT_TRUE(b.column(1).is_null(2));
  EXPECT_TRUE(b.column(2).is_null(1));
  EXPECT_TRUE(b.column(2).is_null(2));
  EXPECT_EQ(b.column(3).int64_value(0), b.column(3).int64_value(1));
  EXPECT_TRUE(b.column(3).is_null(2));
}

TEST(JsonDecoder, KeysMatchColumnsCaseInsensitively) {
  Result<RecordBatch> r = decode_json_lines(trades(), R"({"SYMBOL":"A","Price":3})");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->column(1).double_value(0), 3);
}

struct BadCase {
  const char* line;
  ErrorCode code;
  const char* text;  // expected in to_string()
};

TEST(JsonDecoder, BadInputNamesTheLineFieldAndExpectation) {
  const std::vector<BadCase> cases = {
      {R"({"symbol":"A","price":"cheap"})", ErrorCode::kValueConversion,
       "at line 2, field 'price': expected a number, got a string"},
      {R"({"symbol":"A","volume":1.5})", ErrorCode::kValueConversion,
       "at line 2, field 'volume': value 1.5 does not fit BIGINT"},
      {R"({"price":1})", ErrorCode::kMissingValue, "at line 2, field 'symbol': missing value"},
      {R"({"symbol":null})", ErrorCode::kMissingValue, "field 'symbol': null for a NOT NULL"},
      {R"({"symbol":"A","ts":"yesterday"})", ErrorCode::kInvalidTimestamp,
       "field 'ts': invalid timestamp 'yesterday'"},
      {R"({"symbol":"A","price":1)", ErrorCode::kJsonParse, "at line 2: "},
      {R"([1,2,3])", ErrorCode::kJsonParse, "expected a JSON object, got an array"},
      {"{\"symbol\":\"\xff\xfe\"}", ErrorCode::kInvalidUtf8, "at line 2"},
      {R"({"symbol":"A","symbol":"B"})", ErrorCode::kJsonParse,
       "field 'symbol': key appears twice"},
      {R"({"symbol":"A","volume":99999999999999999999})", ErrorCode::kJsonParse, "at line 2"},
  };
  for (const BadCase& c : cases) {
    const std::string text = std::string(R"({"symbol":"ok"})") + "\n" + c.line + "\n";
    Result<RecordBatch> r = decode_json_lines(trades(), text);
    ASSERT_FALSE(r.ok()) << c.line;
    EXPECT_EQ(r.status().code(), c.code) << c.line << " → " << r.status().to_string();
    EXPECT_NE(r.status().to_string().find(c.text), std::string::npos)
        << c.line << " → " << r.status().to_string();
  }
}

TEST(JsonDecoder, IntRangeIsChecked) {
  SchemaPtr s = make_schema({{"n", DataType::kInt32}});
  EXPECT_TRUE(decode_json_lines(s, R"({"n":2147483647})").ok());
  Result<RecordBatch> r = decode_json_lines(s, R"({"n":2147483648})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("does not fit INT"), std::string::npos);
}

TEST(JsonDecoder, SkipModeCountsBadLinesAndKeepsTheGoodOnes) {
  auto decoder = make_json_lines_decoder(trades());
  std::vector<std::string> errors;
  auto on_error = [&](const Status& s) {
    errors.push_back(s.to_string());
    return true;
  };
  Result<size_t> n = decoder->append(
      "{\"symbol\":\"A\"}\n{\"symbol\":\n{\"symbol\":\"B\",\"price\":\"x\"}\n{\"symbol\":\"C\"}\n",
      true, on_error);
  ASSERT_TRUE(n.ok());
  RecordBatch b = decoder->finish();
  ASSERT_EQ(b.num_rows(), 2);
  EXPECT_EQ(b.column(0).string_value(1), "C");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("line 2"), std::string::npos);
  EXPECT_NE(errors[1].find("line 3, field 'price'"), std::string::npos);
}

TEST(JsonDecoder, LeavesAnUnfinishedLastLineUnlessFinal) {
  auto decoder = make_json_lines_decoder(trades());
  const std::string text = "{\"symbol\":\"A\"}\n{\"symbol\":\"B";
  Result<size_t> n = decoder->append(text, false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 15u);
  EXPECT_EQ(decoder->num_rows(), 1);
  EXPECT_EQ(decoder->next_line(), 2);
  n = decoder->append(text.substr(*n) + "\"}\n", false);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(decoder->num_rows(), 2);
}

TEST(JsonDecoder, NothingCrashesOnTruncatedInput) {
  const std::string good =
      R"({"symbol":"AAPL","price":1.5,"volume":100,"ts":"2026-11-24T10:00:00.123+01:00"})";
  for (size_t cut = 0; cut < good.size(); ++cut) {
    Result<RecordBatch> r = decode_json_lines(trades(), good.substr(0, cut));
    if (cut == 0) {
      EXPECT_TRUE(r.ok());
    } else {
      EXPECT_FALSE(r.ok()) << good.substr(0, cut);
    }
  }
}

TEST(JsonEncoder, EscapesStringsAndWritesNullsForNonFiniteNumbers) {
  BatchBuilder b(make_schema({{"s", DataType::kVarchar},
                              {"d", DataType::kDouble},
                              {"ok", DataType::kBoolean},
                              {"t", DataType::kTimestamp}}));
  b.column(0).append_string(std::string("q\"b\\n\nt\tc\x01 é", 13));
  b.column(1).append_double(std::numeric_limits<double>::quiet_NaN());
  b.column(2).append_bool(true);
  b.column(3).append_int64(1'795'514'400'123'000);
  b.column(0).append_null();
  b.column(1).append_double(-std::numeric_limits<double>::infinity());
  b.column(2).append_null();
  b.column(3).append_null();
  b.column(0).append_string("");
  b.column(1).append_double(0.1);
  b.column(2).append_bool(false);
  b.column(3).append_int64(0);
  RecordBatch batch = b.finish();
  JsonLinesEncoder encoder(*batch.schema());
  std::string out;
  encoder.encode(batch, out);
  EXPECT_EQ(out,
            "{\"s\":\"q\\\"b\\\\n\\nt\\tc\\u0001 é\",\"d\":null,\"ok\":true,"
            "\"t\":\"2026-11-24T10:00:00.123Z\"}\n"
            "{\"s\":null,\"d\":null,\"ok\":null,\"t\":null}\n"
            "{\"s\":\"\",\"d\":0.1,\"ok\":false,\"t\":\"1970-01-01T00:00:00Z\"}\n");
}

// The encoder writes each row into room it reserves for the row's widest possible text: the
// widest value of every type is written whole (ASan would see a write past the room).
TEST(JsonEncoder, TheWidestValueOfEveryTypeIsWrittenWhole) {
  BatchBuilder b(make_schema({{"s", DataType::kVarchar},
                              {"i", DataType::kInt32},
                              {"l", DataType::kInt64},
                              {"d", DataType::kDouble},
                              {"b", DataType::kBoolean},
                              {"t", DataType::kTimestamp},
                              {"iv", DataType::kInterval},
                              {"dt", DataType::kDate},
                              {"dec", DataType::Decimal(38, 38)}}));
  b.column(0).append_string(std::string(40, '\x01'));  // \u0001 each: 6 bytes a byte
  b.column(1).append_int32(std::numeric_limits<int32_t>::min());
  b.column(2).append_int64(std::numeric_limits<int64_t>::min());
  b.column(3).append_double(-std::numeric_limits<double>::min());
  b.column(4).append_bool(false);
  b.column(5).append_int64(std::numeric_limits<int64_t>::min());
  b.column(6).append_int64(std::numeric_limits<int64_t>::min());
  b.column(7).append_int32(std::numeric_limits<int32_t>::min());
  b.column(8).append_decimal(-(decimal::pow10(38) - 1));
  RecordBatch batch = b.finish();
  std::string want = "{\"s\":\"";
  for (int i = 0; i < 40; ++i) want += "\\u0001";
  want +=
      "\",\"i\":-2147483648,\"l\":-9223372036854775808,\"d\":-2.2250738585072014e-308,"
      "\"b\":false,\"t\":\"" +
      format_timestamp(std::numeric_limits<int64_t>::min()) + "\",\"iv\":\"";
  append_interval(std::numeric_limits<int64_t>::min(), want);
  want += "\",\"dt\":\"";
  append_date(std::numeric_limits<int32_t>::min(), want);
  want += "\",\"dec\":-0." + std::string(38, '9') + "}\n";
  std::string out;
  JsonLinesEncoder(*batch.schema()).encode(batch, out);
  EXPECT_EQ(out, want);
  EXPECT_NE(out.find("\"t\":\"-290308-12-21T19:59:05.224192Z\""), std::string::npos);
}

TEST(JsonEncoder, AppendsIntoTheCallersBuffer) {
  RecordBatch batch = test::all_types_batch(20);
  JsonLinesEncoder encoder(*batch.schema());
  std::string out = "prefix\n";
  encoder.encode(batch.slice(0, 10), out);
  const size_t first = out.size();
  encoder.encode(batch.slice(10, 10), out);
  EXPECT_TRUE(out.starts_with("prefix\n{\"b\":true,"));
  EXPECT_GT(out.size(), first);
  out.clear();
  const size_t capacity = out.capacity();
  encoder.encode(batch, out);
  EXPECT_GE(out.capacity(), capacity);
}

TEST(JsonCodec, EncodeThenDecodeIsIdentity) {
  RecordBatch batch = test::all_types_batch(200);
  JsonLinesEncoder encoder(*batch.schema());
  std::string text;
  encoder.encode(batch, text);
  // INTERVAL is written as an ISO duration but read as milliseconds, so compare without it.
  SchemaPtr schema = make_schema(
      std::vector<Field>(batch.schema()->fields().begin(), batch.schema()->fields().end() - 1));
  Result<RecordBatch> back = decode_json_lines(schema, text);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  ASSERT_EQ(back->num_rows(), batch.num_rows());
  for (int c = 0; c < schema->num_fields(); ++c) {
    EXPECT_TRUE(back->column(c).equals(batch.column(c))) << schema->field(c).name;
  }
}

}  // namespace
}  // namespace sluice
