#include <gtest/gtest.h>

#include "sluice/batch_builder.h"
#include "sluice/record_batch.h"
#include "test_batches.h"

namespace sluice {
namespace {

TEST(ColumnBuilder, BuildsEveryTypeWithNulls) {
  RecordBatch batch = test::all_types_batch(10);
  ASSERT_EQ(batch.num_rows(), 10);
  ASSERT_EQ(batch.num_columns(), 7);
  EXPECT_EQ(batch.column(0).null_count(), 3);  // rows 1, 4, 7
  EXPECT_EQ(batch.column(2).null_count(), 0);
  EXPECT_TRUE(batch.column(2).validity_buffer().empty()) << "all-valid columns carry no bitmap";
  EXPECT_TRUE(batch.column(1).is_null(4));
  EXPECT_EQ(batch.column(1).int32_value(5), 5 * 7 - 100);
  EXPECT_EQ(batch.column(4).string_value(3), "row 3 é\"\\,\n☃");
  EXPECT_TRUE(batch.column(0).bool_value(2));
  EXPECT_FALSE(batch.column(0).bool_value(3));
  EXPECT_DOUBLE_EQ(batch.column(3).double_value(9), 9 * 0.25 - 3);
  EXPECT_EQ(batch.column(5).value_to_string(0), "2026-11-24T10:00:00Z");
  EXPECT_EQ(batch.column(5).value_to_string(2), "2026-11-24T10:00:02.002Z");
}

TEST(ColumnBuilder, BuffersAreSixtyFourByteAligned) {
  RecordBatch batch = test::all_types_batch(100);
  for (const Column& c : batch.columns()) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(c.values_buffer().data()) % 64, 0u);
    if (!c.validity_buffer().empty()) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(c.validity_buffer().data()) % 64, 0u);
    }
  }
}

TEST(ColumnBuilder, TruncateRollsBackRowsAndNulls) {
  ColumnBuilder s(DataType::kVarchar);
  s.append_string("keep");
  s.append_null();
  s.append_string("drop me");
  s.append_null();
  s.truncate(2);
  EXPECT_EQ(s.length(), 2);
  EXPECT_EQ(s.null_count(), 1);
  s.append_string("after");
  Column c = s.finish();
  ASSERT_EQ(c.length(), 3);
  EXPECT_EQ(c.string_value(0), "keep");
  EXPECT_TRUE(c.is_null(1));
  EXPECT_EQ(c.string_value(2), "after");
  EXPECT_EQ(c.data_buffer().size(), 9u);

  ColumnBuilder b(DataType::kBoolean);
  for (int i = 0; i < 20; ++i) b.append_bool(true);
  b.truncate(9);
  b.append_bool(false);
  Column bc = b.finish();
  EXPECT_EQ(bc.length(), 10);
  EXPECT_TRUE(bc.bool_value(8));
  EXPECT_FALSE(bc.bool_value(9));
}

TEST(RecordBatch, MakeChecksShape) {
  SchemaPtr schema = make_schema({{"a", DataType::kInt64}, {"b", DataType::kVarchar}});
  ColumnBuilder a(DataType::kInt64), b(DataType::kVarchar), wrong(DataType::kDouble);
  a.append_int64(1);
  a.append_int64(2);
  b.append_string("x");
  Result<RecordBatch> r = RecordBatch::make(schema, {a.finish(), b.finish()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSchemaMismatch);
  EXPECT_NE(r.status().message().find("'b' has 1 rows"), std::string_view::npos);
  a.append_int64(1);
  wrong.append_double(1);
  r = RecordBatch::make(schema, {a.finish(), wrong.finish()});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("DOUBLE but the schema says VARCHAR"),
            std::string_view::npos);
}

TEST(RecordBatch, SliceIsZeroCopyAndCorrect) {
  RecordBatch batch = test::all_types_batch(100);
  RecordBatch s = batch.slice(13, 20);
  ASSERT_EQ(s.num_rows(), 20);
  for (int c = 0; c < batch.num_columns(); ++c) {
    EXPECT_EQ(s.column(c).values_buffer().data(), batch.column(c).values_buffer().data());
    for (int64_t r = 0; r < 20; ++r) {
      ASSERT_EQ(s.column(c).value_to_string(r), batch.column(c).value_to_string(r + 13));
    }
  }
  // Rows 13..32: nulls at r % 3 == 1 → 13, 16, ..., 31 = 7 rows.
  EXPECT_EQ(s.column(1).null_count(), 7);
  // Slices of slices, and clamping.
  RecordBatch ss = s.slice(5, 100);
  EXPECT_EQ(ss.num_rows(), 15);
  EXPECT_EQ(ss.column(4).value_to_string(0), batch.column(4).value_to_string(18));
}

TEST(RecordBatch, TakeFollowsTheSelectionVector) {
  RecordBatch batch = test::all_types_batch(10);
  const uint32_t selection[] = {9, 0, 4, 4};
  RecordBatch t = batch.take(selection);
  ASSERT_EQ(t.num_rows(), 4);
  for (int c = 0; c < batch.num_columns(); ++c) {
    for (int r = 0; r < 4; ++r) {
      EXPECT_EQ(t.column(c).value_to_string(r), batch.column(c).value_to_string(selection[r]));
    }
  }
  EXPECT_EQ(t.column(1).null_count(), 2);
}

