// OrderedRowCodec: random rows of every kind of column, ascending and descending, NULLs first
// and last. The bytes' order must be the rows' order (compare_nullable column after column), and
// every row must decode to itself; bytes that are not a row are an error, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "dataflow/ordered_row_codec.h"
#include "dataflow/value_order.h"

namespace sluice::dataflow {
namespace {

const DataType kTypes[] = {DataType::kBoolean, DataType::kInt32,        DataType::kInt64,
                           DataType::kDouble,  DataType::kVarchar,      DataType::kTimestamp,
                           DataType::kDate,    DataType::Decimal(20, 2)};

Value random_value(std::mt19937_64& rng, DataType type) {
  if (rng() % 5 == 0) return Value::Null(type);
  switch (type.id()) {
    case DataType::kBoolean:
      return Value::Bool(rng() % 2);
    case DataType::kInt32:
      return Value::Int32(static_cast<int32_t>(rng() % 7) - 3);
    case DataType::kDouble: {
      static const double kDoubles[] = {-INFINITY, -2.5, -0.0, 0.0, 1e-300, 3.25, INFINITY, NAN};
      return Value::Double(kDoubles[rng() % 8]);
    }
    case DataType::kVarchar: {
      static const char* const kStrings[] = {"", "a", "ab", "b", "\xff"};
      std::string s = kStrings[rng() % 5];
      if (rng() % 4 == 0) s.push_back('\0');  // an embedded NUL sorts below every other byte
      if (rng() % 4 == 0) s += "a";
      return Value::Varchar(s);
    }
    case DataType::kTimestamp:
      return Value::Timestamp(static_cast<int64_t>(rng() % 5) - 2 +
                              (rng() % 2 ? INT64_MIN / 2 : 0));
    case DataType::kDate:
      return Value::Date(static_cast<int32_t>(rng() % 5) - 2);
    case DataType::kDecimal:
      return Value::Decimal(static_cast<__int128>(static_cast<int64_t>(rng() % 9) - 4) *
                                (rng() % 2 ? static_cast<__int128>(1) << 80 : 1),
                            type);
    default:
      return Value::Int64(static_cast<int64_t>(rng() % 5) - 2 + (rng() % 3 ? 0 : INT64_MIN + 2));
  }
}

TEST(OrderedRowCodec, ByteOrderIsTheRowOrderAndRowsDecodeToThemselves) {
  std::mt19937_64 rng(42);
  for (int n = 0; n < 200; ++n) {
    std::vector<OrderedColumn> columns;
    const int width = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < width; ++c) {
      columns.push_back(OrderedColumn{kTypes[rng() % 8], rng() % 2 == 0, rng() % 2 == 0});
    }
    const OrderedRowCodec codec(columns);
    std::vector<std::vector<Value>> rows;
    std::vector<std::string> bytes;
    for (int r = 0; r < 30; ++r) {
      std::vector<Value> row;
      std::string b;
      for (int c = 0; c < width; ++c) {
        row.push_back(random_value(rng, columns[static_cast<size_t>(c)].type));
        codec.append(static_cast<size_t>(c), row.back(), b);
      }
      std::vector<Value> back;
      ASSERT_TRUE(codec.decode(b, back).ok());
      for (int c = 0; c < width; ++c) {
        const Value& v = row[static_cast<size_t>(c)];
        const Value& w = back[static_cast<size_t>(c)];
        ASSERT_EQ(v.null, w.null);
        if (v.type == DataType::kDouble && !v.null) {
          ASSERT_TRUE(std::isnan(v.d) ? std::isnan(w.d)
                                      : std::signbit(v.d) == std::signbit(w.d) && v.d == w.d);
        } else {
          ASSERT_TRUE(v == w) << v.to_string() << " came back as " << w.to_string();
        }
      }
      rows.push_back(std::move(row));
      bytes.push_back(std::move(b));
    }
    for (size_t a = 0; a < rows.size(); ++a) {
      for (size_t b = 0; b < rows.size(); ++b) {
        int want = 0;
        for (size_t c = 0; c < columns.size() && want == 0; ++c) {
          const Value& x = rows[a][c];
          const Value& y = rows[b][c];
          // -0.0 and 0.0 are equal values, ordered by their sign in the bytes.
          if (!x.null && !y.null && x.type == DataType::kDouble && x.d == 0 && y.d == 0) {
            want = std::signbit(y.d) - std::signbit(x.d);
            if (columns[c].descending) want = -want;
            continue;
          }
          want = compare_nullable(x, y, columns[c].descending, columns[c].nulls_first);
        }
        const int got = bytes[a].compare(bytes[b]);
        ASSERT_EQ(want, (got > 0) - (got < 0)) << "rows " << a << " and " << b;
      }
    }
    // Every shorter prefix and a byte flipped anywhere: an error or some row, never a crash.
    std::vector<Value> out;
    const std::string& one = bytes[0];
    for (size_t len = 0; len < one.size(); ++len) {
      EXPECT_FALSE(codec.decode(std::string_view(one).substr(0, len), out).ok());
    }
    for (size_t i = 0; i < one.size(); ++i) {
      std::string flipped = one;
      flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
      const Status s = codec.decode(flipped, out);
      EXPECT_TRUE(s.ok() || s.code() == ErrorCode::kDataCorrupt);
    }
  }
}

}  // namespace
}  // namespace sluice::dataflow
