// The binary COPY encoder, byte for byte against the format PostgreSQL documents.
#include "connectors/postgres/copy_encoder.h"

#include <gtest/gtest.h>

#include "sluice/batch_builder.h"

namespace sluice::connectors::postgres {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(CopyEncoder, HeaderAndTrailer) {
  EXPECT_EQ(CopyEncoder::header(), bytes({'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0,
                                          0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(CopyEncoder::trailer(), bytes({0xff, 0xff}));
}

TEST(CopyEncoder, EveryWireTypeAndNull) {
  BatchBuilder b(make_schema({{"b", DataType::kBoolean, true},
                              {"i", DataType::kInt32, true},
                              {"l", DataType::kInt64, true},
                              {"d", DataType::kDouble, true},
                              {"s", DataType::kVarchar, true},
                              {"ts", DataType::kTimestamp, true},
                              {"iv", DataType::kInterval, true},
                              {"w", DataType::kInt32, true}}));
  b.column(0).append_bool(true);
  b.column(1).append_int32(-2);
  b.column(2).append_int64(258);
  b.column(3).append_double(1.0);
  b.column(4).append_string("é");
  b.column(5).append_int64(kPostgresEpochShiftMicros + 1);  // 2000-01-01 00:00:00.000001
  b.column(6).append_int64(3);
  b.column(7).append_null();
  const RecordBatch batch = b.finish();
  CopyEncoder encoder({{0, WireType::kBool},
                       {1, WireType::kInt4},
                       {2, WireType::kInt8},
                       {3, WireType::kFloat8},
                       {4, WireType::kText},
                       {5, WireType::kTimestamp},
                       {6, WireType::kInterval},
                       {7, WireType::kInt8}},
                      -1, false);
  std::string out;
  int64_t seq = 0;
  encoder.encode(batch, out, seq);
  const std::string want =
      bytes({0, 8}) +                                                         // 8 fields
      bytes({0, 0, 0, 1, 1}) +                                                // true
      bytes({0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfe}) +                           // -2
      bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2}) +                           // 258
      bytes({0, 0, 0, 8, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}) +                     // 1.0
      bytes({0, 0, 0, 2, 0xc3, 0xa9}) +                                       // "é"
      bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1}) +                           // 1 µs after 2000
      bytes({0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0}) +  // 3 µs
      bytes({0xff, 0xff, 0xff, 0xff});                                        // NULL
  EXPECT_EQ(out, want);
}

TEST(CopyEncoder, StageFieldsNumberRowsAndMarkDeletes) {
  BatchBuilder b(make_schema({{"k", DataType::kInt32, false}, {"_op", DataType::kVarchar, false}}));
  b.column(0).append_int32(1);
  b.column(1).append_string("insert");
  b.column(0).append_int32(1);
  b.column(1).append_string("delete");
  CopyEncoder encoder({{0, WireType::kInt4}}, 1, true);
  std::string out;
  int64_t seq = 7;
  encoder.encode(b.finish(), out, seq);
  const std::string row1 = bytes({0, 3, 0, 0, 0, 4, 0, 0, 0, 1}) +
                           bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7}) + bytes({0, 0, 0, 1, 0});
  const std::string row2 = bytes({0, 3, 0, 0, 0, 4, 0, 0, 0, 1}) +
                           bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 8}) + bytes({0, 0, 0, 1, 1});
  EXPECT_EQ(out, row1 + row2);
  EXPECT_EQ(seq, 9);
}

}  // namespace
}  // namespace sluice::connectors::postgres

namespace sluice::connectors::postgres {
namespace {

// PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits without
// leading or trailing zero digits; and date as days since 2000-01-01.
TEST(CopyEncoder, DecimalsAsBinaryNumericAndDatesAsDays) {
  BatchBuilder b(make_schema({{"x", DataType::Decimal(38, 1)}, {"d", DataType::kDate}}));
  b.column(0).append_decimal(123456789);  // 12345678.9
  b.column(1).append_int32(10957);        // 2000-01-01
  b.column(0).append_decimal(-5);         // -0.5
  b.column(1).append_int32(10956);        // 1999-12-31
  b.column(0).append_decimal(0);
  b.column(1).append_int32(0);            // 1970-01-01
  b.column(0).append_decimal(100000000);  // 10000000.0: trailing zero digits dropped
  b.column(1).append_null();
  CopyEncoder encoder({{0, WireType::kNumeric}, {1, WireType::kDate}}, -1, false);
  std::string out;
  int64_t seq = 0;
  encoder.encode(b.finish(), out, seq);
  const std::string want =
      bytes({0, 2}) + bytes({0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 1}) +  // 3 digits, weight 1
      bytes({0x04, 0xd2, 0x16, 0x2e, 0x23, 0x28}) +                   // 1234 5678 9000
      bytes({0, 0, 0, 4, 0, 0, 0, 0}) +                               // day 0 of PostgreSQL
      bytes({0, 2}) + bytes({0, 0, 0, 10, 0, 1, 0xff, 0xff, 0x40, 0, 0, 1}) +  // weight -1, -
      bytes({0x13, 0x88}) +                                                    // 5000
      bytes({0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff}) +                            // day -1
      bytes({0, 2}) + bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1}) +            // zero
      bytes({0, 0, 0, 4, 0xff, 0xff, 0xd5, 0x33}) +                            // -10957
      bytes({0, 2}) + bytes({0, 0, 0, 10, 0, 1, 0, 1, 0, 0, 0, 1}) +           // 1000 0000
      bytes({0x03, 0xe8}) + bytes({0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace sluice::connectors::postgres
