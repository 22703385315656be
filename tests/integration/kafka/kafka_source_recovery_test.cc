// The kafka source where a run does not go smoothly or does not start at the beginning, against
// the mock cluster in its own process (support/kafka_mock.h): the broker down for 10 s mid-run
// (librdkafka retries; every message reaches an exactly-once file sink once), `start = latest`
// and `start = <timestamp>` end to end, and Kafka → sluice → Kafka exactly-once through the built
// `sluice run` killed at checkpoint fault points and restarted: the source's offsets and the
// sink's transactions are in the same checkpoints, so the output topic holds the input once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "faults/sluice_process.h"
#include "sluice/database.h"
#include "support/kafka_mock.h"
#include "support/kafka_reader.h"
#include "support/kafka_writer.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::KafkaMock;
using testing::OutgoingMessage;
using testing::ProcessResult;
using testing::read_topic;
using testing::run_sluice;
using testing::write_topic;

// 2026-11-30T00:00:00Z in milliseconds since the epoch.
constexpr int64_t kMidnightMs = 1'795'996'800'000;

// {"n": i} for i in [first, first + count), over `partitions` partitions (i mod), message i's
// timestamp kMidnightMs + i seconds.
std::vector<OutgoingMessage> numbers(int first, int count, int partitions) {
  std::vector<OutgoingMessage> out;
  for (int i = first; i < first + count; ++i) {
    OutgoingMessage m;
    m.partition = i % partitions;
    m.value = "{\"n\": " + std::to_string(i) + "}";
    m.timestamp_ms = kMidnightMs + int64_t{i} * 1000;
    out.push_back(std::move(m));
  }
  return out;
}

// The mock makes a member that joins a group others have left wait the session timeout less 1 s
// (tests/integration/README.md): short sessions keep those waits short.
const char* const kShortSession =
    "properties.session.timeout.ms = '3000', properties.heartbeat.interval.ms = '500'";

// n → how many lines {"n":N} the published parts under `dir` hold (dot files are unpublished).
std::map<int64_t, int> published(const fs::path& dir) {
  std::map<int64_t, int> seen;
  if (!fs::exists(dir)) return seen;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string()[0] == '.') continue;
    std::ifstream part(entry.path());
    for (std::string line; std::getline(part, line);)
      ++seen[std::stoll(line.substr(line.find(':') + 1))];
  }
  return seen;
}

class KafkaSourceRecovery : public ::testing::Test {
 protected:
  std::unique_ptr<Database> open(DatabaseOptions options = {}) {
    auto db = Database::open(options);
    EXPECT_TRUE(db.ok()) << db.status().to_string();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  static void exec(Database& db, const std::string& sql) {
    auto r = db.execute(sql);
    ASSERT_TRUE(r.ok()) << r.status().to_string() << "\n" << sql;
  }
  std::string with(const std::string& topic, const std::string& options) const {
    return "WITH (connector = 'kafka', bootstrap.servers = '" + mock_.bootstrap() + "', topic = '" +
           topic + "', " + options + ")";
  }
  // Rows of the subscription until `count` came (or 30 s passed): column 0 as BIGINT.
  static std::multiset<int64_t> receive(Subscription& sub, size_t count) {
    std::multiset<int64_t> got;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
      Result<RecordBatch> batch = sub.recv_for(200ms);
      if (!batch.ok()) continue;
      for (int64_t r = 0; r < batch->num_rows(); ++r) got.insert(batch->column(0).int64_value(r));
    }
    return got;
  }
  static std::multiset<int64_t> range(int first, int count) {
    std::multiset<int64_t> s;
    for (int i = first; i < first + count; ++i) s.insert(i);
    return s;
  }
  // Until the source has been given `partitions` partitions (its lag metric lists each).
  static bool wait_assigned(Database& db, const std::string& source, size_t partitions) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (db.source_metrics(source)->partition_lag.size() >= partitions) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  // Until every n in [0, count) is published under `dir` (bounded): the last look.
  static std::map<int64_t, int> wait_published(const fs::path& dir, int64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::map<int64_t, int> seen;
    for (;;) {
      seen = published(dir);
      bool complete = true;
      for (int64_t n = 0; n < count && complete; ++n) complete = seen.count(n) > 0;
      if (complete || std::chrono::steady_clock::now() > deadline) return seen;
      std::this_thread::sleep_for(100ms);
    }
  }

