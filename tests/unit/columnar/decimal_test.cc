// DECIMAL and DATE in the columnar layer: the decimal arithmetic helpers' edges (38 digits,
// scale alignment, rounding of negatives), and the codecs carrying both types exactly (JSON in
// and out, CSV, Arrow's "d:p,s" and "tdD").

#include "columnar/decimal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "columnar/row_decoder.h"
#include "columnar/row_encoder.h"
#include "columnar/timestamp.h"
#include "sluice/arrow.h"
#include "sluice/batch_builder.h"
#include "sluice/value.h"

namespace sluice {
namespace {

using decimal::int128;

int128 parse(std::string_view text, int precision, int scale) {
  auto v = decimal::parse(text, DataType::Decimal(precision, scale));
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().to_string();
  return v.ok() ? *v : 0;
}

std::string str(int128 v, int scale) {
  return decimal::to_string(v, scale);
}

TEST(Decimal, ParsesAndPrintsExactly) {
  EXPECT_EQ(str(parse("12345678901234567890.12", 38, 2), 2), "12345678901234567890.12");
  EXPECT_EQ(str(parse("-0.05", 10, 2), 2), "-0.05");
  EXPECT_EQ(str(parse("+7", 10, 3), 3), "7.000");
  EXPECT_EQ(str(parse(".5", 10, 1), 1), "0.5");
  EXPECT_EQ(str(parse("1.5e3", 10, 0), 0), "1500");
  EXPECT_EQ(str(parse("125E-2", 10, 2), 2), "1.25");
  EXPECT_EQ(str(parse("-0.000", 10, 2), 2), "0.00");
  EXPECT_EQ(str(parse("00012.10", 5, 2), 2), "12.10");
  const std::string nines(38, '9');
  EXPECT_EQ(str(parse(nines, 38, 0), 0), nines);
  EXPECT_EQ(str(parse("-" + nines, 38, 0), 0), "-" + nines);
  EXPECT_EQ(str(parse("0." + nines, 38, 38), 38), "0." + nines);
}

TEST(Decimal, ParseRoundsHalfAwayFromZeroAtTheScale) {
  EXPECT_EQ(str(parse("2.345", 10, 2), 2), "2.35");
  EXPECT_EQ(str(parse("-2.345", 10, 2), 2), "-2.35");
  EXPECT_EQ(str(parse("2.3449999", 10, 2), 2), "2.34");
  EXPECT_EQ(str(parse("-0.005", 10, 2), 2), "-0.01");
  EXPECT_EQ(str(parse("0.004", 10, 2), 2), "0.00");
  EXPECT_EQ(str(parse("0.0000000000000000000000000000000000000000005", 10, 2), 2), "0.00");
  EXPECT_EQ(str(parse("9.995", 4, 2), 2), "10.00");  // rounding may add an integer digit
}

TEST(Decimal, TooManyDigitsIsOutOfRangeAndTextIsConversion) {
  const DataType t = DataType::Decimal(5, 2);
  EXPECT_EQ(decimal::parse("1000", t).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(decimal::parse("999.995", t).status().code(), ErrorCode::kOutOfRange);
  EXPECT_TRUE(decimal::parse("999.994", t).ok());
  EXPECT_EQ(decimal::parse(std::string(39, '9'), DataType::Decimal(38, 0)).status().code(),
            ErrorCode::kOutOfRange);
  EXPECT_EQ(decimal::parse("1e40", DataType::Decimal(38, 0)).status().code(),
            ErrorCode::kOutOfRange);
  for (const char* bad : {"", "-", ".", "1.2.3", "12,5", "1e", "abc", "1 2", "0x10", "NaN"}) {
    EXPECT_EQ(decimal::parse(bad, t).status().code(), ErrorCode::kValueConversion) << bad;
  }
}

TEST(Decimal, RescaleAlignsAndRoundsNegativesAwayFromZero) {
  int128 out;
  ASSERT_TRUE(decimal::rescale(1234, 2, 4, out));
  EXPECT_EQ(str(out, 4), "12.3400");
  ASSERT_TRUE(decimal::rescale(-1235, 3, 2, out));
  EXPECT_EQ(str(out, 2), "-1.24");
  ASSERT_TRUE(decimal::rescale(-1234, 3, 2, out));
  EXPECT_EQ(str(out, 2), "-1.23");
  ASSERT_TRUE(decimal::rescale(1, 0, 37, out));
  EXPECT_FALSE(decimal::rescale(10, 0, 38, out)) << "10^39 does not fit 38 digits";
  EXPECT_FALSE(decimal::rescale(decimal::pow10(37), 0, 1, out));
  // A division's dividend may be asked to move past 38 digits (scale 0 to 38 + 38).
  EXPECT_FALSE(decimal::rescale(1, 0, 76, out));
  ASSERT_TRUE(decimal::rescale(0, 0, 76, out));
  EXPECT_EQ(out, 0);
  ASSERT_TRUE(decimal::rescale(decimal::pow10(38) - 1, 38, 0, out));
  EXPECT_EQ(out, 1);
}

TEST(Decimal, DivisionRoundsHalfAwayFromZero) {
  EXPECT_EQ(decimal::divide_rounded(5, 2), 3);
  EXPECT_EQ(decimal::divide_rounded(-5, 2), -3);
  EXPECT_EQ(decimal::divide_rounded(5, -2), -3);
  EXPECT_EQ(decimal::divide_rounded(-5, -2), 3);
  EXPECT_EQ(decimal::divide_rounded(4, 3), 1);
  EXPECT_EQ(decimal::divide_rounded(-2, 3), -1);
  EXPECT_EQ(decimal::divide_rounded(-1, 3), 0);
  const int128 max = decimal::pow10(38) - 1;
  EXPECT_EQ(decimal::divide_rounded(max, max), 1);
  EXPECT_EQ(decimal::divide_rounded(max, 2), decimal::pow10(38) / 2);
}

TEST(Decimal, DivideIsExactWhereTheShiftedDividendWouldOverflow) {
  int128 out;
  // 10^37 / 10^36 at scale 6: the dividend shifted by 6 digits has 44; the quotient 10.000000.
  ASSERT_TRUE(decimal::divide(decimal::pow10(37), 0, decimal::pow10(36), 0, 6, out));
  EXPECT_EQ(str(out, 6), "10.000000");
  // 2 / 3 at scale 6, both ways of computing it, and negatives half away from zero.
  ASSERT_TRUE(decimal::divide(200, 2, 300, 2, 6, out));
  EXPECT_EQ(str(out, 6), "0.666667");
  const int128 big = decimal::pow10(38) - 1;                      // 38 nines
  ASSERT_TRUE(decimal::divide(-big, 0, big / 9 * 3, 0, 6, out));  // -(10^38 - 1) / (3.33…3 × 10^37)
  EXPECT_EQ(str(out, 6), "-3.000000");
  ASSERT_TRUE(decimal::divide(-2, 0, decimal::pow10(37) * 3, 0, 38, out));
  EXPECT_EQ(str(out, 38), "-0.00000000000000000000000000000000000007");  // 6.67e-38, rounded
  ASSERT_TRUE(decimal::divide(big, 38, big, 38, 6, out));
  EXPECT_EQ(str(out, 6), "1.000000");
  EXPECT_FALSE(decimal::divide(big, 38, big, 38, 38, out)) << "1 has no room at scale 38";
  // A quotient of more than 38 digits is refused, by either path.
  EXPECT_FALSE(decimal::divide(big, 0, 1, 0, 6, out));
  EXPECT_FALSE(decimal::divide(decimal::pow10(37), 0, 3, 0, 6, out));
}

TEST(Decimal, FitsIsStrictlyBelowTenToThePrecision) {
  EXPECT_TRUE(decimal::fits(decimal::pow10(38) - 1, 38));
  EXPECT_FALSE(decimal::fits(decimal::pow10(38), 38));
  EXPECT_FALSE(decimal::fits(-decimal::pow10(38), 38));
  EXPECT_TRUE(decimal::fits(-99999, 5));
  EXPECT_FALSE(decimal::fits(100000, 5));
}

TEST(Decimal, DoublesAndIntegersConvert) {
  int128 out;
  ASSERT_TRUE(decimal::from_double(0.1, DataType::Decimal(10, 2), out));
  EXPECT_EQ(str(out, 2), "0.10");
  ASSERT_TRUE(decimal::from_double(-2.675, DataType::Decimal(10, 2), out));
  EXPECT_EQ(str(out, 2), "-2.68") << "from the double's shortest form, 2.675, half away from 0";
  EXPECT_FALSE(decimal::from_double(1e20, DataType::Decimal(10, 2), out));
  EXPECT_FALSE(decimal::from_double(std::nan(""), DataType::Decimal(10, 2), out));
  EXPECT_DOUBLE_EQ(decimal::to_double(1234, 2), 12.34);
  ASSERT_TRUE(decimal::from_integer(INT64_MIN, DataType::Decimal(19, 0), out));
  EXPECT_EQ(str(out, 0), "-9223372036854775808");
  EXPECT_FALSE(decimal::from_integer(100, DataType::Decimal(3, 1), out));
  int64_t i;
  ASSERT_TRUE(decimal::to_integer(-250, 2, i));
  EXPECT_EQ(i, -3);
  EXPECT_FALSE(decimal::to_integer(decimal::pow10(30), 0, i));
}

TEST(Decimal, TypeOfTextIsTheSmallestExactOne) {
  EXPECT_EQ(decimal::type_of_text("12.340"), DataType::Decimal(5, 3));
  EXPECT_EQ(decimal::type_of_text("-0.5"), DataType::Decimal(1, 1));
  EXPECT_EQ(decimal::type_of_text("007"), DataType::Decimal(1, 0));
  EXPECT_FALSE(decimal::type_of_text("1e5").has_value());
  EXPECT_FALSE(decimal::type_of_text(std::string(39, '1')).has_value());
}

TEST(DataType, DecimalEqualityIncludesPrecisionAndScaleButKindTestsDoNot) {
  const DataType a = DataType::Decimal(10, 2), b = DataType::Decimal(12, 2);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, DataType::Decimal(10, 2));
  EXPECT_TRUE(a == DataType::kDecimal && b == DataType::kDecimal);
  EXPECT_EQ(type_name(a), "DECIMAL(10,2)");
  EXPECT_EQ(fixed_width(a), 16);
  EXPECT_EQ(parse_type_name("numeric"), DataType::Decimal(18, 3));
  EXPECT_EQ(parse_type_name("date"), DataType(DataType::kDate));
  EXPECT_TRUE(check_decimal(38, 38).empty());
  EXPECT_FALSE(check_decimal(39, 0).empty());
  EXPECT_FALSE(check_decimal(5, 6).empty());
  EXPECT_FALSE(check_decimal(0, 0).empty());
}

TEST(Date, ParsesAndPrints) {
  EXPECT_EQ(*parse_date("1970-01-01"), 0);
  EXPECT_EQ(*parse_date(" 2024-02-29 "), 19782);
  EXPECT_EQ(*parse_date("1969-12-31"), -1);
  std::string out;
  append_date(19782, out);
  EXPECT_EQ(out, "2024-02-29");
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-1-01", "2024-01-01T00:00:00", ""}) {
    EXPECT_EQ(parse_date(bad).status().code(), ErrorCode::kInvalidTimestamp) << bad;
  }
}

SchemaPtr money_schema() {
  return make_schema({{"amount", DataType::Decimal(38, 2)}, {"day", DataType::kDate}});
}

TEST(DecimalCodecs, JsonNumbersAndStringsArriveExactlyAndLeaveAsNumbers) {
  // Beyond 64 bits (simdjson refuses such integers: the line is read again, quoted) and beyond
  // a double's 17 digits.
  Result<RecordBatch> r = decode_json_lines(money_schema(),
                                            R"({"amount":12345678901234567890.12,"day":"2024-01-31"}
{"amount":"-0.30","day":null}
{"amount":123456789012345678901234567890123456,"day":"1970-01-01"}
{"day":"1969-12-31","amount":1e-2}
)");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->num_rows(), 4);
  std::string out;
  JsonLinesEncoder(*money_schema()).encode(*r, out);
  EXPECT_EQ(out,
            "{\"amount\":12345678901234567890.12,\"day\":\"2024-01-31\"}\n"
            "{\"amount\":-0.30,\"day\":null}\n"
            "{\"amount\":123456789012345678901234567890123456.00,\"day\":\"1970-01-01\"}\n"
            "{\"amount\":0.01,\"day\":\"1969-12-31\"}\n");
  std::string csv;
  CsvEncoder(*money_schema(), {}).encode(*r, csv);
  EXPECT_EQ(csv,
            "12345678901234567890.12,2024-01-31\n-0.30,\n"
            "123456789012345678901234567890123456.00,1970-01-01\n0.01,1969-12-31\n");
}

TEST(DecimalCodecs, JsonValuesThatDoNotFitAreErrors) {
  auto big = decode_json_lines(money_schema(), R"({"amount":1e40})");
  EXPECT_EQ(big.status().code(), ErrorCode::kOutOfRange) << big.status().to_string();
  auto boolean = decode_json_lines(money_schema(), R"({"amount":true})");
  EXPECT_EQ(boolean.status().code(), ErrorCode::kValueConversion);
  auto day = decode_json_lines(money_schema(), R"({"day":20240131})");
  EXPECT_EQ(day.status().code(), ErrorCode::kValueConversion);
  // A number too long for simdjson in a column that is not a DECIMAL stays a JSON error.
  auto other = decode_json_lines(make_schema({{"n", DataType::kInt64}}),
                                 R"({"n":123456789012345678901234567890})");
  EXPECT_EQ(other.status().code(), ErrorCode::kJsonParse);
}

TEST(DecimalCodecs, MalformedLinesWithLongNumbersAreJsonErrors) {
  // A number simdjson refuses sends the line to the member scanner, which must stop at the
  // line's end whatever it holds: an escaped quote, a string or key left open, a backslash
  // last, a member without ':' (the fuzzer found the first reading past the end).
  for (const char* line : {R"({"amount":999\"99999999999999999999.99})",
                           R"({"amount":123456789012345678901234567890,"day":"x\)",
                           R"({"amount":123456789012345678901234567890,"da)",
                           R"({"amount":123456789012345678901234567890,"day")",
                           R"({"amount":123456789012345678901234567890,"day"  )",
                           R"({"amount":123456789012345678901234567890,"day" 5})",
                           R"({"amount":123456789012345678901234567890\)"}) {
    auto r = decode_json_lines(money_schema(), line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.status().code(), ErrorCode::kJsonParse) << line;
  }
}

