// Processing-time windows on a clock the test sets (dataflow/processing_clock.h): PROCTIME()
// stamps each batch with the clock, a TUMBLE over it closes when the clock passes its end (not
// when the input's watermark does), the end of input closes the rest, and a restored window keeps
// its end, with the clock never behind the checkpoint's processing time.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/test_graph.h"

namespace sluice::dataflow {
namespace {

constexpr int64_t kSecond = 1'000'000;

constexpr const char* kDdl[] = {
    "CREATE SOURCE bid (bidder BIGINT, ts TIMESTAMP)",
    "CREATE STREAM b AS SELECT *, PROCTIME() AS p_time FROM bid",
    "CREATE STREAM counts AS SELECT bidder, COUNT(*) AS n, window_start, window_end FROM b "
    "GROUP BY bidder, TUMBLE(p_time, INTERVAL '10' SECOND)",
};

// A pipeline whose processing clock reads `now`, and the rows `counts` emitted.
struct Pipeline : Output {
  Pipeline() {
    for (const char* sql : kDdl) EXPECT_TRUE(p.execute(sql).ok()) << sql;
    p.graph.processing_clock().set_source([this] { return now; });
    p.graph.find("counts")->set_output(this);
  }
  void deliver(const RecordBatch& b) override {
    for (int64_t r = 0; r < b.num_rows(); ++r) {
      std::string row;
      for (int c = 0; c < b.num_columns(); ++c)
        row += (c ? "|" : "") + b.column(c).value_to_string(r);
      rows.push_back(row);
    }
  }
  Status push(int bidder, const char* ts) {
    return p.push_json("bid", "{\"bidder\":" + std::to_string(bidder) + ",\"ts\":\"" + ts + "\"}");
  }
  std::vector<std::string> take() { return std::exchange(rows, {}); }

  TestGraph p;
  int64_t now = 0;
  std::vector<std::string> rows;
};

// 1970-01-01T00:16:40Z is 1000 s.
TEST(ProcessingTime, AWindowClosesWhenTheClockPassesItsEndNotTheWatermark) {
  Pipeline pl;
  EXPECT_TRUE(pl.p.graph.has_processing_time());
  pl.now = 1001 * kSecond;
  ASSERT_TRUE(pl.push(7, "2026-11-24T10:00:00Z").ok());
  ASSERT_TRUE(pl.push(7, "2026-11-24T10:00:01Z").ok());
  pl.now = 1003 * kSecond;
  ASSERT_TRUE(pl.push(8, "2026-11-24T10:00:02Z").ok());
  // The event-time watermark passed every row, by days: no processing-time window closes.
  ASSERT_TRUE(pl.p.graph.source("bid")->advance_watermark(1'900'000'000 * kSecond).ok());
  EXPECT_TRUE(pl.take().empty());
  // Not started: the clock is read at once; then its next window end.
  EXPECT_EQ(pl.p.graph.next_processing_deadline(), kNoWatermark);
  ASSERT_TRUE(pl.p.graph.advance_processing_time().ok());
  EXPECT_TRUE(pl.take().empty());
  EXPECT_EQ(pl.p.graph.next_processing_deadline(), 1010 * kSecond);

  // The clock has not reached the end: nothing; then it has, with no further row.
  pl.now = 1009 * kSecond;
  ASSERT_TRUE(pl.p.graph.advance_processing_time().ok());
  EXPECT_TRUE(pl.take().empty());
  pl.now = 1010 * kSecond;
  ASSERT_TRUE(pl.p.graph.advance_processing_time().ok());
  std::vector<std::string> got = pl.take();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"7|2|1970-01-01T00:16:40Z|1970-01-01T00:16:50Z",
                                           "8|1|1970-01-01T00:16:40Z|1970-01-01T00:16:50Z"}));
  EXPECT_EQ(pl.p.graph.next_processing_deadline(), 1020 * kSecond);

  // A row processed now falls into the next window, which the end of input closes.
  ASSERT_TRUE(pl.push(7, "2026-11-24T10:00:03Z").ok());
  ASSERT_TRUE(pl.p.end_all_inputs().ok());
  EXPECT_EQ(pl.take(), (std::vector<std::string>{"7|1|1970-01-01T00:16:50Z|1970-01-01T00:17:00Z"}));
}

TEST(ProcessingTime, TheClockNeverMovesBack) {
  Pipeline pl;
  pl.now = 1015 * kSecond;
  ASSERT_TRUE(pl.p.graph.advance_processing_time().ok());
  // The system clock stepped back: rows are stamped no earlier than the window already closed.
  pl.now = 1005 * kSecond;
  ASSERT_TRUE(pl.push(7, "2026-11-24T10:00:00Z").ok());
  ASSERT_TRUE(pl.p.end_all_inputs().ok());
  EXPECT_EQ(pl.take(), (std::vector<std::string>{"7|1|1970-01-01T00:16:50Z|1970-01-01T00:17:00Z"}));
  EXPECT_EQ(pl.p.graph.find("counts")->stats().late_rows_dropped, 0);
}

TEST(ProcessingTime, ARestoredWindowKeepsItsEndAndClosesOnceTheClockPassesIt) {
  Pipeline before;
  before.now = 1012 * kSecond;
  ASSERT_TRUE(before.p.graph.advance_processing_time().ok());
  ASSERT_TRUE(before.push(7, "2026-11-24T10:00:00Z").ok());
  ASSERT_TRUE(before.push(8, "2026-11-24T10:00:01Z").ok());
  StateWriter writer;
  before.p.graph.snapshot(writer);

  // Restored on a machine whose clock is behind the checkpoint's: the clock starts at the
  // processing time the checkpoint had reached, so the restored window [1010 s, 1020 s) is
  // still open and a row processed now joins it.
  Pipeline after;
  after.now = 900 * kSecond;
  StateReader reader(writer.bytes());
  ASSERT_TRUE(after.p.graph.restore(reader).ok());
  ASSERT_TRUE(after.push(7, "2026-11-24T10:00:02Z").ok());
  ASSERT_TRUE(after.p.graph.advance_processing_time().ok());
  EXPECT_TRUE(after.take().empty());
  // The clock is long past its end: it closes at the first advance.
  after.now = 5000 * kSecond;
  ASSERT_TRUE(after.p.graph.advance_processing_time().ok());
  std::vector<std::string> got = after.take();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"7|2|1970-01-01T00:16:50Z|1970-01-01T00:17:00Z",
                                           "8|1|1970-01-01T00:16:50Z|1970-01-01T00:17:00Z"}));
}

}  // namespace
}  // namespace sluice::dataflow
