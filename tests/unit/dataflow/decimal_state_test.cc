// DECIMAL and DATE in operator state: an aggregate's exact sums, its MIN/MAX/FIRST values and
// its DATE keys survive a snapshot and restore, and damaged decimal tags are errors.

#include <gtest/gtest.h>

#include "columnar/decimal.h"
#include "dataflow/aggregate_operator.h"
#include "dataflow/operator.h"
#include "dataflow/state_codec.h"
#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "support/bind_over_source.h"

namespace sluice::dataflow {
namespace {

SchemaPtr input_schema() {
  return make_schema({{"day", DataType::kDate},
                      {"amount", DataType::Decimal(20, 2)},
                      {"ts", DataType::kTimestamp}});
}

std::unique_ptr<AggregateOperator> make(std::string_view select) {
  auto q = bind_over_source(select, input_schema(), 2);
  return q ? std::make_unique<AggregateOperator>(std::move(q), false) : nullptr;
}

// Rows of (day, amount in cents, seconds).
RecordBatch batch(const std::vector<std::tuple<int32_t, int64_t, int64_t>>& rows) {
  BatchBuilder b(input_schema());
  for (const auto& [day, cents, ts] : rows) {
    b.column(0).append_int32(day);
    b.column(1).append_decimal(static_cast<__int128>(cents) * 100'000'000'000'000);
    b.column(2).append_int64(ts * 1'000'000);
  }
  return b.finish();
}

std::string text(const std::vector<RecordBatch>& out) {
  std::string s;
  for (const RecordBatch& b : out) s += b.to_string();
  return s;
}

constexpr const char* kQuery =
    "SELECT day, SUM(amount) AS total, AVG(amount) AS mean, MIN(amount) AS lo, "
    "MAX(amount) AS hi, FIRST_VALUE(amount) AS first, COUNT(DISTINCT amount) AS nd "
    "FROM t GROUP BY day, SESSION(ts, INTERVAL '10' SECOND)";

TEST(DecimalState, RestoredDecimalAggregatesContinueExactly) {
  const auto first = batch({{19753, 1, 100}, {19753, -3, 105}, {-1, 7, 101}, {19753, 2, 130}});
  const auto second = batch({{19753, 5, 112}, {-1, 9, 108}, {0, 1, 131}});

  auto reference = make(kQuery);
  std::vector<RecordBatch> expected;
  ASSERT_TRUE(reference->process(first, expected).ok());
  ASSERT_TRUE(reference->process(second, expected).ok());
  ASSERT_TRUE(reference->on_watermark(kFinalWatermark, expected).ok());

  auto before = make(kQuery);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(before->process(first, out).ok());
  StateWriter writer;
  before->snapshot(writer);
  auto after = make(kQuery);
  StateReader reader(writer.bytes());
  ASSERT_TRUE(after->restore(reader).ok());
  ASSERT_TRUE(after->process(second, out).ok());
  ASSERT_TRUE(after->on_watermark(kFinalWatermark, out).ok());
  EXPECT_EQ(text(out), text(expected));
  // 1 + (-3) + 5 (the 112 s row joins the 100 s session), times 10^12, and its mean.
  EXPECT_NE(text(expected).find("3000000000000.00  | 1000000000000.000000"), std::string::npos)
      << text(expected);
  EXPECT_NE(text(expected).find("1969-12-31"), std::string::npos) << text(expected);

  // Every cut of the snapshot is refused, never misread.
  const std::string bytes = writer.bytes();
  for (size_t cut = 0; cut < bytes.size(); cut += 5) {
    auto fresh = make(kQuery);
    StateReader partial(std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(fresh->restore(partial).ok()) << "accepted a snapshot cut at " << cut;
  }
}

TEST(DecimalState, ValuesRoundTripWithTheirType) {
  StateWriter w;
  const Value d = Value::Decimal(-decimal::pow10(37) - 1, DataType::Decimal(38, 4));
  w.value(d);
  w.value(Value::Date(-719528));
  w.value(Value::Null(DataType::Decimal(5, 1)));
  StateReader r(w.bytes());
  Value a, b, c;
  ASSERT_TRUE(r.value(a).ok());
  ASSERT_TRUE(r.value(b).ok());
  ASSERT_TRUE(r.value(c).ok());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(a, d);
  EXPECT_EQ(a.type, DataType::Decimal(38, 4));
  EXPECT_EQ(b.to_string(), "0000-01-01");
  EXPECT_TRUE(c.null);
  EXPECT_EQ(c.type, DataType::Decimal(5, 1));
}

TEST(DecimalState, DamagedDecimalsAreErrors) {
  auto tagged = [](uint8_t precision, uint8_t scale, __int128 units) {
    std::string bytes;
    bytes.push_back(static_cast<char>(TypeId::kDecimal));
    bytes.push_back(static_cast<char>(precision));
    bytes.push_back(static_cast<char>(scale));
    bytes.push_back('\0');  // not null
    bytes.append(reinterpret_cast<const char*>(&units), 16);
    return bytes;
  };
  Value v;
  {
    const std::string ok = tagged(5, 2, 99999);
    StateReader r(ok);
    EXPECT_TRUE(r.value(v).ok());
  }
  for (const std::string& bad : {tagged(39, 2, 1), tagged(5, 6, 1), tagged(0, 0, 0),
                                 tagged(5, 2, 100000), tagged(5, 2, 1).substr(0, 10)}) {
    StateReader r(bad);
    EXPECT_EQ(r.value(v).code(), ErrorCode::kDataCorrupt);
  }
}

}  // namespace
}  // namespace sluice::dataflow
