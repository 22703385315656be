// StateWriter::cell (dataflow/state_codec.h): a column's row written as value() writes the same
// row made a Value, byte for byte (the top-N operator encodes its kept rows from the batch's
// columns, and reads them back as Values), for every type, NULLs included. StateReader::str_view:
// a string read in place (Graph::restore reads each operator's state so), its length checked.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dataflow/state_codec.h"
#include "sluice/column_builder.h"

namespace sluice::dataflow {
namespace {

TEST(StateCodec, CellWritesWhatValueWritesForTheSameRow) {
  std::vector<Column> columns;
  auto column = [&](DataType type, auto&& fill) {
    ColumnBuilder b(type);
    fill(b);
    b.append_null();
    columns.push_back(b.finish());
  };
  column(DataType::kBoolean, [](ColumnBuilder& b) { b.append_bool(true); });
  column(DataType::kInt32, [](ColumnBuilder& b) { b.append_int32(-7); });
  column(DataType::kDate, [](ColumnBuilder& b) { b.append_int32(20'000); });
  column(DataType::kInt64, [](ColumnBuilder& b) { b.append_int64(INT64_MIN); });
  column(DataType::kTimestamp, [](ColumnBuilder& b) { b.append_int64(1'700'000'000'000'000); });
  column(DataType::kInterval, [](ColumnBuilder& b) { b.append_int64(-5); });
  column(DataType::kDouble, [](ColumnBuilder& b) { b.append_double(-0.25); });
  column(DataType::Decimal(20, 3), [](ColumnBuilder& b) { b.append_decimal(-123456789); });
  column(DataType::kVarchar,
         [](ColumnBuilder& b) { b.append_string("a longer string, 31 bytes long"); });
  for (const Column& c : columns) {
    for (int64_t row = 0; row < c.length(); ++row) {
      StateWriter from_cell, from_value;
      from_cell.cell(c, row);
      from_value.value(Value::from_column(c, row));
      EXPECT_EQ(from_cell.bytes(), from_value.bytes()) << type_name(c.type()) << " row " << row;
    }
  }
}

TEST(StateCodec, StrViewReadsAStringInPlaceAndChecksItsLength) {
  StateWriter w;
  w.str("operator state");
  w.i64(7);
  const std::string bytes = w.take();
  StateReader r(bytes);
  std::string_view part;
  ASSERT_TRUE(r.str_view(part).ok());
  EXPECT_EQ(part, "operator state");
  EXPECT_EQ(part.data(), bytes.data() + 8);  // the reader's bytes, not a copy
  int64_t after = 0;
  ASSERT_TRUE(r.i64(after).ok());
  EXPECT_EQ(after, 7);
  EXPECT_TRUE(r.done());
  // A length past the end is damage, refused before anything is read.
  for (size_t cut = 0; cut < 8 + part.size(); ++cut) {
    StateReader short_reader(std::string_view(bytes).substr(0, cut));
    EXPECT_EQ(short_reader.str_view(part).code(), ErrorCode::kDataCorrupt) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace sluice::dataflow
