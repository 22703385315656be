// The top-N operator's state: a per-window top-N drops each window's partitions when the
// watermark passes the window's end (counted before and after), a row for a dropped window is
// late; an image captured copy-on-write is written on another thread while the operator goes
// on; a damaged state is refused on restore.

#include <gtest/gtest.h>

#include "dataflow/top_n_operator.h"
#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "support/bind_over_source.h"
#include "support/image_on_another_thread.h"

namespace sluice::dataflow {
namespace {

constexpr int64_t kMinute = 60'000'000;

SchemaPtr input_schema() {
  return make_schema({{"window_start", DataType::kTimestamp, false},
                      {"auction", DataType::kInt64},
                      {"n", DataType::kInt64}});
}

// The query over an upstream window's rows (window_start, auction, n): partitioned by the
// window, so a window's partitions end a minute after its start.
std::unique_ptr<TopNOperator> make(const std::string& qualify) {
  auto q = bind_over_source("SELECT window_start, auction, n FROM counts QUALIFY " + qualify,
                            input_schema(), -1, "counts");
  if (!q) return nullptr;
  // A source stands in for the upstream aggregate (whose window the binder finds itself:
  // tests/sql/top_n_window.test): its window_start ends the partition a minute later.
  q->top_n->window_key = 0;
  q->top_n->window_end_offset = kMinute;
  return std::make_unique<TopNOperator>(std::move(q));
}

RecordBatch rows(int64_t window, int64_t first_auction, int64_t count) {
  BatchBuilder b(input_schema());
  for (int64_t a = first_auction; a < first_auction + count; ++a) {
    b.column(0).append_int64(window * kMinute);
    b.column(1).append_int64(a);
    b.column(2).append_int64(a % 7);
  }
  return b.finish();
}

std::string written(const StateImage& image) {
  StateWriter w;
  image.write(w);
  return w.take();
}

TEST(TopNOperator, AWindowsPartitionsAreDroppedWhenTheWatermarkPassesItsEnd) {
  auto op =
      make("ROW_NUMBER() OVER (PARTITION BY window_start, auction % 10 ORDER BY n DESC) <= 2");
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op->process(rows(0, 0, 1000), out).ok());
  ASSERT_TRUE(op->process(rows(1, 0, 1000), out).ok());
  EXPECT_EQ(op->partitions(), 20);
  EXPECT_EQ(op->state_stats().groups, 40);
  const int64_t bytes_two = op->state_stats().bytes;

  ASSERT_TRUE(op->on_watermark(kMinute - 1, out).ok());  // window 0 ends at 1 minute
  EXPECT_EQ(op->partitions(), 20);
  ASSERT_TRUE(op->on_watermark(kMinute, out).ok());
  EXPECT_EQ(op->partitions(), 10);
  EXPECT_EQ(op->state_stats().groups, 20);
  EXPECT_LT(op->state_stats().bytes, bytes_two);

  // A row of the dropped window is late; of the open one, ranked.
  out.clear();
  ASSERT_TRUE(op->process(rows(0, 5000, 3), out).ok());
  EXPECT_EQ(op->stats().late_rows_dropped, 3);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(op->on_watermark(kFinalWatermark, out).ok());
  EXPECT_EQ(op->partitions(), 0);
  EXPECT_EQ(op->state_stats().groups, 0);
}

// Rows pushed out of the top N leave garbage in the arena, compacted once it is most of it. A
// restored operator must count the garbage its image held, or it compacts later than the
// uninterrupted one (or never) and their states (bytes, images) part ways.
TEST(TopNOperator, ARestoredOperatorCompactsWhenTheUninterruptedOneDoes) {
  auto make_op = [] {
    return make("ROW_NUMBER() OVER (PARTITION BY window_start, auction % 10 ORDER BY n DESC) <= 2");
  };
  // Every row beats its partition's rows (n grows), so each pushes one out.
  auto rising = [](int64_t first, int64_t count) {
    BatchBuilder b(input_schema());
    for (int64_t a = first; a < first + count; ++a) {
      b.column(0).append_int64(0);
      b.column(1).append_int64(a);
      b.column(2).append_int64(a);
    }
    return b.finish();
  };
  auto op = make_op();
  ASSERT_NE(op, nullptr);
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op->process(rising(0, 20000), out).ok());
  const int64_t before = op->state_stats().bytes;

  auto restored = make_op();
  const std::string image = written(*op->capture());
  StateReader reader(image);
  ASSERT_TRUE(restored->restore(reader).ok());

  for (auto* o : {op.get(), restored.get()}) {
    ASSERT_TRUE(o->process(rising(20000, 20000), out).ok());
  }
  EXPECT_LT(op->state_stats().bytes, before);  // it did compact
  // (Their indexes may differ in size: the restored one is built at once, not grown.)
  EXPECT_TRUE(written(*restored->capture()) == written(*op->capture()));
}

TEST(TopNOperator, AnImageIsWrittenOnAnotherThreadWhileTheOperatorGoesOn) {
  auto op = make("ROW_NUMBER() OVER (PARTITION BY window_start, auction ORDER BY n DESC) <= 3");
  auto twin = make("ROW_NUMBER() OVER (PARTITION BY window_start, auction ORDER BY n DESC) <= 3");
  std::vector<RecordBatch> out;
  // Enough partitions and rows for several chunks of each array.
  for (auto* o : {op.get(), twin.get()}) {
    ASSERT_TRUE(o->process(rows(0, 0, 9000), out).ok());
    ASSERT_TRUE(o->process(rows(1, 0, 9000), out).ok());
  }
  ImageOnAnotherThread image(op->capture(), written(*twin->capture()));
  // Meanwhile: new rows into the captured partitions (rows and partitions changed in place,
  // copied first), new partitions, a window dropped.
  ASSERT_TRUE(op->process(rows(0, 0, 9000), out).ok());
  ASSERT_TRUE(op->process(rows(2, 0, 100), out).ok());
  ASSERT_TRUE(op->on_watermark(kMinute, out).ok());
  image.drop();
  ASSERT_TRUE(op->process(rows(1, 0, 9000), out).ok());
  image.finish();
  EXPECT_TRUE(image.matches());
}

TEST(TopNOperator, RestoreRefusesADamagedState) {
  auto op = make("ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY n DESC) <= 2");
  std::vector<RecordBatch> out;
  ASSERT_TRUE(op->process(rows(0, 0, 50), out).ok());
  const std::string good = written(*op->capture());
  // Every truncation and a flipped byte at each position: an error or a state that restores,
  // never a crash (ASan) or an endless loop.
  for (size_t cut = 0; cut < good.size(); ++cut) {
    auto r = make("ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY n DESC) <= 2");
    StateReader reader(std::string_view(good).substr(0, cut));
    EXPECT_FALSE(r->restore(reader).ok()) << "cut at " << cut;
  }
  for (size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    auto r = make("ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY n DESC) <= 2");
    StateReader reader(bad);
    if (r->restore(reader).ok()) {
      std::vector<RecordBatch> more;
      (void)r->process(rows(0, 100, 5), more);
    }
  }
}

}  // namespace
}  // namespace sluice::dataflow
