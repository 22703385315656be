// The kafka source end to end: a Database reads topics of a mock cluster in another process
// (support/kafka_mock.h) over TCP, written by a plain librdkafka producer
// (support/kafka_writer.h). JSON and CSV messages from every partition, the message timestamp as
// a column, offsets in checkpoints and committed to the group, bad messages skipped or fatal
// with their position, an unknown topic and an address that does not answer; watermark
// alignment (partitions paused, the consumer kept in its group); and file → sluice → Kafka →
// sluice → file with exactly the input's rows.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "columnar/timestamp.h"
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
using testing::write_topic;

// {"n": i} for i in [first, first + count), spread over `partitions` partitions (i mod).
std::vector<OutgoingMessage> numbers(int first, int count, int partitions) {
  std::vector<OutgoingMessage> out;
  for (int i = first; i < first + count; ++i) {
    OutgoingMessage m;
    m.partition = i % partitions;
    m.value = "{\"n\": " + std::to_string(i) + "}";
    out.push_back(std::move(m));
  }
  return out;
}

// The group's committed offsets of `topic`'s partitions [0, partitions), as a standard tool
// (kafka-consumer-groups) reads them: -1 where none is committed.
std::map<int32_t, int64_t> committed_offsets(const std::string& bootstrap, const std::string& group,
                                             const std::string& topic, int partitions) {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), why, sizeof why);
  rd_kafka_conf_set(conf, "group.id", group.c_str(), why, sizeof why);
  rd_kafka_conf_set(conf, "log_level", "3", why, sizeof why);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int32_t p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  std::map<int32_t, int64_t> out;
  if (rd_kafka_committed(rk, list, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  return out;
}

// The 2.0.2 mock makes a member that joins a group others have left wait the session timeout
// less 1 s (tests/integration/README.md): short sessions keep those waits short.
const std::string kShortSession =
    "properties.session.timeout.ms = '3000', properties.heartbeat.interval.ms = '500'";

// Sets the group's committed offsets of `topic` (partition → offset), e.g. a reset by
// kafka-consumer-groups: as a member of the group (the mock refuses commits from outside it), which
// joins, commits and leaves.
void commit_offsets(const std::string& bootstrap, const std::string& group,
                    const std::string& topic, const std::map<int32_t, int64_t>& offsets) {
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [key, value] :
       std::map<std::string, std::string>{{"bootstrap.servers", bootstrap},
                                          {"group.id", group},
                                          {"enable.auto.commit", "false"},
                                          {"session.timeout.ms", "3000"},
                                          {"heartbeat.interval.ms", "500"},
                                          {"log_level", "3"}}) {
    rd_kafka_conf_set(conf, key.c_str(), value.c_str(), why, sizeof why);
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  for (;;) {  // until the group has assigned the partitions (the default rebalance: assign all)
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m != nullptr) rd_kafka_message_destroy(m);
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    rd_kafka_assignment(rk, &assigned);
    const bool ready = assigned != nullptr && assigned->cnt == static_cast<int>(offsets.size());
    if (assigned != nullptr) rd_kafka_topic_partition_list_destroy(assigned);
    if (ready) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no assignment for " << group;
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(0);
  for (const auto& [p, offset] : offsets)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = offset;
  EXPECT_EQ(rd_kafka_commit(rk, list, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

class KafkaSource : public ::testing::Test {
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
  std::string with(const std::string& topic, const std::string& options = "") const {
    return "WITH (connector = 'kafka', bootstrap.servers = '" + mock_.bootstrap() + "', topic = '" +
           topic + "'" + (options.empty() ? "" : ", " + options) + ")";
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

  KafkaMock mock_{1, {"in:4", "csv:1", "out:3", "wm:2", "fast:1", "slow:1"}};
  sluice::testing::TempDir tmp_{"sluice_kafka_source_"};
};

TEST_F(KafkaSource, ReadsJsonMessagesFromEveryPartition) {
  write_topic(mock_.bootstrap(), "in", numbers(0, 1000, 4));
  auto db = open();
  exec(*db, "CREATE SOURCE k (n BIGINT) " + with("in"));
  auto sub = db->subscribe("k");
  ASSERT_TRUE(sub.ok()) << sub.status().to_string();
  ASSERT_TRUE(db->start().ok());
  EXPECT_EQ(receive(*sub, 1000), range(0, 1000));
  // The lag per partition: all read.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  SourceMetrics m;
  do {
    std::this_thread::sleep_for(50ms);
    m = db->source_metrics("k").value();
  } while (m.partition_lag.size() < 4 && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(m.partition_lag.size(), 4u);
  for (const auto& [split, lag] : m.partition_lag) EXPECT_EQ(lag, 0) << split;
  EXPECT_TRUE(m.partition_lag.count("in/3"));
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(KafkaSource, CsvMessagesAndTheMessageTimestampAsAColumn) {
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 3; ++i) {
    OutgoingMessage m;
    m.partition = 0;
    m.value = std::to_string(i) + ";name " + std::to_string(i);
    m.timestamp_ms = 1'790'000'000'000 + i * 1000;
    messages.push_back(m);
  }
  write_topic(mock_.bootstrap(), "csv", messages);
  auto db = open();
  exec(*db, "CREATE SOURCE k (n BIGINT, ts TIMESTAMP, s VARCHAR) " +
                with("csv", "format = 'csv', delimiter = ';', timestamp.column = 'ts'"));
  auto sub = db->subscribe("k");
  ASSERT_TRUE(db->start().ok());
  std::vector<std::string> rows;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (rows.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    Result<RecordBatch> batch = sub->recv_for(200ms);
    if (!batch.ok()) continue;
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      rows.push_back(std::to_string(batch->column(0).int64_value(r)) + " " +
                     std::to_string(batch->column(1).int64_value(r)) + " " +
                     std::string(batch->column(2).string_value(r)));
    }
  }
  EXPECT_EQ(rows,
            (std::vector<std::string>{"0 1790000000000000 name 0", "1 1790000001000000 name 1",
                                      "2 1790000002000000 name 2"}));
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(KafkaSource, BadMessagesAreSkippedAndCountedWithTheirPosition) {
  std::vector<OutgoingMessage> messages = numbers(0, 10, 1);
  messages[3].value = "{\"n\": \"three\"}";
  messages[7].value = "not json";
  write_topic(mock_.bootstrap(), "csv", messages);
  auto db = open();
  exec(*db, "CREATE SOURCE k (n BIGINT) " + with("csv", "on.error = 'skip'"));
  auto sub = db->subscribe("k");
  ASSERT_TRUE(db->start().ok());
  std::multiset<int64_t> want = range(0, 10);
  want.erase(3);
  want.erase(7);
  EXPECT_EQ(receive(*sub, 8), want);
  EXPECT_EQ(db->source_metrics("k")->skipped_lines, 2);
  ASSERT_TRUE(db->shutdown().ok());
}

// Bad messages skipped after the last row pushed (the tail of what was read) still move their
// partition's offset into the next checkpoint: after a restart they are not read, nor counted,
// again.
TEST_F(KafkaSource, BadMessagesSkippedAtTheTailAreCountedOnceAcrossARestart) {
  DatabaseOptions options;
  options.data_dir = (tmp_ / "data").string();
  options.checkpoint_interval = 1h;  // only the explicit checkpoints below
  const std::string pipeline =
      "CREATE SOURCE k (n BIGINT) " +
      with("csv", "on.error = 'skip', group.id = 'tail', " + kShortSession) +
      ";\nCREATE STREAM s AS SELECT n FROM k;";
  write_topic(mock_.bootstrap(), "csv", numbers(0, 8, 1));
  {
    auto db = open(options);
    ASSERT_TRUE(db->declare(pipeline).ok());
    auto sub = db->subscribe("s");
    ASSERT_TRUE(db->start().ok());
    EXPECT_EQ(receive(*sub, 8), range(0, 8));
    // Pushed already: the bad messages come after every row.
    std::vector<OutgoingMessage> bad = numbers(8, 2, 1);
    bad[0].value = "not json";
    bad[1].value = "{\"n\": \"nine\"}";
    write_topic(mock_.bootstrap(), "csv", bad);
    // Checkpoints until one holds the offset past them (the group's committed offset follows
    // each checkpoint's).
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::map<int32_t, int64_t> committed;
    do {
      (void)db->checkpoint();
      std::this_thread::sleep_for(100ms);
      committed = committed_offsets(mock_.bootstrap(), "tail", "csv", 1);
    } while (committed[0] != 10 && std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(committed[0], 10);
    EXPECT_EQ(db->source_metrics("k")->skipped_lines, 2);
    ASSERT_TRUE(db->shutdown().ok());
  }
  write_topic(mock_.bootstrap(), "csv", numbers(10, 2, 1));
  {
    auto db = open(options);
    ASSERT_TRUE(db->declare(pipeline).ok());
    auto sub = db->subscribe("s");
    ASSERT_TRUE(db->start().ok());
    EXPECT_EQ(receive(*sub, 2), range(10, 2));
    EXPECT_EQ(db->source_metrics("k")->skipped_lines, 0);  // not read again
    ASSERT_TRUE(db->shutdown().ok());
  }
}

TEST_F(KafkaSource, ABadMessageFailsThePipelineAfterTheRowsBeforeIt) {
  std::vector<OutgoingMessage> messages = numbers(0, 10, 1);
  messages[5].value = "{\"n\": \"five\"}";
  write_topic(mock_.bootstrap(), "csv", messages);
  auto db = open();
  exec(*db, "CREATE SOURCE k (n BIGINT) " + with("csv"));
  auto sub = db->subscribe("k");
  ASSERT_TRUE(db->start().ok());
  EXPECT_EQ(receive(*sub, 5), range(0, 5));
  const Status failed = db->wait_for_failure(30s);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.to_string().find("Kafka topic 'csv' partition 0 offset 5"), std::string::npos)
      << failed.to_string();
  EXPECT_NE(failed.to_string().find("source 'k'"), std::string::npos) << failed.to_string();
  db->shutdown().ignore();
}

TEST_F(KafkaSource, AnUnknownTopicFailsTheSourceVisibly) {
  mock_.command("topic_error nowhere 3");  // UNKNOWN_TOPIC_OR_PART
  auto db = open();
  exec(*db, "CREATE SOURCE k (n BIGINT) " + with("nowhere"));
  auto sub = db->subscribe("k");
  ASSERT_TRUE(db->start().ok());
  const Status failed = db->wait_for_failure(30s);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), ErrorCode::kSqlInvalidOption) << failed.to_string();
  EXPECT_NE(failed.to_string().find("Kafka topic 'nowhere' on 127.0.0.1:"), std::string::npos)
      << failed.to_string();
  db->shutdown().ignore();
}

TEST_F(KafkaSource, AnAddressThatDoesNotAnswerFailsWithinConnectTimeout) {
  auto db = open();
  // Port 1 on 127.0.0.1: nothing listens.
  exec(*db,
       "CREATE SOURCE k (n BIGINT) WITH (connector = 'kafka', bootstrap.servers = "
       "'127.0.0.1:1', topic = 'in', connect.timeout = '1s')");
  exec(*db, "CREATE STREAM doubled AS SELECT n * 2 AS m FROM k");
  auto sub = db->subscribe("doubled");
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(db->start().ok());
  const Status failed = db->wait_for_failure(30s);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), ErrorCode::kUnavailable) << failed.to_string();
  EXPECT_NE(failed.to_string().find("Kafka 127.0.0.1:1 did not answer within 1000 ms"),
            std::string::npos)
      << failed.to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
  db->shutdown().ignore();
}

TEST_F(KafkaSource, PropertiesAreCheckedAtCreate) {
  auto db = open();
  auto r =
      db->execute("CREATE SOURCE k (n BIGINT) " + with("in", "properties.fetch.wait.max.mz = '5'"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("properties.fetch.wait.max.mz"), std::string::npos)
      << r.status().to_string();
  r = db->execute("CREATE SOURCE k (n BIGINT) " + with("in", "properties.group.id = 'x'"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlInvalidOption);
  r = db->execute("CREATE SOURCE k (n BIGINT) " + with("in", "start = 'yesterday'"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("option 'start'"), std::string::npos);
  r = db->execute("CREATE SOURCE k (n BIGINT) " + with("in", "timestamp.column = 'n'"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlTypeMismatch);
  exec(*db, "CREATE SOURCE k (n BIGINT) " +
                with("in", "start = '2026-11-30T00:00:00Z', properties.fetch.wait.max.ms = '5'"));
  ASSERT_TRUE(db->shutdown().ok());
}

// The watermark is made per partition, the source's being the smallest: partition 1 lags (its
// event times end at 0:29), so partition 0's rows up to 0:59 do not make partition 1's rows
// late. Once partition 1 has been idle for idle.timeout it no longer holds the windows: those up
// to partition 0's watermark close, each with the rows of both partitions.
TEST_F(KafkaSource, TheWatermarkIsThePartitionsSmallestUntilOneIsIdle) {
  std::vector<OutgoingMessage> messages;
  auto at = [&](int32_t partition, int second) {
    OutgoingMessage m;
    m.partition = partition;
    m.value = "{\"ts\": \"2026-11-30T00:00:" + std::string(second < 10 ? "0" : "") +
              std::to_string(second) + "Z\"}";
    messages.push_back(m);
  };
  for (int s = 0; s < 60; ++s) at(0, s);  // written first: read before partition 1's
  for (int s = 0; s < 30; ++s) at(1, s);
  write_topic(mock_.bootstrap(), "wm", messages);
  auto db = open();
  exec(*db, "CREATE SOURCE k (ts TIMESTAMP, WATERMARK FOR ts AS ts) " +
                with("wm", "idle.timeout = '1s'"));
  exec(*db,
       "CREATE STREAM counts AS SELECT window_start, COUNT(*) AS n FROM k "
       "GROUP BY TUMBLE(ts, INTERVAL '10' SECOND) EMIT ON WINDOW CLOSE");
  auto sub = db->subscribe("counts");
  ASSERT_TRUE(db->start().ok());
  std::vector<std::pair<std::string, int64_t>> windows;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (windows.size() < 5 && std::chrono::steady_clock::now() < deadline) {
    Result<RecordBatch> batch = sub->recv_for(200ms);
    if (!batch.ok()) continue;
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      windows.emplace_back(format_timestamp(batch->column(0).int64_value(r)).substr(11, 8),
                           batch->column(1).int64_value(r));
    }
  }
  // [0:50, 1:00) stays open: partition 0's watermark is 0:59.
  EXPECT_EQ(windows, (std::vector<std::pair<std::string, int64_t>>{{"00:00:00", 20},
                                                                   {"00:00:10", 20},
                                                                   {"00:00:20", 20},
                                                                   {"00:00:30", 10},
                                                                   {"00:00:40", 10}}));
  ASSERT_TRUE(db->shutdown().ok());
}

// Watermark alignment: a topic with 50 s of messages (one a millisecond) and one the test
// writes as it goes, in one group with 1 s of drift. The fast source reads to about 1 s past
// the slow one's watermark and pauses its partitions, reads on when the slow one moves, and
// keeps polling while paused: a pause longer than max.poll.interval.ms does not make it leave
// its consumer group, and every message is read exactly once.
TEST_F(KafkaSource, AlignmentPausesTheFastTopicAndKeepsTheConsumerInItsGroup) {
  const int64_t base = *parse_timestamp("2026-11-30T00:00:00Z");
  auto at = [&](int64_t n, int64_t ms) {
    OutgoingMessage m;
    m.partition = 0;
    m.value = "{\"n\": " + std::to_string(n) + ", \"ts\": \"" + format_timestamp(base + ms * 1000) +
              "\"}";
    return m;
  };
  constexpr int64_t kFast = 50'000;
  std::vector<OutgoingMessage> fast;
  for (int64_t i = 0; i < kFast; ++i) fast.push_back(at(i, i));
  write_topic(mock_.bootstrap(), "fast", fast);
  write_topic(mock_.bootstrap(), "slow", {at(0, 0)});
  auto db = open();
  const std::string aligned =
      kShortSession +
      ", properties.max.poll.interval.ms = '3000', watermark.alignment.group = 'g', "
      "watermark.alignment.max.drift = '1s'";
  exec(*db,
       "CREATE SOURCE f (n BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts) " + with("fast", aligned));
  exec(*db,
       "CREATE SOURCE s (n BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts) " + with("slow", aligned));
  exec(*db, "CREATE MATERIALIZED VIEW fv AS SELECT COUNT(*) AS n, COUNT(DISTINCT n) AS d FROM f");
  exec(*db, "CREATE MATERIALIZED VIEW sv AS SELECT COUNT(*) AS n FROM s");
  ASSERT_TRUE(db->start().ok());
  auto metrics = [&] { return db->source_metrics("f").value(); };
  // Until the fast source has paused `pauses` times (and is paused): its rows read then.
  auto paused = [&](int64_t pauses) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    SourceMetrics m = metrics();
    while (!(m.alignment_paused && m.alignment_pauses >= pauses)) {
      EXPECT_LT(std::chrono::steady_clock::now(), deadline) << "never paused";
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(5ms);
      m = metrics();
    }
    return m.pushed_rows;
  };
  // Read past the drift by at most what one push holds (8,192 rows) and one poll (1,024).
  constexpr int64_t kOvershoot = 8192 + 1024;
  int64_t read = paused(1);
  EXPECT_GE(read, 1000);
  EXPECT_LE(read, 1001 + kOvershoot);
  // Paused for 4 s, past max.poll.interval.ms (3 s): still polling, so still a member.
  std::this_thread::sleep_for(4s);
  EXPECT_EQ(metrics().pushed_rows, read);
  write_topic(mock_.bootstrap(), "slow", {at(1, 20'000)});  // the slow one's watermark: 20 s
  read = paused(2);
  EXPECT_GE(read, 21'000);
  EXPECT_LE(read, 21'001 + kOvershoot);
  write_topic(mock_.bootstrap(), "slow", {at(2, 60'000)});
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (metrics().pushed_rows < kFast && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(db->flush().ok());
  auto r = db->execute("SELECT n, d FROM fv");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->rows.column(0).int64_value(0), kFast);  // every message once
  EXPECT_EQ(r->rows.column(1).int64_value(0), kFast);
  ASSERT_TRUE(db->shutdown().ok());
}

// Offsets are part of each checkpoint: a reopened database goes on where its checkpoint was,
// not at `start`; and after each checkpoint commit they are the group's committed offsets.
TEST_F(KafkaSource, AReopenedDatabaseResumesEachPartitionAtItsCheckpointOffset) {
  DatabaseOptions options;
  options.data_dir = (tmp_ / "data").string();
  options.checkpoint_interval = 1h;  // only the explicit checkpoints below
  const std::string pipeline = "CREATE SOURCE k (n BIGINT) " +
                               with("in", "group.id = 'g1', " + kShortSession) +
                               ";\nCREATE STREAM s AS SELECT n FROM k;";
  write_topic(mock_.bootstrap(), "in", numbers(0, 400, 4));
  {
    auto db = open(options);
    ASSERT_TRUE(db->declare(pipeline).ok());
    auto sub = db->subscribe("s");
    ASSERT_TRUE(db->start().ok());
    EXPECT_EQ(receive(*sub, 400), range(0, 400));
    ASSERT_TRUE(db->checkpoint().ok());
    // The commit to the group follows the checkpoint's commit on the source's thread.
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::map<int32_t, int64_t> committed;
    do {
      std::this_thread::sleep_for(100ms);
      committed = committed_offsets(mock_.bootstrap(), "g1", "in", 4);
    } while ((committed.size() < 4 || committed[0] != 100) &&
             std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(committed, (std::map<int32_t, int64_t>{{0, 100}, {1, 100}, {2, 100}, {3, 100}}));
    ASSERT_TRUE(db->shutdown().ok());
  }
  // The group's offsets set back to the start: the checkpoint's, further on, still count.
  commit_offsets(mock_.bootstrap(), "g1", "in", {{0, 0}, {1, 0}, {2, 0}, {3, 0}});
  ASSERT_EQ(committed_offsets(mock_.bootstrap(), "g1", "in", 4),
            (std::map<int32_t, int64_t>{{0, 0}, {1, 0}, {2, 0}, {3, 0}}));
  write_topic(mock_.bootstrap(), "in", numbers(400, 200, 4));
  {
    auto db = open(options);
    ASSERT_TRUE(db->declare(pipeline).ok());
    auto sub = db->subscribe("s");
    ASSERT_TRUE(db->start().ok());
    EXPECT_EQ(receive(*sub, 200), range(400, 200));
    // Nothing more comes: the first 400 are not read again.
    Result<RecordBatch> more = sub->recv_for(1s);
    EXPECT_FALSE(more.ok() && more->num_rows() > 0);
    ASSERT_TRUE(db->shutdown().ok());
  }
}

// file → sluice → Kafka → sluice → file: the rows that come out are exactly those that went in.
TEST_F(KafkaSource, FileToKafkaToFileKeepsExactlyTheRows) {
  {
    std::ofstream in(tmp_ / "input.jsonl");
    for (int i = 0; i < 3000; ++i)
      in << "{\"id\": " << i << ", \"name\": \"n" << i << "\", \"price\": " << i * 0.5 << "}\n";
  }
  {
    auto db = open();
    exec(*db,
         "CREATE SOURCE lines (id BIGINT, name VARCHAR, price DOUBLE) WITH (connector = "
         "'file', path = '" +
             (tmp_ / "input.jsonl").string() + "')");
    exec(*db, "CREATE SINK k FROM lines INTO kafka (bootstrap.servers = '" + mock_.bootstrap() +
                  "', topic = 'out')");
    ASSERT_TRUE(db->start().ok());
    ASSERT_TRUE(db->wait_for_bounded_sources().ok());
    ASSERT_TRUE(db->shutdown().ok());
  }
  {
    DatabaseOptions options;
    options.data_dir = (tmp_ / "data").string();
    options.checkpoint_interval = 200ms;
    auto db = open(options);
    exec(*db, "CREATE SOURCE k (id BIGINT, name VARCHAR, price DOUBLE) " + with("out"));
    exec(*db, "CREATE SINK f FROM k INTO file (path = '" + (tmp_ / "outdir").string() +
                  "', delivery = 'exactly-once')");
    ASSERT_TRUE(db->start().ok());
    // Until the published parts hold every row (bounded).
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::multiset<std::string> lines;
    for (;;) {
      lines.clear();
      if (fs::exists(tmp_ / "outdir")) {
        for (const auto& entry : fs::recursive_directory_iterator(tmp_ / "outdir")) {
          if (!entry.is_regular_file() || entry.path().filename().string()[0] == '.') continue;
          std::ifstream part(entry.path());
          for (std::string line; std::getline(part, line);) lines.insert(line);
        }
      }
      if (lines.size() >= 3000 || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(db->shutdown().ok());
    std::multiset<std::string> want;
    std::ifstream in(tmp_ / "input.jsonl");
    for (int i = 0; i < 3000; ++i) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "{\"id\":%d,\"name\":\"n%d\",\"price\":%s}", i, i,
                    i % 2 ? (std::to_string(i / 2) + ".5").c_str() : std::to_string(i / 2).c_str());
      want.insert(buf);
    }
    EXPECT_EQ(lines.size(), 3000u);
    EXPECT_EQ(lines, want);
  }
}

}  // namespace
}  // namespace sluice
