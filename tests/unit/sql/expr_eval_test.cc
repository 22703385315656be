#include "sql/expr_eval.h"

#include <gtest/gtest.h>

#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

// Binds `text` over columns (a BIGINT, b BIGINT, s VARCHAR) and evaluates it on `batch`.
Result<Column> eval(std::string_view text, const RecordBatch& batch) {
  SLC_ASSIGN_OR_RETURN(ExprPtr ast, parse_expression(text));
  Catalog catalog;
  SLC_ASSIGN_OR_RETURN(BoundExprPtr e, Binder(catalog).bind_scalar(*ast, *batch.schema(), "t"));
  return evaluate_column(*e, batch);
}

RecordBatch rows(int n, int null_every = 0) {
  BatchBuilder b(
      make_schema({{"a", DataType::kInt64}, {"b", DataType::kInt64}, {"s", DataType::kVarchar}}));
  for (int i = 0; i < n; ++i) {
    if (null_every && i % null_every == 0) {
      b.column(0).append_null();
    } else {
      b.column(0).append_int64(i);
    }
    b.column(1).append_int64(i * 10);
    b.column(2).append_string("s" + std::to_string(i));
  }
  return b.finish();
}

TEST(ExprEval, ColumnColumnColumnScalarScalarScalar) {
  RecordBatch batch = rows(5);
  auto vv = eval("a + b", batch);
  auto vs = eval("a * 3", batch);
  auto sv = eval("100 - a", batch);
  auto ss = eval("2 + 3", batch);
  ASSERT_TRUE(vv.ok() && vs.ok() && sv.ok() && ss.ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(vv->int64_value(i), i + i * 10);
    EXPECT_EQ(vs->int64_value(i), i * 3);
    EXPECT_EQ(sv->int64_value(i), 100 - i);
    EXPECT_EQ(ss->int32_value(i), 5);
  }
  EXPECT_EQ(ss->length(), 5) << "scalars broadcast to the batch";
}

TEST(ExprEval, NullsPropagateAndSelectionSkipsThem) {
  RecordBatch batch = rows(9, 3);  // a is NULL in rows 0, 3, 6
  auto sum = eval("a + b", batch);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->null_count(), 3);
  EXPECT_TRUE(sum->is_null(3));
  auto ast = parse_expression("a > 1");
  Catalog catalog;
  auto pred = Binder(catalog).bind_scalar(**ast, *batch.schema(), "t");
  ASSERT_TRUE(pred.ok());
  std::vector<uint32_t> selection = {99};
  ASSERT_TRUE(select_true(**pred, batch, selection).ok());
  EXPECT_EQ(selection, (std::vector<uint32_t>{2, 4, 5, 7, 8}));
}

// Kernels must honour column offsets: evaluate over a slice starting mid-byte.
TEST(ExprEval, SlicedInputsUseTheirOffsets) {
  RecordBatch full = rows(40, 4);
  RecordBatch slice = full.slice(13, 17);
  auto r = eval("a * 2 + b", slice);
  auto t = eval("s || '!'", slice);
  auto p = eval("a > 20 OR a IS NULL", slice);
  ASSERT_TRUE(r.ok() && t.ok() && p.ok());
  for (int64_t i = 0; i < 17; ++i) {
    const int64_t row = 13 + i;
    if (row % 4 == 0) {
      EXPECT_TRUE(r->is_null(i)) << row;
      EXPECT_TRUE(p->bool_value(i)) << row;
    } else {
      EXPECT_EQ(r->int64_value(i), row * 2 + row * 10) << row;
      EXPECT_EQ(p->bool_value(i), row > 20) << row;
    }
    EXPECT_EQ(t->string_value(i), "s" + std::to_string(row) + "!");
  }
}

// The null-free fast path (raw values, scalars broadcast) on a slice, and its overflow check.
TEST(ExprEval, NullFreeFastPathOnSlicesAndOverflow) {
  RecordBatch slice = rows(40).slice(13, 17);  // no NULLs
  auto r = eval("a * 2 + b - 1", slice);
  auto p = eval("a > 20", slice);
  auto q = eval("30 <= b", slice);
  ASSERT_TRUE(r.ok() && p.ok() && q.ok());
  for (int64_t i = 0; i < 17; ++i) {
    const int64_t row = 13 + i;
    EXPECT_EQ(r->int64_value(i), row * 2 + row * 10 - 1);
    EXPECT_EQ(p->bool_value(i), row > 20);
    EXPECT_EQ(q->bool_value(i), 30 <= row * 10);
  }
  EXPECT_EQ(r->null_count(), 0);
  auto overflow = eval("a * 9223372036854775807", rows(3));
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().code(), ErrorCode::kOutOfRange);
  auto fine = eval("a * 9223372036854775807", rows(2));  // 0 and 1: no overflow
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->int64_value(1), INT64_MAX);
}

TEST(ExprEval, CastValueRules) {
  EXPECT_EQ(*cast_value(Value::Varchar(" 42 "), DataType::kInt64), Value::Int64(42));
  EXPECT_EQ(*cast_value(Value::Double(2.5), DataType::kInt64), Value::Int64(2));  // half to even
  EXPECT_EQ(*cast_value(Value::Double(3.5), DataType::kInt64), Value::Int64(4));
  EXPECT_FALSE(cast_value(Value::Int64(1LL << 40), DataType::kInt32).ok());
  EXPECT_EQ(*cast_value(Value::Int64(1), DataType::kTimestamp), Value::Timestamp(1000));
  EXPECT_EQ(*cast_value(Value::Varchar("t"), DataType::kBoolean), Value::Bool(true));
  EXPECT_EQ(cast_value(Value::Null(DataType::kVarchar), DataType::kInt64)->null, true);
}

}  // namespace
}  // namespace sluice::sql
