// ValueMultiset: the order-preserving encoding of every type (byte order is value order, and a
// value decodes to itself), and the counts behind MIN/MAX/COUNT(DISTINCT) over changes.

#include "dataflow/agg_multiset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "sluice/column_builder.h"
#include "sluice/value.h"

namespace sluice::dataflow {
namespace {

// Values of one type in ascending order: each encodes above the one before, decodes to itself.
void expect_ordered(DataType type, const std::vector<Value>& ascending) {
  ColumnBuilder in(type);
  for (const Value& v : ascending) append_value(in, v);
  const Column column = in.finish();
  std::string previous;
  ColumnBuilder out(type);
  for (int64_t r = 0; r < column.length(); ++r) {
    std::string encoded;
    ValueMultiset::encode(encoded, column, r);
    if (r > 0) {
      EXPECT_LT(previous, encoded) << "row " << r << " of " << type_name(type);
    }
    ValueMultiset::decode_into(out, type, encoded);
    previous = encoded;
  }
  const Column decoded = out.finish();
  for (int64_t r = 0; r < column.length(); ++r) {
    EXPECT_EQ(Value::from_column(decoded, r), Value::from_column(column, r))
        << "row " << r << " of " << type_name(type);
  }
}

TEST(ValueMultiset, EncodingOrdersEveryTypeAsSqlDoes) {
  expect_ordered(DataType::kBoolean, {Value::Bool(false), Value::Bool(true)});
  expect_ordered(DataType::kInt32, {Value::Int32(INT32_MIN), Value::Int32(-1), Value::Int32(0),
                                    Value::Int32(1), Value::Int32(INT32_MAX)});
  expect_ordered(DataType::kDate, {Value::Date(-1), Value::Date(0), Value::Date(20000)});
  expect_ordered(DataType::kInt64, {Value::Int64(INT64_MIN), Value::Int64(-256), Value::Int64(-1),
                                    Value::Int64(0), Value::Int64(255), Value::Int64(INT64_MAX)});
  expect_ordered(DataType::kTimestamp, {Value::Timestamp(-5), Value::Timestamp(7)});
  expect_ordered(DataType::kInterval, {Value::Interval(-1000000), Value::Interval(1)});
  const double inf = std::numeric_limits<double>::infinity();
  expect_ordered(DataType::kDouble,
                 {Value::Double(-inf), Value::Double(-1e300), Value::Double(-1.5),
                  Value::Double(-std::numeric_limits<double>::denorm_min()), Value::Double(0),
                  Value::Double(std::numeric_limits<double>::denorm_min()), Value::Double(0.25),
                  Value::Double(1e300), Value::Double(inf)});
  const DataType dec = DataType::Decimal(38, 2);
  expect_ordered(dec, {Value::Decimal(-(static_cast<__int128>(1) << 100), dec),
                       Value::Decimal(-1, dec), Value::Decimal(0, dec), Value::Decimal(1, dec),
                       Value::Decimal(static_cast<__int128>(1) << 100, dec)});
  expect_ordered(DataType::kVarchar, {Value::Varchar(""), Value::Varchar("a"), Value::Varchar("ab"),
                                      Value::Varchar("b"), Value::Varchar("\xc3\xa9")});
}

TEST(ValueMultiset, NegativeZeroIsZeroAndNaNIsOneValueAboveEveryNumber) {
  ColumnBuilder in(DataType::kDouble);
  in.append_double(-0.0);
  in.append_double(0.0);
  in.append_double(std::nan("1"));
  in.append_double(-std::nan("2"));
  in.append_double(std::numeric_limits<double>::infinity());
  const Column c = in.finish();
  std::string e[5];
  for (int r = 0; r < 5; ++r) ValueMultiset::encode(e[r], c, r);
  EXPECT_EQ(e[0], e[1]);
  EXPECT_EQ(e[2], e[3]);
  EXPECT_LT(e[4], e[2]);
}

TEST(ValueMultiset, CountsEachValueAndKeepsTheExtremaAsRowsLeave) {
  ValueMultiset set;
  set.add("b");
  set.add("a");
  set.add("c");
  set.add("a");
  EXPECT_EQ(set.distinct(), 3u);
  EXPECT_EQ(set.least(), "a");
  EXPECT_EQ(set.greatest(), "c");
  EXPECT_TRUE(set.remove("a"));  // one of two: a stays the least
  EXPECT_EQ(set.least(), "a");
  EXPECT_TRUE(set.remove("a"));
  EXPECT_EQ(set.least(), "b");
  EXPECT_FALSE(set.remove("a"));  // no row holds it: nothing changes
  EXPECT_TRUE(set.remove("c"));
  EXPECT_EQ(set.greatest(), "b");
  EXPECT_EQ(set.distinct(), 1u);
  EXPECT_TRUE(set.remove("b"));
  EXPECT_TRUE(set.empty());
}

TEST(ValueMultiset, WrittenAndReadBackIsEqualAndDamageIsAnError) {
  ValueMultiset set;
  for (const char* v : {"x", "y", "y", "z"}) set.add(v);
  StateWriter w;
  set.write(w);
  ValueMultiset back;
  StateReader r(w.bytes());
  ASSERT_TRUE(back.read(r).ok());
  EXPECT_TRUE(r.done());
  StateWriter again;
  back.write(again);
  EXPECT_EQ(again.bytes(), w.bytes());

  // Out of order: refused, never misordered.
  StateWriter bad;
  bad.i64(2);
  bad.str("b");
  bad.i64(1);
  bad.str("a");
  bad.i64(1);
  StateReader bad_reader(bad.bytes());
  EXPECT_EQ(back.read(bad_reader).code(), ErrorCode::kDataCorrupt);
  // A count of zero rows: refused.
  StateWriter zero;
  zero.i64(1);
  zero.str("a");
  zero.i64(0);
  StateReader zero_reader(zero.bytes());
  EXPECT_EQ(back.read(zero_reader).code(), ErrorCode::kDataCorrupt);
}

}  // namespace
}  // namespace sluice::dataflow