  KafkaMock mock_{1, {"in:4", "out:1", "_sluice_progress:1"}};
  sluice::testing::TempDir tmp_{"sluice_kafka_source_recovery_"};
};

// The "broker down for 10 s mid-run" for the source: while the broker is down the
// consumer's fetches and the checkpoints' offset commits fail and librdkafka retries them; once
// it is up the source goes on from where it was. Every message reaches the exactly-once file
// sink once: nothing lost, nothing read twice.
TEST_F(KafkaSourceRecovery, ABrokerDownForTenSecondsMidRunLosesAndRepeatsNothing) {
  DatabaseOptions options;
  options.data_dir = (tmp_ / "data").string();
  options.checkpoint_interval = 200ms;
  auto db = open(options);
  exec(*db, "CREATE SOURCE k (n BIGINT) " +
                with("in", std::string("group.id = 'down', ") + kShortSession));
  exec(*db, "CREATE SINK f FROM k INTO file (path = '" + (tmp_ / "out").string() +
                "', delivery = 'exactly-once')");
  ASSERT_TRUE(db->start().ok());
  write_topic(mock_.bootstrap(), "in", numbers(0, 1000, 4));
  ASSERT_EQ(wait_published(tmp_ / "out", 1000).size(), 1000u);
  mock_.command("down 1");
  std::this_thread::sleep_for(10s);  // checkpoints go on meanwhile, with the source's offsets
  mock_.command("up 1");
  write_topic(mock_.bootstrap(), "in", numbers(1000, 1000, 4));
  const std::map<int64_t, int> seen = wait_published(tmp_ / "out", 2000);
  EXPECT_TRUE(db->status().ok()) << db->status().to_string();
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(seen.size(), 2000u) << "a message is missing";
  for (const auto& [n, count] : seen) EXPECT_EQ(count, 1) << n;
  EXPECT_EQ(seen.begin()->first, 0);
  EXPECT_EQ(seen.rbegin()->first, 1999);
}

// start = 'latest': what the topic held when the source was given its partitions is not read;
// everything written after is, once.
TEST_F(KafkaSourceRecovery, StartLatestReadsOnlyWhatIsWrittenAfterTheSourceStarts) {
  write_topic(mock_.bootstrap(), "in", numbers(0, 400, 4));
  auto db = open();
  exec(*db, "CREATE SOURCE k (n BIGINT) " + with("in", "start = 'latest'"));
  auto sub = db->subscribe("k");
  ASSERT_TRUE(db->start().ok());
  ASSERT_TRUE(wait_assigned(*db, "k", 4));
  write_topic(mock_.bootstrap(), "in", numbers(400, 200, 4));
  EXPECT_EQ(receive(*sub, 200), range(400, 200));
  Result<RecordBatch> more = sub->recv_for(1s);
  EXPECT_FALSE(more.ok() && more->num_rows() > 0) << "a message before the start was read";
  ASSERT_TRUE(db->shutdown().ok());
}

// start = a timestamp: each partition from its first message at or after it; with none (the
// timestamp is after every message: message i is at midnight + i s, the last at 00:06:39), from
// the partition's end, so only what is written after the source starts is read. (The 2.0.2 mock
// answers every lookup by time with "no such offset", so a timestamp inside the partitions is
// not shown here: tests/integration/README.md.)
TEST_F(KafkaSourceRecovery, StartAtATimestampAfterEveryMessageReadsOnlyLaterOnes) {
  write_topic(mock_.bootstrap(), "in", numbers(0, 400, 4));
  auto db = open();
  exec(*db, "CREATE SOURCE k (n BIGINT) " + with("in", "start = '2026-11-30T01:00:00Z'"));
  auto sub = db->subscribe("k");
  ASSERT_TRUE(db->start().ok());
  ASSERT_TRUE(wait_assigned(*db, "k", 4));
  write_topic(mock_.bootstrap(), "in", numbers(4000, 100, 4));  // at 01:06:40 and after
  EXPECT_EQ(receive(*sub, 100), range(4000, 100));
  Result<RecordBatch> more = sub->recv_for(1s);
  EXPECT_FALSE(more.ok() && more->num_rows() > 0) << "a message before the start was read";
  ASSERT_TRUE(db->shutdown().ok());
}