TEST(RecordBatch, TakeFromASliceHonoursItsOffset) {
  RecordBatch batch = test::all_types_batch(100);
  RecordBatch slice = batch.slice(13, 60);  // offsets not on a byte boundary
  const uint32_t selection[] = {0, 59, 3, 3, 1, 44};
  RecordBatch t = slice.take(selection);
  for (int c = 0; c < batch.num_columns(); ++c) {
    for (int r = 0; r < 6; ++r) {
      ASSERT_EQ(t.column(c).value_to_string(r), batch.column(c).value_to_string(13 + selection[r]))
          << batch.schema()->field(c).name << " row " << r;
    }
  }
  EXPECT_EQ(t.column(1).null_count(), 3);  // rows 13+3 (twice) and 13+0 are NULL rows (r % 3 == 1)
}

// append_take copies the rows it is given, in order, as append_from would one by one: from
// columns with and without NULLs, from a slice, into a builder that already holds a NULL.
TEST(ColumnBuilder, AppendTakeIsAppendFromRowByRow) {
  const RecordBatch batch = test::all_types_batch(60);
  const RecordBatch slice = batch.slice(13, 40);
  const uint32_t valid_rows[] = {2, 0, 5, 5, 39, 8};  // slice rows 13+: none is a NULL row
  const uint32_t any_rows[] = {3, 0, 1, 1, 38};       // 13 + 0 and 13 + 3 are NULL rows
  for (int c = 0; c < batch.num_columns(); ++c) {
    const Column& from = slice.column(c);
    ColumnBuilder took(from.type()), expected(from.type());
    took.append_null();
    expected.append_null();
    took.append_take(from, valid_rows);
    for (const uint32_t r : valid_rows) expected.append_from(from, r);
    took.append_take(from, any_rows);
    for (const uint32_t r : any_rows) expected.append_from(from, r);
    took.append_take(from, {});
    const Column a = took.finish(), b = expected.finish();
    EXPECT_TRUE(a.equals(b)) << batch.schema()->field(c).name;
    EXPECT_EQ(a.null_count(), b.null_count()) << batch.schema()->field(c).name;
  }
  // Without a NULL before: no bitmap made.
  ColumnBuilder ints(DataType::kInt64);
  ints.append_take(slice.column(2), valid_rows);
  const Column ints_column = ints.finish();
  EXPECT_TRUE(ints_column.validity_buffer().empty());
  EXPECT_EQ(ints_column.int64_value(4), batch.column(2).int64_value(13 + 39));
}

TEST(RecordBatch, ConcatJoinsSlicesAtOddOffsets) {
  RecordBatch batch = test::all_types_batch(50);
  std::vector<RecordBatch> parts = {batch.slice(0, 3), batch.slice(3, 11), batch.slice(14, 36)};
  Result<RecordBatch> joined = RecordBatch::concat(parts);
  ASSERT_TRUE(joined.ok()) << joined.status().to_string();
  EXPECT_TRUE(joined->equals(batch)) << joined->to_string() << batch.to_string();
  EXPECT_EQ(joined->column(3).null_count(), batch.column(3).null_count());
}

TEST(RecordBatch, ConcatRefusesDifferentSchemas) {
  RecordBatch a = test::all_types_batch(2);
  BatchBuilder other(make_schema({{"x", DataType::kInt64}}));
  other.column(0).append_int64(1);
  std::vector<RecordBatch> parts = {a, other.finish()};
  Result<RecordBatch> r = RecordBatch::concat(parts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSchemaMismatch);
}

TEST(RecordBatch, CopiesShareData) {
  RecordBatch a = test::all_types_batch(5);
  const long before = a.column(4).data_buffer().use_count();
  RecordBatch b = a;  // one reference count, no column copies
  EXPECT_EQ(a.column(4).data_buffer().use_count(), before);
  EXPECT_EQ(&a.column(0), &b.column(0));
}

TEST(RecordBatch, EqualsSeesValueDifferences) {
  RecordBatch a = test::all_types_batch(5);
  RecordBatch b = test::all_types_batch(6).slice(0, 5);
  EXPECT_TRUE(a.equals(b));
  RecordBatch c = test::all_types_batch(6).slice(1, 5);
  EXPECT_FALSE(a.equals(c));
}

TEST(RecordBatch, ToStringIsATable) {
  BatchBuilder b(make_schema({{"sym", DataType::kVarchar}, {"px", DataType::kDouble}}));
  b.column(0).append_string("AAPL");
  b.column(1).append_double(1.5);
  b.column(0).append_string("MSFT");
  b.column(1).append_null();
  EXPECT_EQ(b.finish().to_string(),
            "sym  | px\n"
            "-----+-----\n"
            "AAPL | 1.5\n"
            "MSFT | NULL\n");
}

}  // namespace
}  // namespace sluice
