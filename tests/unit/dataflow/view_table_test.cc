// ViewTable: the multiset a materialized view keeps, in its compact layout (chunked arena and
// open-addressing index). Checked against a simple reference (a map from row to copies) over
// random inserts and deletes, through the deletes that free chunks and compact the arena; its
// capture written later equals a snapshot written at the capture (copy-on-write by chunk).

#include "dataflow/view_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "sluice/record_batch.h"
#include "support/image_on_another_thread.h"

namespace sluice::dataflow {
namespace {

SchemaPtr schema() {
  return make_schema({{"k", DataType::kVarchar, true},
                      {"n", DataType::kInt64, true},
                      {"x", DataType::kDouble, true}});
}

std::vector<Value> row_of(int64_t key, bool null_x = false) {
  return {Value::Varchar("key-" + std::to_string(key % 997) + std::string(key % 13, 'z')),
          Value::Int64(key), null_x ? Value::Null(DataType::kDouble) : Value::Double(key * 0.5)};
}

// The table's rows as sorted text lines (copies repeated).
std::vector<std::string> lines(const ViewTable& t) {
  const RecordBatch b = t.to_batch();
  std::vector<std::string> out;
  for (int64_t r = 0; r < b.num_rows(); ++r) {
    std::string line;
    for (int c = 0; c < b.num_columns(); ++c)
      line += Value::from_column(b.column(c), r).to_string() + "|";
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> lines(const std::map<int64_t, int64_t>& reference, bool null_x) {
  std::vector<std::string> out;
  for (const auto& [key, copies] : reference) {
    std::string line;
    for (const Value& v : row_of(key, null_x)) line += v.to_string() + "|";
    for (int64_t i = 0; i < copies; ++i) out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string written(const StateImage& image) {
  StateWriter w;
  image.write(w);
  return w.take();
}

TEST(ViewTable, KeepsTheMultisetOfARandomChangelog) {
  ViewTable table(schema());
  std::map<int64_t, int64_t> reference;
  std::mt19937_64 rng(7);
  int64_t size = 0;
  // Phases: grow, then mostly delete (chunks empty out, the arena compacts), then grow again.
  for (int phase = 0; phase < 3; ++phase) {
    const int insert_percent = phase == 1 ? 20 : 75;
    for (int i = 0; i < 60000; ++i) {
      const int64_t key = static_cast<int64_t>(rng() % 20000);
      const bool insert = static_cast<int>(rng() % 100) < insert_percent;
      table.apply(row_of(key), insert);
      if (insert) {
        ++reference[key];
        ++size;
      } else if (auto it = reference.find(key); it != reference.end()) {
        if (--it->second == 0) reference.erase(it);
        --size;
      }
    }
    ASSERT_EQ(table.size(), size) << "phase " << phase;
    ASSERT_EQ(table.distinct_rows(), static_cast<int64_t>(reference.size())) << "phase " << phase;
    ASSERT_EQ(lines(table), lines(reference, false)) << "phase " << phase;
    EXPECT_EQ(table.state_stats().groups, static_cast<int64_t>(reference.size()));
  }
}

TEST(ViewTable, DeletingEveryRowReturnsItsMemory) {
  ViewTable table(schema());
  for (int64_t k = 0; k < 100000; ++k) table.apply(row_of(k), true);
  const StateStats full = table.state_stats();
  EXPECT_EQ(full.groups, 100000);
  EXPECT_GT(full.bytes, 100000 * 20);
  for (int64_t k = 0; k < 100000; ++k) table.apply(row_of(k), false);
  EXPECT_EQ(table.size(), 0);
  EXPECT_TRUE(lines(table).empty());
  const StateStats empty = table.state_stats();
  EXPECT_EQ(empty.groups, 0);
  // The arena's chunks are gone (the index keeps its size, a few MB at most).
  EXPECT_LT(empty.bytes, full.bytes / 2);
  EXPECT_LE(table.chunk_count(), 1u);
}

TEST(ViewTable, DeletingAbsentRowsChangesNothing) {
  ViewTable table(schema());
  table.apply(row_of(1), true);
  table.apply(row_of(2), false);
  table.apply(row_of(1, true), false);  // same key and n, x NULL: another row
  EXPECT_EQ(table.size(), 1);
  table.apply(row_of(1, true), true);
  EXPECT_EQ(table.distinct_rows(), 2);
}

// A capture is written later, after the table changed: it still writes the table as it was
// (what a snapshot at the capture wrote), and a restore of it holds those rows.
TEST(ViewTable, ACaptureWrittenLaterWritesTheTableAsItWas) {
  ViewTable table(schema());
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50000; ++i) table.apply(row_of(static_cast<int64_t>(rng() % 30000)), true);
  for (int i = 0; i < 10000; ++i) table.apply(row_of(static_cast<int64_t>(rng() % 30000)), false);
  const std::vector<std::string> before = lines(table);
  const std::unique_ptr<StateImage> image = table.capture();
  const std::string then = written(*table.capture());
  // Changes of every kind after the capture: new rows, more copies, rows deleted (chunks
  // freed), compaction.
  for (int i = 0; i < 40000; ++i) {
    const int64_t key = static_cast<int64_t>(rng() % 40000);
    table.apply(row_of(key), rng() % 3 != 0);
  }
  for (int64_t k = 0; k < 40000; k += 2) {
    for (int n = 0; n < 4; ++n) table.apply(row_of(k), false);
  }
  ASSERT_NE(lines(table), before);
  const std::string later = written(*image);
  EXPECT_EQ(later, then);

  StateReader r(later);
  int64_t distinct;
  ASSERT_TRUE(r.i64(distinct).ok());
  ViewTable restored(schema());
  ASSERT_TRUE(restored.restore(r, distinct, INT64_MAX).ok());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(lines(restored), before);
  // A restored table writes the same bytes again (rows in the same order).
  EXPECT_EQ(written(*restored.capture()), then);
}

// The image is written on another thread while the table changes the rows of the chunks it
// shares (copies added and removed, new rows at the tail), then dropped there while the table
// changes rows in every chunk: those it had not copied are now unshared by the image's
// release, not copied. Also run in the ThreadSanitizer build.
TEST(ViewTable, AnImageWrittenWhileItsChunksChangeAndThenDroppedHoldsItsCapture) {
  // The table at the capture is the twin's: writing `table` itself on this thread first
  // would hide the image thread's reads of its chunks from TSan.
  ViewTable table(schema());
  ViewTable twin(schema());
  constexpr int64_t kRows = 30000;
  std::vector<std::pair<int64_t, bool>> changes;
  auto apply = [&](int64_t k, bool insert) {
    table.apply(row_of(k), insert);
    changes.emplace_back(k, insert);
  };
  for (int cut = 0; cut < 3; ++cut) {
    for (int64_t k = 0; k < kRows; ++k) apply(k, true);
    for (const auto& [k, insert] : changes) twin.apply(row_of(k), insert);
    changes.clear();
    ImageOnAnotherThread image(table.capture(), written(*twin.capture()));
    // While the image is written: rows of the first chunks and new rows at the tail (copied).
    // Dropped: rows of the others first (not copied: written in place once the image's
    // reference is released), then of all.
    for (int64_t k = 0; k < 300; ++k) apply(k, k % 2 == 0);
    for (int64_t k = 0; k < 300; ++k) apply(kRows + k, true);
    image.drop();
    for (int64_t k = kRows - 1; k >= 0; k -= 3) apply(k, true);
    for (int64_t k = 1; k < kRows; k += 5) apply(k, false);
    image.finish();
    EXPECT_TRUE(image.matches()) << "cut " << cut;
  }
}

// Restore builds the index in one go (rows grouped by region of the index, not in arena
// order): every row must be found again, by its bytes, for each of its copies.
TEST(ViewTable, ARestoredTableFindsEveryRowItHolds) {
  ViewTable table(schema());
  std::map<int64_t, int64_t> reference;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 60000; ++i) {
    const auto key = static_cast<int64_t>(rng() % 25000);
    table.apply(row_of(key), true);
    ++reference[key];
  }
  StateWriter w;
  table.capture()->write(w);
  const std::string bytes = w.take();
  StateReader r(bytes);
  int64_t distinct;
  ASSERT_TRUE(r.i64(distinct).ok());
  ViewTable restored(schema());
  ASSERT_TRUE(restored.restore(r, distinct, INT64_MAX).ok());
  ASSERT_EQ(restored.distinct_rows(), static_cast<int64_t>(reference.size()));
  // A copy more of each row adds no distinct row; then every copy is deleted.
  for (const auto& [key, copies] : reference) restored.apply(row_of(key), true);
  EXPECT_EQ(restored.distinct_rows(), static_cast<int64_t>(reference.size()));
  for (const auto& [key, copies] : reference) {
    for (int64_t n = 0; n <= copies; ++n) restored.apply(row_of(key), false);
  }
  EXPECT_EQ(restored.size(), 0);
  EXPECT_EQ(restored.distinct_rows(), 0);
}

TEST(ViewTable, ARowOfAnotherWidthIsDamage) {
  StateWriter w;
  w.i64(1);  // copies
  w.i64(2);  // width: the view has 3 columns
  w.value(Value::Int64(1));
  w.value(Value::Int64(2));
  const std::string bytes = w.take();
  StateReader r(bytes);
  ViewTable table(schema());
  EXPECT_EQ(table.restore(r, 1, 10).code(), ErrorCode::kDataCorrupt);
}

}  // namespace
}  // namespace sluice::dataflow
