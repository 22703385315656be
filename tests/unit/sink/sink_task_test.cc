#include "sink/sink_task.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "connectors/console/console_sink.h"
#include "sluice/batch_builder.h"

namespace sluice::sink {
namespace {

using namespace std::chrono_literals;

RecordBatch rows(int64_t first, int n = 1) {
  BatchBuilder b(make_schema({{"n", DataType::kInt64}}));
  for (int i = 0; i < n; ++i) b.column(0).append_int64(first + i);
  return b.finish();
}

// A connector that logs every call, can be slow, can fail its first N writes, and buffers
// writes until flush() the way a real buffering sink does.
class ScriptedSink : public Sink {
 public:
  struct Shared {
    std::mutex mutex;
    std::vector<std::string> log;
    std::vector<int64_t> visible;  // rows made visible by flush()
    std::atomic<int> fail_writes{0};
    std::atomic<bool> fail_forever{false};
    std::atomic<bool> fail_flush{false};
    std::chrono::milliseconds write_delay{0};
    std::chrono::milliseconds open_delay{0};
    std::atomic<bool> fail_open{false};
    std::string error_location;  // where a failed write says it failed (set before writes)
    std::vector<SteadyClock::time_point> write_times;
    std::atomic<uint64_t> committed{0};  // what committed_epoch() says
  };
  explicit ScriptedSink(std::shared_ptr<Shared> shared) : s_(std::move(shared)) {}
  SinkCapabilities capabilities() const override { return {}; }
  Status open(const SinkContext& context) override {
    opened_with = context.write_timeout;
    std::this_thread::sleep_for(s_->open_delay);
    if (s_->fail_open.load()) return Status(ErrorCode::kUnavailable, "scripted open failure");
    return Status::Ok();
  }
  std::chrono::milliseconds opened_with{0};
  Status write(const RecordBatch& b) override {
    if (s_->write_delay.count()) std::this_thread::sleep_for(s_->write_delay);
    if (s_->fail_forever.load() || s_->fail_writes.fetch_sub(1) > 0) {
      return Status(ErrorCode::kIoError, "scripted write failure", s_->error_location);
    }
    std::lock_guard lock(s_->mutex);
    s_->log.push_back("write " + std::to_string(b.column(0).int64_value(0)));
    s_->write_times.push_back(SteadyClock::now());
    for (int64_t r = 0; r < b.num_rows(); ++r) pending_.push_back(b.column(0).int64_value(r));
    return Status::Ok();
  }
  Status flush() override {
    if (s_->fail_flush.load()) return Status(ErrorCode::kIoError, "scripted flush failure");
    std::lock_guard lock(s_->mutex);
    s_->visible.insert(s_->visible.end(), pending_.begin(), pending_.end());
    pending_.clear();
    return Status::Ok();
  }
  Status begin_epoch(uint64_t e) override { return note("begin " + std::to_string(e)); }
  Status pre_commit(uint64_t e) override { return note("pre_commit " + std::to_string(e)); }
  Status commit(uint64_t e) override { return note("commit " + std::to_string(e)); }
  Status rollback(uint64_t e) override { return note("rollback " + std::to_string(e)); }
  Result<uint64_t> committed_epoch() override {
    SLC_RETURN_IF_ERROR(note("committed_epoch"));
    return s_->committed.load();
  }
  Status recover(uint64_t c, const std::optional<StagedEpoch>&) override {
    return note("recover " + std::to_string(c));
  }
  Status close() override { return note("close"); }