// Kafka → sluice → Kafka exactly-once through `sluice run`, killed (SIGKILL) at one of the
// checkpoint's fault points (src/common/fault_point.h), then restarted, then run again with more
// input. The source's offsets and the sink's epoch are in the same checkpoint, so recovery either
// commits the epoch and resumes the source after its rows, or drops it and reads them again.
//
// The 2.0.2 mock returns an aborted transaction's messages too (read_committed is not modelled:
// tests/integration/README.md), so after a kill before the commit the output shows the aborted
// epoch's copy beside the committed one; a broker hides it. What is checked: every input message
// is in the output; killed after the commit, each exactly once; otherwise the copies beyond the
// first are exactly the first run's rows (one aborted epoch); and the progress topic records each
// committed epoch once, in order.
class KafkaToKafka : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::ofstream(tmp_ / "pipeline.sql")
        << "CREATE SOURCE k (n BIGINT) WITH (connector = 'kafka', bootstrap.servers = '"
        << mock_.bootstrap() << "', topic = 'in', group.id = 'relay', " << kShortSession
        << ");\n"
           "CREATE SINK out FROM k INTO kafka (bootstrap.servers = '"
        << mock_.bootstrap() << "', topic = 'out', delivery = 'exactly-once');\n";
  }
  // One run of 8 s (the mock holds a group's first join 3 s, and a rejoin after a kill the
  // session timeout): it checkpoints at its end only, so each run is one epoch.
  ProcessResult run(std::vector<std::string> env = {}) {
    return run_sluice({"run", (tmp_ / "pipeline.sql").string(), "--data-dir",
                       (tmp_ / "data").string(), "--checkpoint-interval", "1h", "--for", "8s"},
                      tmp_ / ("run" + std::to_string(++runs_) + ".log"), env);
  }
  // n → how many messages of the output topic hold it.
  std::map<int64_t, int> output() const {
    std::map<int64_t, int> seen;
    for (const auto& m : read_topic(mock_.bootstrap(), "out")) {
      const std::string& v = *m.value;  // {"n":N}
      ++seen[std::stoll(v.substr(v.find(':') + 1))];
    }
    return seen;
  }

  KafkaMock mock_{1, {"in:4", "out:1", "_sluice_progress:1"}};
  sluice::testing::TempDir tmp_{"sluice_kafka_to_kafka_"};
  int runs_ = 0;
};

TEST_P(KafkaToKafka, KilledAtAFaultPointAndRestartedTheOutputHoldsTheInputOnce) {
  const std::string point = GetParam();
  write_topic(mock_.bootstrap(), "in", numbers(0, 2000, 4));
  const ProcessResult killed = run({"SLUICE_FAULT=" + point});
  ASSERT_EQ(killed.signal, SIGKILL) << killed.output;
  const ProcessResult restarted = run();
  ASSERT_TRUE(restarted.exited(0)) << restarted.output;
  write_topic(mock_.bootstrap(), "in", numbers(2000, 500, 4));
  const ProcessResult more = run();
  ASSERT_TRUE(more.exited(0)) << more.output;

  const std::map<int64_t, int> seen = output();
  ASSERT_EQ(seen.size(), 2500u) << "a message is missing";
  EXPECT_EQ(seen.rbegin()->first, 2499);
  int twice = 0;
  for (const auto& [n, count] : seen) {
    ASSERT_LE(count, 2) << n;
    if (count == 2) {
      ++twice;
      EXPECT_LT(n, 2000) << "a row of a later run was sent twice";
    }
  }
  if (point == std::string("after_commit")) {
    EXPECT_EQ(twice, 0);  // nothing was aborted: what a broker shows too
  } else {
    EXPECT_EQ(twice, 2000);  // the first run's aborted epoch, then its rows once more
  }

  std::vector<uint64_t> epochs;
  for (const auto& m : read_topic(mock_.bootstrap(), "_sluice_progress"))
    epochs.push_back(std::stoull(*m.value));
  EXPECT_EQ(epochs.size(), 2u);  // the first run's rows (sent, re-sent or replayed), the last run's
  for (size_t i = 1; i < epochs.size(); ++i) EXPECT_LT(epochs[i - 1], epochs[i]);
}

INSTANTIATE_TEST_SUITE_P(FaultPoints, KafkaToKafka,
                         ::testing::Values("after_pre_commit", "after_manifest", "after_commit"));

}  // namespace
}  // namespace sluice