TEST(DecimalCodecs, CsvFieldsParseExactly) {
  CsvOptions options;
  options.header = true;
  auto r =
      decode_csv(money_schema(), "amount,day\n-12345678901234567890.125,2024-01-31\n", options);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(Value::from_column(r->column(0), 0).to_string(), "-12345678901234567890.13");
  EXPECT_EQ(Value::from_column(r->column(1), 0).to_string(), "2024-01-31");
}

TEST(DecimalCodecs, ArrowRoundTripUsesDecimal128AndDate32) {
  BatchBuilder b(money_schema());
  b.column(0).append_decimal(-decimal::pow10(37) - 5);
  b.column(0).append_null();
  b.column(1).append_int32(19753);
  b.column(1).append_int32(-1);
  RecordBatch batch = b.finish();
  ArrowArray array;
  ArrowSchema schema;
  ASSERT_TRUE(export_record_batch(batch, &array, &schema).ok());
  ASSERT_EQ(schema.n_children, 2);
  EXPECT_STREQ(schema.children[0]->format, "d:38,2");
  EXPECT_STREQ(schema.children[1]->format, "tdD");
  Result<RecordBatch> back = import_record_batch(&array, &schema);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->schema()->field(0).type, DataType::Decimal(38, 2));
  EXPECT_TRUE(back->column(0).equals(batch.column(0)));
  EXPECT_TRUE(back->column(1).equals(batch.column(1)));
  EXPECT_EQ(Value::from_column(back->column(0), 0).to_string(),
            "-100000000000000000000000000000000000.05");
}

TEST(DecimalCodecs, SlicesAndTakesKeepSixteenByteValues) {
  BatchBuilder b(money_schema());
  for (int i = 0; i < 5; ++i) {
    b.column(0).append_decimal(decimal::pow10(30) * i + i);
    b.column(1).append_int32(i);
  }
  RecordBatch batch = b.finish();
  const Column s = batch.column(0).slice(2, 3);
  EXPECT_EQ(s.decimal_value(1), decimal::pow10(30) * 3 + 3);
  const uint32_t idx[] = {4, 0};
  const Column t = batch.column(0).take(idx);
  EXPECT_EQ(t.decimal_value(0), decimal::pow10(30) * 4 + 4);
  EXPECT_EQ(t.decimal_value(1), 0);
}

}  // namespace
}  // namespace sluice