 private:
  Status note(std::string what) {
    std::lock_guard lock(s_->mutex);
    s_->log.push_back(std::move(what));
    return Status::Ok();
  }
  std::shared_ptr<Shared> s_;
  std::vector<int64_t> pending_;
};

struct Harness {
  explicit Harness(SinkOptions options, std::chrono::milliseconds delay = 0ms) {
    shared->write_delay = delay;
    task = std::make_unique<SinkTask>("t", std::make_unique<ScriptedSink>(shared), options);
    EXPECT_TRUE(task->start(
                        {make_schema({{"n", DataType::kInt64}})},
                        [this](const Status& s) { failure = s.to_string(); }, nullptr)
                    ->wait()
                    .ok());
  }
  std::vector<std::string> log() {
    std::lock_guard lock(shared->mutex);
    return shared->log;
  }
  size_t visible() {
    std::lock_guard lock(shared->mutex);
    return shared->visible.size();
  }
  std::shared_ptr<ScriptedSink::Shared> shared = std::make_shared<ScriptedSink::Shared>();
  std::unique_ptr<SinkTask> task;
  std::string failure;
  std::atomic<bool> never{false};
};

TEST(SinkTask, CommandsRunInTheOrderTheyWereQueued) {
  Harness h(SinkOptions{}, 10ms);
  ASSERT_TRUE(h.task->begin_epoch(1).ok());
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(h.task->submit(rows(i), h.never).ok());
  // The pre-commit is queued behind the three writes: it must see all of them done.
  ASSERT_TRUE(h.task->pre_commit(1).ok());
  EXPECT_EQ(h.log(),
            (std::vector<std::string>{"begin 1", "write 1", "write 2", "write 3", "pre_commit 1"}));
  ASSERT_TRUE(h.task->submit(rows(4), h.never).ok());
  ASSERT_TRUE(h.task->commit(1).ok());
  ASSERT_TRUE(h.task->rollback(2).ok());
  ASSERT_TRUE(h.task->close().ok());
  EXPECT_EQ(h.log(),
            (std::vector<std::string>{"begin 1", "write 1", "write 2", "write 3", "pre_commit 1",
                                      "write 4", "commit 1", "rollback 2", "close"}));
  EXPECT_EQ(h.task->metrics().last_committed_epoch, 1);
  EXPECT_EQ(h.task->metrics().rows, 4);
}

// With checkpoints, an exactly-once connector that has published past the checkpoint is
// judged before it recovers anything: a refusal fails the open and leaves it closed.
TEST(SinkTask, AConnectorPublishedPastTheCheckpointIsJudgedBeforeRecovery) {
  for (bool accept : {false, true}) {
    auto shared = std::make_shared<ScriptedSink::Shared>();
    shared->committed = 9;
    SinkOptions o;
    o.exactly_once = true;
    SinkTask task("t", std::make_unique<ScriptedSink>(shared), o);
    uint64_t judged = 0;
    SinkTask::Resume resume;
    resume.epoch = 5;
    resume.committed_past = [&](uint64_t committed) {
      judged = committed;
      return accept ? Status::Ok() : Status(ErrorCode::kWouldDuplicate, "refused");
    };
    Status opened =
        task.start({make_schema({{"n", DataType::kInt64}}), resume}, nullptr, nullptr)->wait();
    EXPECT_EQ(judged, 9u);
    ASSERT_TRUE(task.close().ok());
    std::lock_guard lock(shared->mutex);
    if (accept) {
      EXPECT_TRUE(opened.ok()) << opened.to_string();
      EXPECT_EQ(shared->log, (std::vector<std::string>{"committed_epoch", "recover 5", "close"}));
    } else {
      EXPECT_EQ(opened.code(), ErrorCode::kWouldDuplicate);
      EXPECT_NE(opened.to_string().find("sink 't'"), std::string::npos) << opened.to_string();
      EXPECT_EQ(shared->log, (std::vector<std::string>{"committed_epoch", "close"}));
    }
  }
}

TEST(SinkTask, AConnectorBehindTheCheckpointIsNotJudged) {
  auto shared = std::make_shared<ScriptedSink::Shared>();
  shared->committed = 5;
  SinkOptions o;
  o.exactly_once = true;
  SinkTask task("t", std::make_unique<ScriptedSink>(shared), o);
  SinkTask::Resume resume;
  resume.epoch = 5;
  resume.committed_past = [](uint64_t) { return Status(ErrorCode::kWouldDuplicate, "no"); };
  ASSERT_TRUE(
      task.start({make_schema({{"n", DataType::kInt64}}), resume}, nullptr, nullptr)->wait().ok());
  ASSERT_TRUE(task.close().ok());
}

TEST(SinkTask, FlushesOnItsOwnTimerWithoutFurtherInput) {
  SinkOptions o;
  o.flush_interval = 100ms;
  Harness h(o);
  const auto start = SteadyClock::now();
  ASSERT_TRUE(h.task->submit(rows(1, 5), h.never).ok());
  while (h.visible() < 5 && SteadyClock::now() - start < 2s) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(h.visible(), 5u) << "buffered rows must become visible within flush.interval";
  EXPECT_LT(SteadyClock::now() - start, 600ms);
}

TEST(SinkTask, PeriodicFlushFailuresEscalateAfterRetryMax) {
  SinkOptions o;
  o.flush_interval = 10ms;
  o.retry_max = 2;
  Harness h(o);
  h.shared->fail_flush = true;  // no write fails: only the timer's flush sees the trouble
  ASSERT_TRUE(h.task->submit(rows(1), h.never).ok());
  const auto start = SteadyClock::now();
  while (h.task->metrics().state != "failed" && SteadyClock::now() - start < 5s)
    std::this_thread::sleep_for(5ms);
  const SinkMetrics m = h.task->metrics();
  EXPECT_EQ(m.state, "failed");
  EXPECT_EQ(m.write_errors, 3);  // the first try and retry.max retries
  EXPECT_EQ(m.retries, 2);
  EXPECT_NE(h.failure.find("periodic flush"), std::string::npos) << h.failure;
  EXPECT_NE(h.failure.find("scripted flush failure"), std::string::npos) << h.failure;
}

TEST(SinkTask, PeriodicFlushFailuresPauseAndRecover) {
  SinkOptions o;
  o.flush_interval = 10ms;
  o.retry_max = 1;
  o.on_error = OnError::kPause;
  Harness h(o);
  h.shared->fail_flush = true;
  ASSERT_TRUE(h.task->submit(rows(1, 3), h.never).ok());
  const auto start = SteadyClock::now();
  while (h.task->metrics().state != "paused" && SteadyClock::now() - start < 5s)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(h.task->metrics().state, "paused");
  h.shared->fail_flush = false;  // the destination is back: the rows it kept go out
  while (h.visible() < 3 && SteadyClock::now() - start < 5s) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(h.visible(), 3u);
  EXPECT_EQ(h.task->metrics().state, "running");
  EXPECT_TRUE(h.failure.empty());
}

TEST(SinkTask, RetriesAFailingWriteAndLosesNothing) {
  SinkOptions o;
  o.retry_max = 5;
  o.retry_backoff = 1ms;
  Harness h(o);
  h.shared->fail_writes = 3;
  ASSERT_TRUE(h.task->submit(rows(1), h.never).ok());
  ASSERT_TRUE(h.task->flush().ok());
  const SinkMetrics m = h.task->metrics();
  EXPECT_EQ(m.rows, 1);
  EXPECT_EQ(m.write_errors, 3);
  EXPECT_EQ(m.retries, 3);
  EXPECT_EQ(m.state, "running");
  EXPECT_TRUE(h.failure.empty());
  EXPECT_NE(m.last_error.find("scripted write failure"), std::string::npos)
      << "the error stays visible";
}

TEST(SinkTask, OnErrorFailReportsAndCountsWhatItGaveUp) {
  SinkOptions o;
  o.retry_max = 2;
  o.retry_backoff = 1ms;
  Harness h(o);
  h.shared->fail_forever = true;
  ASSERT_TRUE(h.task->submit(rows(1, 3), h.never).ok());
  ASSERT_TRUE(h.task->submit(rows(4, 2), h.never).ok());
  ASSERT_TRUE(h.task->flush().ok());
  const SinkMetrics m = h.task->metrics();
  EXPECT_EQ(m.state, "failed");
  EXPECT_EQ(m.failed_rows, 5) << "never dropped silently";
  EXPECT_EQ(m.retries, 2);
  EXPECT_NE(h.failure.find("SLC-0008 at sink 't': scripted write failure"), std::string::npos)
      << h.failure;
}

TEST(SinkTask, ShowsRetryingWhileItRetriesAWrite) {
  SinkOptions o;
  o.retry_max = 1000;
  o.retry_backoff = 1ms;
  Harness h(o);
  h.shared->fail_forever = true;
  ASSERT_TRUE(h.task->submit(rows(1), h.never).ok());
  const auto start = SteadyClock::now();
  while (h.task->metrics().state != "retrying" && SteadyClock::now() - start < 5s)
    std::this_thread::sleep_for(1ms);
  const SinkMetrics m = h.task->metrics();
  EXPECT_EQ(m.state, "retrying");
  EXPECT_NE(m.last_error.find("scripted write failure"), std::string::npos) << m.last_error;
  h.shared->fail_forever = false;  // the destination is back
  ASSERT_TRUE(h.task->flush().ok());
  EXPECT_EQ(h.task->metrics().state, "running");
  EXPECT_EQ(h.task->metrics().rows, 1);
  EXPECT_TRUE(h.failure.empty());
}

// How many times `what` occurs in `text`.
size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SinkTask, AFailureNamesItsSinkOnce) {
  SinkOptions o;
  o.retry_max = 0;
  Harness h(o);
  // A connector that locates its own errors at its sink (the PostgreSQL sink does: "sink 'pg',
  // epoch 7"), wrapped by the task, which locates at its sink too.
  h.shared->error_location = "sink 't', epoch 3";
  h.shared->fail_forever = true;
  ASSERT_TRUE(h.task->submit(rows(1), h.never).ok());
  ASSERT_TRUE(h.task->flush().ok());
  EXPECT_EQ(h.failure, "SLC-0008 at sink 't', epoch 3: scripted write failure");
  EXPECT_EQ(occurrences(h.failure, "sink 't'"), 1u) << h.failure;
  // The epoch it cannot commit says why, naming the sink once as well.
  const Status pre_committed = h.task->pre_commit(3);
  ASSERT_FALSE(pre_committed.ok());
  EXPECT_EQ(occurrences(pre_committed.to_string(), "sink 't'"), 1u) << pre_committed.to_string();
  EXPECT_NE(pre_committed.to_string().find("scripted write failure"), std::string::npos);
}

TEST(SinkTask, OnErrorPauseKeepsRetryingUntilTheSinkRecovers) {
  SinkOptions o;
  o.retry_max = 1;
  o.retry_backoff = 5ms;
  o.on_error = OnError::kPause;
  Harness h(o);
  h.shared->fail_forever = true;
  ASSERT_TRUE(h.task->submit(rows(1), h.never).ok());
  const auto start = SteadyClock::now();
  while (h.task->metrics().state != "paused" && SteadyClock::now() - start < 2s)
    std::this_thread::sleep_for(2ms);
  EXPECT_EQ(h.task->metrics().state, "paused");
  h.shared->fail_forever = false;
  ASSERT_TRUE(h.task->flush().ok());
  EXPECT_EQ(h.task->metrics().rows, 1);
  EXPECT_EQ(h.task->metrics().state, "running");
  EXPECT_TRUE(h.failure.empty());
}

TEST(SinkTask, OnErrorDeadLetterHandsTheBatchOn) {
  SinkOptions o;
  o.retry_max = 0;
  o.on_error = OnError::kDeadLetter;
  o.dead_letter_sink = "dlq";
  auto shared = std::make_shared<ScriptedSink::Shared>();
  shared->fail_forever = true;
  SinkTask task("t", std::make_unique<ScriptedSink>(shared), o);
  std::vector<int64_t> dead;
  auto opened =
      task.start({make_schema({{"n", DataType::kInt64}})}, nullptr, [&](const RecordBatch& b) {
        dead.push_back(b.column(0).int64_value(0));
        return Status::Ok();
      });
  ASSERT_TRUE(opened->wait().ok());
  std::atomic<bool> never{false};
  ASSERT_TRUE(task.submit(rows(7), never).ok());
  ASSERT_TRUE(task.flush().ok());
  EXPECT_EQ(dead, std::vector<int64_t>{7});
  EXPECT_EQ(task.metrics().dead_lettered_rows, 1);
  EXPECT_EQ(task.metrics().state, "running");
}

// The connector opens on the task's own thread: a slow open holds up nobody else, and what
// was queued meanwhile is written after it, in order.
TEST(SinkTask, OpensOnItsOwnThread) {
  auto shared = std::make_shared<ScriptedSink::Shared>();
  shared->open_delay = 300ms;
  SinkTask task("t", std::make_unique<ScriptedSink>(shared), SinkOptions{});
  const auto start = SteadyClock::now();
  auto opened = task.start({make_schema({{"n", DataType::kInt64}})}, nullptr, nullptr);
  std::atomic<bool> never{false};
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(task.submit(rows(i), never).ok());
  EXPECT_LT(SteadyClock::now() - start, 250ms) << "start() and submit() waited for the open";
  EXPECT_EQ(task.metrics().state, "opening");
  ASSERT_TRUE(opened->wait().ok());
  ASSERT_TRUE(task.flush().ok());
  EXPECT_EQ(task.metrics().state, "running");
  std::lock_guard lock(shared->mutex);
  EXPECT_EQ(shared->log, (std::vector<std::string>{"write 1", "write 2", "write 3"}));
}

TEST(SinkTask, AFailedOpenRefusesWhatWasQueued) {
  auto shared = std::make_shared<ScriptedSink::Shared>();
  shared->open_delay = 100ms;
  shared->fail_open = true;
  SinkTask task("t", std::make_unique<ScriptedSink>(shared), SinkOptions{});
  auto opened = task.start({make_schema({{"n", DataType::kInt64}})}, nullptr, nullptr);
  std::atomic<bool> never{false};
  ASSERT_TRUE(task.submit(rows(1, 4), never).ok());
  const Status s = opened->wait();
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_NE(s.to_string().find("sink 't'"), std::string::npos) << s.to_string();
  EXPECT_EQ(task.flush().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(task.pre_commit(1).code(), ErrorCode::kUnavailable);
  const SinkMetrics m = task.metrics();
  EXPECT_EQ(m.state, "failed");
  EXPECT_EQ(m.failed_rows, 4);
  EXPECT_EQ(m.rows, 0);
  EXPECT_TRUE(task.close().ok());
  std::lock_guard lock(shared->mutex);
  EXPECT_TRUE(shared->log.empty()) << "nothing may reach a connector that did not open";
}

TEST(SinkTask, QueueFullPolicies) {
  std::atomic<bool> never{false};
  {  // drop: counted, and submit never waits
    SinkOptions o;
    o.queue_capacity = 2;
    o.queue_full = QueueFull::kDrop;
    Harness h(o, 50ms);
    const auto start = SteadyClock::now();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(h.task->submit(rows(i), never).ok());
    // Waiting for room would take 8 writes of 50 ms; the margin is for a loaded machine.
    EXPECT_LT(SteadyClock::now() - start, 200ms);
    ASSERT_TRUE(h.task->flush().ok());
    const SinkMetrics m = h.task->metrics();
    EXPECT_GT(m.dropped_rows, 0);
    EXPECT_EQ(m.rows + m.dropped_rows, 10);
    EXPECT_GT(m.backpressure_events, 0);
  }
  {  // fail: an error naming the sink
    SinkOptions o;
    o.queue_capacity = 1;
    o.queue_full = QueueFull::kFail;
    Harness h(o, 50ms);
    Status s;
    for (int i = 0; i < 5 && s.ok(); ++i) s = h.task->submit(rows(i), never);
    EXPECT_EQ(s.code(), ErrorCode::kResourceExhausted);
    EXPECT_NE(s.to_string().find("sink 't'"), std::string::npos);
  }
  {  // block: submit waits for room, nothing lost
    SinkOptions o;
    o.queue_capacity = 1;
    Harness h(o, 20ms);
    const auto start = SteadyClock::now();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(h.task->submit(rows(i), never).ok());
    EXPECT_GE(SteadyClock::now() - start, 40ms) << "the producer should have waited";
    ASSERT_TRUE(h.task->flush().ok());
    EXPECT_EQ(h.task->metrics().rows, 5);
  }
}

// Sinks are written independently: a slow sink delays nobody until its own queue is full.
TEST(SinkTask, ASlowSinkDelaysNobody) {
  Harness slow(SinkOptions{}, 50ms), fast1(SinkOptions{}, 5ms), fast2(SinkOptions{}, 5ms);
  constexpr int kBatches = 20;
  std::atomic<bool> never{false};
  const auto start = SteadyClock::now();
  for (int i = 0; i < kBatches; ++i) {
    for (Harness* h : {&slow, &fast1, &fast2}) ASSERT_TRUE(h->task->submit(rows(i), never).ok());
  }
  const double handed_over_ms =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
  ASSERT_TRUE(slow.task->flush().ok());
  ASSERT_TRUE(fast1.task->flush().ok());
  ASSERT_TRUE(fast2.task->flush().ok());
  auto finished = [&](Harness& h) {
    std::lock_guard lock(h.shared->mutex);
    return h.shared->write_times.back() - start;
  };
  const auto slowest = std::chrono::duration<double, std::milli>(finished(slow)).count();
  const auto fast =
      std::chrono::duration<double, std::milli>(std::max(finished(fast1), finished(fast2))).count();
  const double slow_alone = kBatches * 50.0;
  // Waiting for the slow sink would take 20 writes of 50 ms.
  EXPECT_LT(handed_over_ms, 250) << "hand-over must not wait for sinks";
  EXPECT_LE(slowest, 1.2 * slow_alone)
      << "delivery took " << slowest << " ms; the slowest sink alone needs " << slow_alone;
  EXPECT_LE(fast, 0.5 * slow_alone)
      << "fast sinks finished after " << fast << " ms, held back by the slow one";
}

TEST(SinkTask, WritesOverWriteTimeoutAreCountedAndReported) {
  SinkOptions o;
  o.write_timeout = 10ms;
  Harness h(o, 30ms);
  std::atomic<bool> never{false};
  ASSERT_TRUE(h.task->submit(rows(1), never).ok());
  ASSERT_TRUE(h.task->flush().ok());
  const SinkMetrics m = h.task->metrics();
  EXPECT_EQ(m.rows, 1) << "the write itself succeeded";
  EXPECT_EQ(m.slow_writes, 1);
  EXPECT_NE(m.last_error.find("longer than write.timeout (10 ms)"), std::string::npos)
      << m.last_error;
}

TEST(ConsoleSink, WritesJsonLinesOrATable) {
  for (bool jsonl : {true, false}) {
    std::FILE* out = std::tmpfile();
    auto sink = connectors::console::make_console_sink(jsonl, out);
    ASSERT_TRUE(sink->open(SinkContext{"c", make_schema({{"n", DataType::kInt64}}), 1000ms}).ok());
    ASSERT_TRUE(sink->write(rows(1, 2)).ok());
    ASSERT_TRUE(sink->close().ok());
    std::rewind(out);
    char buf[256] = {};
    const size_t n = std::fread(buf, 1, sizeof buf - 1, out);
    std::fclose(out);
    EXPECT_EQ(std::string(buf, n), jsonl ? "{\"n\":1}\n{\"n\":2}\n" : "n\n-\n1\n2\n");
    EXPECT_EQ(sink->bytes_written(), static_cast<int64_t>(n));
  }
}

}  // namespace
}  // namespace sluice::sink
