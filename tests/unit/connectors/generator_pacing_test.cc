// A paced generator far along its events: the pace's arithmetic must not overflow (events *
// 1e9 passes int64 after ~9.2e9 events), whether the events were made in this run or before
// a restart resumed it there.

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <mutex>
#include <vector>

#include "common/mutex.h"
#include "common/wait_signal.h"
#include "connectors/generator/generator_source.h"
#include "connectors/generator/pacing.h"

namespace sluice::connectors {
namespace {

using namespace std::chrono_literals;

TEST(GeneratorPacing, PaceOffsetIsExactForLargeEventNumbers) {
  EXPECT_EQ(pace_offset(3, 7), std::chrono::nanoseconds(428'571'428));
  // 9.3e9 events at 1e6/s: 9,300 s; events * 1e9 alone would be past int64.
  EXPECT_EQ(pace_offset(9'300'000'000, 1'000'000), std::chrono::seconds(9'300));
  EXPECT_EQ(pace_offset(std::numeric_limits<int64_t>::max(), 1'000'000'000),
            std::chrono::nanoseconds(std::numeric_limits<int64_t>::max()));
  // Past what nanoseconds hold: the longest duration, not a wrapped (negative) one.
  EXPECT_EQ(pace_offset(std::numeric_limits<int64_t>::max(), 1), std::chrono::nanoseconds::max());
}

// An Ingest that records when each push came and what offset it carried.
class RecordingIngest final : public runtime::Ingest {
 public:
  Status push(runtime::SourceRuntime&, RecordBatch batch, int64_t offset) override {
    {
      MutexLock lock(mutex_);
      times_.push_back(SteadyClock::now());
      offsets_.push_back(offset);
      rows_ += batch.num_rows();
    }
    signal_.notify_all();
    return Status::Ok();
  }
  Status push_splits(runtime::SourceRuntime&, RecordBatch,
                     std::vector<runtime::SplitOffset>) override {
    return Status(ErrorCode::kUnsupported, "the generators push one offset");
  }
  Status advance_watermark(runtime::SourceRuntime&, int64_t) override { return Status::Ok(); }
  Status end_input(runtime::SourceRuntime&) override { return Status::Ok(); }
  void fail(const Status&) override {}
  void fail_after_input(runtime::SourceRuntime&, const Status&) override {}

  // Waits (bounded) until `n` pushes came; returns their times.
  std::vector<SteadyClock::time_point> wait_for_pushes(size_t n) {
    signal_.wait_until(
        [&] {
          MutexLock lock(mutex_);
          return times_.size() >= n;
        },
        deadline_after(30s));
    MutexLock lock(mutex_);
    return times_;
  }
  std::vector<int64_t> offsets() {
    MutexLock lock(mutex_);
    return offsets_;
  }

 private:
  Mutex mutex_;
  std::vector<SteadyClock::time_point> times_ GUARDED_BY(mutex_);
  std::vector<int64_t> offsets_ GUARDED_BY(mutex_);
  int64_t rows_ GUARDED_BY(mutex_) = 0;
  WaitSignal signal_;
};

TEST(GeneratorPacing, ResumedFarAlongItKeepsItsPace) {
  // Resumed just before events * 1e9 passes int64: a pace computed that way turns negative at
  // the next batch and the generator then runs unpaced.
  constexpr int64_t kResumeAt = std::numeric_limits<int64_t>::max() / 1'000'000'000;
  auto def = std::make_shared<sql::SourceDef>();
  def->name = "g";
  def->schema = make_schema({{"n", DataType::kInt64, false}});
  def->connector = "datagen";
  def->options = {{"rate", "1000"}, {"seed", "1"}, {"limit", "0"}};  // batches of 10 events
  auto source =
      std::make_shared<runtime::SourceRuntime>(0, def, 1 << 20, runtime::Overflow::kBlock);
  source->resume_offset.store(kResumeAt);
  auto ingest = std::make_shared<RecordingIngest>();
  GeneratorSource generator(GeneratorSource::Kind::kDatagen, ingest, source);
  const auto before = SteadyClock::now();
  generator.start();
  const std::vector<SteadyClock::time_point> times = ingest->wait_for_pushes(5);
  generator.stop();
  ASSERT_GE(times.size(), 5u);
  // Batch k is due k * 10 ms after the generator starts, and a sleep never ends early: the
  // fifth push comes at least 40 ms after the start (however late the first one was).
  EXPECT_GE(times[4] - before, 40ms);
  const std::vector<int64_t> offsets = ingest->offsets();
  EXPECT_EQ(offsets[0], kResumeAt + 10) << "it resumes at the checkpoint's event";
  EXPECT_EQ(offsets[4], kResumeAt + 50);
}

}  // namespace
}  // namespace sluice::connectors
