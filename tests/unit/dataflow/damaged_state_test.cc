// The snapshot decoder (StateReader) and a view table's restore, fed lengths and counts that
// run past the bytes there are: each is an error (SLC-4001) before anything is allocated by
// them, never a bad_alloc, a crash or a loop without end.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/state_codec.h"
#include "dataflow/view_table.h"

namespace sluice::dataflow {
namespace {

std::string with_count(int64_t count, std::string_view after = "") {
  StateWriter w;
  w.i64(count);
  std::string bytes = w.take();
  bytes.append(after);
  return bytes;
}

TEST(StateReader, AStringLongerThanWhatRemainsIsAnError) {
  for (int64_t length : {int64_t{1} << 40, INT64_MAX, int64_t{-1}, int64_t{6}}) {
    const std::string bytes = with_count(length, "abcde");
    StateReader r(bytes);
    std::string s;
    Status status = r.str(s);
    EXPECT_EQ(status.code(), ErrorCode::kDataCorrupt) << length;
    EXPECT_TRUE(s.empty());
  }
  const std::string five = with_count(5, "abcde");
  StateReader whole(five);
  std::string s;
  ASSERT_TRUE(whole.str(s).ok());
  EXPECT_EQ(s, "abcde");
  EXPECT_TRUE(whole.done());
}

TEST(StateReader, ACountIsCheckedAgainstWhatRemains) {
  int64_t n = 0;
  const std::string two = with_count(2, std::string(16, 'x'));
  StateReader fits(two);
  ASSERT_TRUE(fits.count(n, 8).ok());
  EXPECT_EQ(n, 2);
  const std::string three = with_count(3, std::string(16, 'x'));
  StateReader too_many(three);
  EXPECT_EQ(too_many.count(n, 8).code(), ErrorCode::kDataCorrupt);
  const std::string minus_one = with_count(-1);
  StateReader negative(minus_one);
  EXPECT_EQ(negative.count(n, 1).code(), ErrorCode::kDataCorrupt);
  const std::string short_count(3, '\0');
  StateReader truncated(short_count);
  EXPECT_EQ(truncated.count(n, 1).code(), ErrorCode::kDataCorrupt);
}

TEST(StateReader, AnUnknownTypeTagIsAnError) {
  const std::string bytes("\x7f\x00", 2);
  StateReader r(bytes);
  Value v;
  EXPECT_EQ(r.value(v).code(), ErrorCode::kDataCorrupt);
}

class ViewTableRestore : public ::testing::Test {
 protected:
  // One row of `width` values, held `copies` times, as ViewTable::snapshot writes it.
  static std::string row(int64_t copies, int64_t width, int values) {
    StateWriter w;
    w.i64(copies);
    w.i64(width);
    for (int i = 0; i < values; ++i) w.value(Value::Null(DataType::kInt64));
    return w.take();
  }
  ViewTable table_{make_schema({{"n", DataType::kInt64, true}})};
};

TEST_F(ViewTableRestore, AWholeRowComesBackWithItsCopies) {
  const std::string bytes = row(3, 1, 1);
  StateReader r(bytes);
  ASSERT_TRUE(table_.restore(r, 1, 10).ok());
  EXPECT_EQ(table_.size(), 3);
  EXPECT_EQ(table_.distinct_rows(), 1);
}

TEST_F(ViewTableRestore, AWidthPastTheBytesIsAnError) {
  for (int64_t width : {int64_t{1} << 40, int64_t{100000}, int64_t{-3}}) {
    const std::string bytes = row(1, width, 1);
    StateReader r(bytes);
    EXPECT_EQ(table_.restore(r, 1, 10).code(), ErrorCode::kDataCorrupt) << width;
  }
}

// A damaged multiplicity costs no time (it was once a loop of that many inserts).
TEST_F(ViewTableRestore, ADamagedMultiplicityIsAnErrorOrTakenAtOnce) {
  for (int64_t copies : {int64_t{0}, int64_t{-7}}) {
    const std::string bytes = row(copies, 1, 1);
    StateReader r(bytes);
    EXPECT_EQ(table_.restore(r, 1, 10).code(), ErrorCode::kDataCorrupt) << copies;
  }
  const std::string bytes = row(INT64_MAX, 1, 1);
  StateReader r(bytes);
  ASSERT_TRUE(table_.restore(r, 1, INT64_MAX).ok());
  EXPECT_EQ(table_.size(), INT64_MAX);
  // More copies than the rows the view has emitted: refused (SELECT would materialize them all).
  for (int64_t copies : {int64_t{11}, int64_t{1} << 40}) {
    const std::string many = row(copies, 1, 1);
    StateReader m(many);
    EXPECT_EQ(table_.restore(m, 1, 10).code(), ErrorCode::kDataCorrupt) << copies;
  }
  // Two rows whose copies overflow the table's size are damage too.
  StateWriter w;
  for (DataType type : {DataType::kInt64, DataType::kVarchar}) {
    w.i64(INT64_MAX);
    w.i64(1);
    w.value(Value::Null(type));
  }
  const std::string two = w.take();
  StateReader overflow(two);
  EXPECT_EQ(table_.restore(overflow, 2, INT64_MAX).code(), ErrorCode::kDataCorrupt);
}

TEST_F(ViewTableRestore, MoreRowsThanTheBytesHoldIsAnError) {
  const std::string bytes = row(1, 1, 1);
  StateReader r(bytes);
  EXPECT_EQ(table_.restore(r, 1000, 10).code(), ErrorCode::kDataCorrupt);
}

// The values of a restored row are checked as they are passed over (not built): each damage
// value() refuses is refused there too.
TEST_F(ViewTableRestore, AValueThatDoesNotReadIsAnError) {
  const auto one_value = [](const std::function<void(StateWriter&)>& value) {
    StateWriter w;
    w.i64(1);  // copies
    w.i64(1);  // width
    value(w);
    return w.take();
  };
  const std::vector<std::pair<DataType, std::string>> cases = {
      // An unknown type tag.
      {DataType::kInt64, one_value([](StateWriter& w) {
         w.u8(0x7f);
         w.u8(0);
         w.i64(1);
       })},
      // A DECIMAL(5, 2) of 10^5 units: past its precision.
      {DataType::Decimal(5, 2), one_value([](StateWriter& w) {
         w.type(DataType::Decimal(5, 2));
         w.u8(0);
         w.i128(100000);
       })},
      // A DECIMAL of an impossible precision.
      {DataType::Decimal(5, 2), one_value([](StateWriter& w) {
         w.u8(static_cast<uint8_t>(TypeId::kDecimal));
         w.u8(60);
         w.u8(2);
         w.u8(1);
       })},
      // A DATE past 32 bits of days.
      {DataType::kDate, one_value([](StateWriter& w) {
         w.type(DataType::kDate);
         w.u8(0);
         w.i64(int64_t{1} << 40);
       })},
      // A string longer than the bytes left.
      {DataType::kVarchar, one_value([](StateWriter& w) {
         w.type(DataType::kVarchar);
         w.u8(0);
         w.i64(1000);
         w.raw("abc");
       })},
      // A BIGINT cut short.
      {DataType::kInt64, one_value([](StateWriter& w) {
         w.type(DataType::kInt64);
         w.u8(0);
         w.raw("abc");
       })},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    ViewTable table(make_schema({{"v", cases[i].first, true}}));
    StateReader r(cases[i].second);
    EXPECT_EQ(table.restore(r, 1, 10).code(), ErrorCode::kDataCorrupt) << "case " << i;
  }
  // The same values in range read.
  const std::string fine =
      one_value([](StateWriter& w) { w.value(Value::Decimal(99999, DataType::Decimal(5, 2))); });
  ViewTable table(make_schema({{"v", DataType::Decimal(5, 2), true}}));
  StateReader r(fine);
  EXPECT_TRUE(table.restore(r, 1, 10).ok());
}

// A snapshot's rows are distinct: the same row twice, among thousands, is damage.
TEST_F(ViewTableRestore, TheSameRowTwiceIsAnError) {
  for (const int64_t twice : {int64_t{0}, int64_t{2345}, int64_t{4999}}) {
    StateWriter w;
    for (int64_t i = 0; i < 5000; ++i) {
      w.i64(1);
      w.i64(1);
      w.value(Value::Int64(i));
    }
    w.i64(1);
    w.i64(1);
    w.value(Value::Int64(twice));
    const std::string bytes = w.take();
    ViewTable table(make_schema({{"n", DataType::kInt64, true}}));
    StateReader r(bytes);
    const Status s = table.restore(r, 5001, 10000);
    EXPECT_EQ(s.code(), ErrorCode::kDataCorrupt) << twice;
    EXPECT_NE(s.message().find("a row twice"), std::string::npos) << s.message();
    StateReader again(bytes);
    EXPECT_TRUE(table.restore(again, 5000, 10000).ok());
    EXPECT_EQ(table.distinct_rows(), 5000);
  }
}

}  // namespace
}  // namespace sluice::dataflow
