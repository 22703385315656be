// The OVER frame's compact state (OverPartitions over OrderedRows): a capture copies no rows —
// the image shares every chunk and arena block with the live state, and a change afterwards
// copies only the chunks it writes; the image is written on another thread while the operator
// goes on; a damaged state, or one of the format before the compact layout, is refused.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dataflow/over_operator.h"
#include "sluice/batch_builder.h"
#include "support/bind_over_source.h"
#include "support/image_on_another_thread.h"

namespace sluice::dataflow {
namespace {

// `changes`: an updating input (k, v, _op) and a frame as changes; else an append-only one
// (k, v, ts) on the watermark.
std::unique_ptr<OverOperator> make(bool changes) {
  if (changes) {
    auto q = bind_over_source(
        "SELECT k, v, SUM(v) OVER (PARTITION BY k ORDER BY v ROWS BETWEEN 3 PRECEDING AND "
        "CURRENT ROW) AS s, MAX(v) OVER (PARTITION BY k ORDER BY v ROWS 1 PRECEDING) AS m "
        "FROM t",
        make_schema({{"k", DataType::kVarchar},
                     {"v", DataType::kInt64},
                     {"_op", DataType::kVarchar, false}}));
    if (!q) return nullptr;
    q->over->change_column = 2;  // the source stands for an updating input
    return std::make_unique<OverOperator>(std::move(q));
  }
  auto q = bind_over_source(
      "SELECT k, v, COUNT(*) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND "
      "CURRENT ROW) AS c FROM t",
      make_schema({{"k", DataType::kVarchar},
                   {"v", DataType::kInt64},
                   {"ts", DataType::kTimestamp, false}}),
      2);
  if (!q) return nullptr;
  return std::make_unique<OverOperator>(std::move(q));
}

struct In {
  int key;
  int64_t v;
  bool insert = true;
};

// Keys longer than 8 bytes, so that they and the rows live in the arenas.
RecordBatch batch(bool changes, const std::vector<In>& rows) {
  BatchBuilder b(changes ? make_schema({{"k", DataType::kVarchar},
                                        {"v", DataType::kInt64},
                                        {"_op", DataType::kVarchar, false}})
                         : make_schema({{"k", DataType::kVarchar},
                                        {"v", DataType::kInt64},
                                        {"ts", DataType::kTimestamp, false}}));
  for (const In& r : rows) {
    b.column(0).append_string("partition-" + std::to_string(r.key));
    b.column(1).append_int64(r.v);
    if (changes) {
      b.column(2).append_string(r.insert ? "insert" : "delete");
    } else {
      b.column(2).append_int64(r.v);  // the time: v µs
    }
  }
  return b.finish();
}

std::string written(const StateImage& image) {
  StateWriter w;
  image.write(w);
  return w.take();
}

// Chunks of `a`'s nodes whose memory `b` shares (the same elements, not copies of them).
uint32_t shared_chunks(const OverPartitions::Frozen& a, const OverPartitions::Frozen& b) {
  uint32_t shared = 0;
  for (uint32_t i = 0; i < a.rows.nodes.size(); i += ChunkedArray<OrderedRows::Node>::kChunk) {
    if (i < b.rows.nodes.size() && &a.rows.nodes[i] == &b.rows.nodes[i]) ++shared;
  }
  return shared;
}

TEST(OverState, ACaptureSharesEveryChunkAndAChangeCopiesOnlyWhatItWrites) {
  auto op = make(true);
  ASSERT_NE(op, nullptr);
  std::vector<RecordBatch> out;
  // 200 K rows in 1,000 partitions: 49 chunks of nodes.
  constexpr int kRows = 200'000;
  for (int at = 0; at < kRows; at += 5000) {
    std::vector<In> rows;
    for (int i = at; i < at + 5000; ++i) rows.push_back(In{i % 1000, i});
    ASSERT_TRUE(op->process(batch(true, rows), out).ok());
    out.clear();
  }
  const OverPartitions::Frozen image = op->frozen();
  const uint32_t chunks = (image.rows.nodes.size() + ChunkedArray<OrderedRows::Node>::kMask) >> 12;
  ASSERT_EQ(image.rows.nodes.size(), static_cast<uint32_t>(kRows));
  ASSERT_EQ(chunks, 49u);
  StateWriter at_capture;
  image.write(at_capture);
  {
    // Nothing copied: every chunk of nodes and partitions, and every row's bytes, are the live
    // state's own.
    const OverPartitions::Frozen live = op->frozen();
    EXPECT_EQ(shared_chunks(image, live), chunks);
    EXPECT_EQ(&image.partitions[0], &live.partitions[0]);
    uint32_t same_bytes = 0;
    for (uint32_t n = 0; n < image.rows.nodes.size(); ++n) {
      same_bytes += image.rows.arena.get(image.rows.nodes[n].bytes).data() ==
                    live.rows.arena.get(live.rows.nodes[n].bytes).data();
    }
    EXPECT_EQ(same_bytes, image.rows.nodes.size());
  }
  // One insert and one delete in one partition: the chunks of the nodes they link (a few of
  // the 49) are copied; the image keeps what it captured.
  ASSERT_TRUE(op->process(batch(true, {In{7, 5}, In{7, 1007, false}}), out).ok());
  const OverPartitions::Frozen live = op->frozen();
  const uint32_t copied = chunks - shared_chunks(image, live);
  EXPECT_GE(copied, 1u);
  EXPECT_LE(copied, 6u);
  StateWriter later;
  image.write(later);
  EXPECT_EQ(later.bytes(), at_capture.bytes());
}

// The image is written on another thread while the operator changes the rows it shares (new
// rows and deletes in the captured partitions, new partitions, rows released by the
// watermark), then dropped there while the operator goes on.
TEST(OverState, AnImageIsWrittenOnAnotherThreadWhileTheOperatorGoesOn) {
  for (const bool changes : {true, false}) {
    SCOPED_TRACE(changes ? "as changes" : "on the watermark");
    auto op = make(changes);
    auto twin = make(changes);
    ASSERT_NE(op, nullptr);
    std::vector<RecordBatch> out;
    auto rows = [](int first, int end, int64_t v) {
      std::vector<In> r;
      for (int i = first; i < end; ++i) r.push_back(In{i % 300, v + i});
      return r;
    };
    for (auto* o : {op.get(), twin.get()}) {
      ASSERT_TRUE(o->process(batch(changes, rows(0, 9000, 0)), out).ok());
      ASSERT_TRUE(o->on_watermark(4000, out).ok());
    }
    ImageOnAnotherThread image(op->capture(), written(*twin->capture()));
    std::vector<In> deletes;
    for (int i = 0; i < 2000; i += 3) deletes.push_back(In{i % 300, i, false});
    ASSERT_TRUE(op->process(batch(changes, rows(0, 3000, 9000)), out).ok());
    if (changes) {
      ASSERT_TRUE(op->process(batch(changes, deletes), out).ok());
    }
    ASSERT_TRUE(op->on_watermark(8000, out).ok());
    image.drop();
    ASSERT_TRUE(op->process(batch(changes, rows(300, 5000, 20000)), out).ok());
    ASSERT_TRUE(op->on_watermark(kFinalWatermark, out).ok());
    image.finish();
    EXPECT_TRUE(image.matches());
  }
}

// The arenas' garbage (bytes of removed rows not yet compacted) is part of the state: a
// restored operator counts what the captured one did, so it compacts at the same change, and
// its stats and images stay those of the uninterrupted operator.
TEST(OverState, ARestoredOperatorCompactsWhenTheUninterruptedOneDoes) {
  auto op = make(true);
  ASSERT_NE(op, nullptr);
  std::vector<RecordBatch> out;
  std::vector<In> rows, first_deletes, second_deletes;
  for (int i = 0; i < 30000; ++i) {
    rows.push_back(In{i % 300, i});
    if (i % 5 < 2) first_deletes.push_back(In{i % 300, i, false});
    if (i % 5 == 2) second_deletes.push_back(In{i % 300, i, false});
  }
  ASSERT_TRUE(op->process(batch(true, rows), out).ok());
  // 40% removed: garbage, below the half of the arena that makes a compaction.
  ASSERT_TRUE(op->process(batch(true, first_deletes), out).ok());
  const int64_t before = op->state_stats().bytes;

  auto restored = make(true);
  const std::string image = written(*op->capture());
  StateReader reader(image);
  ASSERT_TRUE(restored->restore(reader).ok());
  EXPECT_EQ(restored->state_stats().bytes, before);

  // 20% more: past half, so the uninterrupted operator compacts; the restored one must too.
  for (auto* o : {op.get(), restored.get()}) {
    ASSERT_TRUE(o->process(batch(true, second_deletes), out).ok());
  }
  EXPECT_LT(op->state_stats().bytes, before);  // it did compact
  EXPECT_EQ(restored->state_stats().bytes, op->state_stats().bytes);
  EXPECT_EQ(restored->state_stats().groups, op->state_stats().groups);
  EXPECT_TRUE(written(*restored->capture()) == written(*op->capture()));
}

// Every truncation is refused (SLC-4001); a byte changed anywhere, in several ways, is refused
// or restores a state the operator can go on with: never a crash (run under ASan) or a loop.
TEST(OverState, RestoreRefusesADamagedState) {
  for (const bool changes : {true, false}) {
    SCOPED_TRACE(changes ? "as changes" : "on the watermark");
    auto op = make(changes);
    ASSERT_NE(op, nullptr);
    std::vector<RecordBatch> out;
    std::vector<In> rows;
    for (int i = 0; i < 24; ++i) rows.push_back(In{i % 4, (i * 7) % 23});
    ASSERT_TRUE(op->process(batch(changes, rows), out).ok());
    if (changes) {
      ASSERT_TRUE(op->process(batch(true, {In{1, 0, false}, In{2, 2, false}}), out).ok());
    }
    ASSERT_TRUE(op->on_watermark(10, out).ok());  // on the watermark: some released, some wait
    const std::string good = written(*op->capture());
    for (size_t cut = 0; cut < good.size(); ++cut) {
      auto r = make(changes);
      StateReader reader(std::string_view(good).substr(0, cut));
      EXPECT_EQ(r->restore(reader).code(), ErrorCode::kDataCorrupt) << "cut at " << cut;
    }
    for (const unsigned char flip : {0x01, 0xff}) {
      for (size_t at = 0; at < good.size(); ++at) {
        std::string bad = good;
        bad[at] = static_cast<char>(bad[at] ^ flip);
        auto r = make(changes);
        StateReader reader(bad);
        const Status s = r->restore(reader);
        if (!s.ok()) {
          EXPECT_EQ(s.code(), ErrorCode::kDataCorrupt) << s.to_string();
          continue;
        }
        std::vector<RecordBatch> more;
        (void)r->process(batch(changes, {In{1, 3}, In{3, 30}, In{9, 40}}), more);
        (void)r->on_watermark(kFinalWatermark, more);
      }
    }
  }
}

// A checkpoint written before the compact layout began with the watermark (no format byte) and
// kept the rows in maps: it is refused, naming the format, rather than misread.
TEST(OverState, AStateOfTheFormatBeforeTheCompactLayoutIsRefused) {
  for (const int64_t watermark : {kNoWatermark, int64_t{1'000'000}}) {
    StateWriter old;
    old.i64(watermark);
    old.i64(0);  // partitions
    old.i64(0);  // rows waiting for the watermark
    auto op = make(false);
    ASSERT_NE(op, nullptr);
    StateReader reader(old.bytes());
    const Status s = op->restore(reader);
    EXPECT_EQ(s.code(), ErrorCode::kDataCorrupt);
    EXPECT_NE(s.to_string().find("is not 2"), std::string::npos) << s.to_string();
  }
}

}  // namespace
}  // namespace sluice::dataflow
