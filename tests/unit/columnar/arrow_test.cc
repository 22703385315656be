#include <gtest/gtest.h>

#include <cstring>

#include "sluice/arrow.h"
#include "test_batches.h"

namespace sluice {
namespace {

RecordBatch round_trip(const RecordBatch& batch) {
  ArrowArray array;
  ArrowSchema schema;
  Status s = export_record_batch(batch, &array, &schema);
  EXPECT_TRUE(s.ok());
  Result<RecordBatch> back = import_record_batch(&array, &schema);
  EXPECT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(array.release, nullptr) << "import must mark the array moved";
  EXPECT_EQ(schema.release, nullptr) << "import must release the schema";
  return back.ok() ? *back : RecordBatch();
}

TEST(Arrow, ExportDescribesTheLayout) {
  RecordBatch batch = test::all_types_batch(10);
  ArrowArray array;
  ArrowSchema schema;
  ASSERT_TRUE(export_record_batch(batch, &array, &schema).ok());
  EXPECT_STREQ(schema.format, "+s");
  ASSERT_EQ(schema.n_children, 7);
  const char* formats[] = {"b", "i", "l", "g", "u", "tsu:UTC", "tDu"};
  for (int i = 0; i < 7; ++i) EXPECT_STREQ(schema.children[i]->format, formats[i]);
  EXPECT_STREQ(schema.children[4]->name, "s");
  EXPECT_EQ(schema.children[2]->flags & ARROW_FLAG_NULLABLE, 0);
  EXPECT_EQ(array.length, 10);
  ASSERT_EQ(array.n_children, 7);
  EXPECT_EQ(array.children[1]->null_count, 3);
  EXPECT_EQ(array.children[4]->n_buffers, 3);
  // Zero copy: the exported buffer is sluice's own.
  EXPECT_EQ(array.children[2]->buffers[1], batch.column(2).values_buffer().data());
  array.release(&array);
  schema.release(&schema);
  EXPECT_EQ(array.release, nullptr);
}

TEST(Arrow, RoundTripKeepsValuesAndNulls) {
  RecordBatch batch = test::all_types_batch(77);
  RecordBatch back = round_trip(batch);
  EXPECT_TRUE(back.equals(batch));
  EXPECT_EQ(back.column(3).null_count(), batch.column(3).null_count());
}

TEST(Arrow, RoundTripOfSlicesUsesOffsets) {
  RecordBatch batch = test::all_types_batch(77);
  RecordBatch slice = batch.slice(5, 30);
  ArrowArray array;
  ASSERT_TRUE(export_record_batch(slice, &array).ok());
  EXPECT_EQ(array.children[0]->offset, 5);
  array.release(&array);
  RecordBatch back = round_trip(slice);
  EXPECT_TRUE(back.equals(slice));
  RecordBatch twice = round_trip(back.slice(3, 9));
  EXPECT_TRUE(twice.equals(batch.slice(8, 9)));
}

TEST(Arrow, ExportedMemoryOutlivesTheBatch) {
  ArrowArray array;
  const void* values;
  {
    RecordBatch batch = test::all_types_batch(10);
    ASSERT_TRUE(export_record_batch(batch, &array).ok());
    values = batch.column(2).values_buffer().data();
  }
  // The batch is gone; the receiver still reads the memory.
  const auto* longs = static_cast<const int64_t*>(array.children[2]->buffers[1]);
  EXPECT_EQ(array.children[2]->buffers[1], values);
  EXPECT_EQ(longs[3], 3'000'000'021);
  // A receiver may move a child out and release the parent first.
  ArrowArray moved = *array.children[4];
  array.children[4]->release = nullptr;
  array.release(&array);
  const auto* offsets = static_cast<const int32_t*>(moved.buffers[1]);
  EXPECT_EQ(std::string_view(static_cast<const char*>(moved.buffers[2]) + offsets[0],
                             static_cast<size_t>(offsets[1] - offsets[0])),
            "row 0 é\"\\,\n☃");
  moved.release(&moved);
}

// A foreign producer's array: sluice keeps it alive while any slice uses it, then releases.
struct Foreign {
  static inline int releases = 0;
  int64_t values[5] = {10, 20, 30, 40, 50};
  uint8_t validity[1] = {0b11011};  // row 2 is null
  const void* child_buffers[2] = {validity, values};
  const void* top_buffers[1] = {nullptr};
  ArrowArray child{};
  ArrowArray* children[1] = {&child};
  ArrowSchema child_schema{};
  ArrowSchema* schema_children[1] = {&child_schema};

  void fill(ArrowArray& top, ArrowSchema& schema) {
    child = {5,       1,       0,
             2,       0,       child_buffers,
             nullptr, nullptr, [](ArrowArray* a) { a->release = nullptr; },
             nullptr};
    top = {5,
           0,
           0,
           1,
           1,
           top_buffers,
           children,
           nullptr,
           [](ArrowArray* a) {
             ++releases;
             a->release = nullptr;
           },
           nullptr};
    child_schema = {"l",    "x",     nullptr, ARROW_FLAG_NULLABLE,
                    0,      nullptr, nullptr, [](ArrowSchema* s) { s->release = nullptr; },
                    nullptr};
    schema = {"+s",    "",
              nullptr, 0,
              1,       schema_children,
              nullptr, [](ArrowSchema* s) { s->release = nullptr; },
              nullptr};
  }
};

TEST(Arrow, ImportKeepsForeignMemoryAliveUntilTheLastSlice) {
  Foreign foreign;
  Foreign::releases = 0;
  ArrowArray top;
  ArrowSchema schema;
  foreign.fill(top, schema);
  RecordBatch tail;
  {
    Result<RecordBatch> batch = import_record_batch(&top, &schema);
    ASSERT_TRUE(batch.ok()) << batch.status().to_string();
    EXPECT_EQ(batch->column(0).values_buffer().data(),
              reinterpret_cast<const uint8_t*>(foreign.values));
    EXPECT_TRUE(batch->column(0).is_null(2));
    EXPECT_EQ(batch->column(0).null_count(), 1);
    tail = batch->slice(3, 2);
  }
  EXPECT_EQ(Foreign::releases, 0) << "released while a slice still points at it";
  EXPECT_EQ(tail.column(0).int64_value(1), 50);
  tail = RecordBatch();
  EXPECT_EQ(Foreign::releases, 1);
}

TEST(Arrow, UnsupportedTypeIsAClearErrorAndStillReleases) {
  Foreign foreign;
  Foreign::releases = 0;
  ArrowArray top;
  ArrowSchema schema;
  foreign.fill(top, schema);
  foreign.child_schema.format = "e";  // float16
  Result<RecordBatch> r = import_record_batch(&top, &schema);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kArrowImport);
  EXPECT_NE(r.status().message().find("column 'x': unsupported Arrow format 'e'"),
            std::string_view::npos);
  EXPECT_EQ(Foreign::releases, 1);
  EXPECT_EQ(schema.release, nullptr);
}

}  // namespace
}  // namespace sluice
