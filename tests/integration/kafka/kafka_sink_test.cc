// The kafka sink end to end: a Database writes into a mock cluster in another process
// (support/kafka_mock.h) over TCP, and a plain librdkafka consumer reads the topic back
// (support/kafka_reader.h). JSON and CSV messages, keys and partitions, a changelog as upserts
// and tombstones, a broker down mid-run, deliveries the broker refuses, and the errors of a
// wrong address, topic or property.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "sluice/database.h"
#include "support/kafka_mock.h"
#include "support/kafka_reader.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing::KafkaMessage;
using testing::KafkaMock;
using testing::read_topic;

class KafkaSink : public ::testing::Test {
 protected:
  std::unique_ptr<Database> open() {
    auto db = Database::open();
    EXPECT_TRUE(db.ok()) << db.status().to_string();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  static void exec(Database& db, const std::string& sql) {
    auto r = db.execute(sql);
    ASSERT_TRUE(r.ok()) << r.status().to_string() << "\n" << sql;
  }
  std::string into(const std::string& topic, const std::string& options = "") const {
    return "INTO kafka (bootstrap.servers = '" + mock_.bootstrap() + "', topic = '" + topic + "'" +
           (options.empty() ? "" : ", " + options) + ")";
  }
  static std::vector<std::string> values(const std::vector<KafkaMessage>& messages) {
    std::vector<std::string> v;
    for (const auto& m : messages) v.push_back(m.value.value_or("<tombstone>"));
    return v;
  }
  // {"n": 0} ... {"n": count - 1}, one line each, from `first`.
  static std::string numbers(int first, int count) {
    std::string lines;
    for (int i = first; i < first + count; ++i) lines += "{\"n\": " + std::to_string(i) + "}\n";
    return lines;
  }
  // Every message's value is {"n":i}, each i of [0, count) exactly once.
  static void expect_numbers(const std::vector<KafkaMessage>& messages, int count) {
    std::map<std::string, int> seen;
    for (const auto& m : messages) ++seen[m.value.value_or("<tombstone>")];
    EXPECT_EQ(messages.size(), static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
      const std::string want = "{\"n\":" + std::to_string(i) + "}";
      EXPECT_EQ(seen[want], 1) << want;
    }
  }

  KafkaMock mock_{1, {"out:1", "keyed:4"}};
};

TEST_F(KafkaSink, WritesEveryTypeAsJsonMessages) {
  auto db = open();
  exec(*db,
       "CREATE SOURCE t (b BOOLEAN, i INT, l BIGINT, d DOUBLE, s VARCHAR, ts TIMESTAMP, "
       "iv INTERVAL)");
  exec(*db, "CREATE SINK k FROM t " + into("out"));
  auto t = db->source("t").value();
  ASSERT_TRUE(
      t.push_json(
           R"({"b": true, "i": -7, "l": 9007199254740993, "d": 2.5, "s": "grüße, \"東京\"\n🚀", "ts": "2026-11-24T10:00:00.123456Z", "iv": 90061001})"
           "\n"
           R"({"b": null, "i": null, "l": null, "d": null, "s": null, "ts": null, "iv": null})")
          .ok());
  ASSERT_TRUE(db->shutdown().ok());
  const auto messages = read_topic(mock_.bootstrap(), "out");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(*messages[0].value,
            R"({"b":true,"i":-7,"l":9007199254740993,"d":2.5,"s":"grüße, \"東京\"\n🚀",)"
            R"("ts":"2026-11-24T10:00:00.123456Z","iv":"PT90061.001S"})");
  EXPECT_EQ(*messages[1].value,
            R"({"b":null,"i":null,"l":null,"d":null,"s":null,"ts":null,"iv":null})");
  EXPECT_FALSE(messages[0].key.has_value());  // no key option: no key
}

// Keyless messages: a written batch goes whole to one partition, the next batch to the next
// (librdkafka's partitioner is not run per message).
TEST_F(KafkaSink, KeylessBatchesGoWholeToOnePartitionEachInTurn) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK k FROM t " + into("keyed"));
  auto t = db->source("t").value();
  constexpr int kBatches = 8, kRows = 25;
  for (int b = 0; b < kBatches; ++b) {
    ASSERT_TRUE(t.push_json(numbers(b * kRows, kRows)).ok());
    ASSERT_TRUE(db->flush().ok());  // each push its own batch, its own write
  }
  ASSERT_TRUE(db->shutdown().ok());
  const auto messages = read_topic(mock_.bootstrap(), "keyed");
  expect_numbers(messages, kBatches * kRows);
  std::map<int32_t, std::vector<std::string>> in_partition;
  for (const auto& m : messages) {
    EXPECT_FALSE(m.key.has_value());
    in_partition[m.partition].push_back(m.value.value_or("<tombstone>"));
  }
  // Batch b in partition b % 4, in order after batch b - 4.
  ASSERT_EQ(in_partition.size(), 4u);
  for (const auto& [partition, got] : in_partition) {
    std::vector<std::string> want;
    for (int b = partition; b < kBatches; b += 4) {
      for (int i = b * kRows; i < (b + 1) * kRows; ++i)
        want.push_back("{\"n\":" + std::to_string(i) + "}");
    }
    EXPECT_EQ(got, want) << "partition " << partition;
  }
}

TEST_F(KafkaSink, CsvMessagesKeyedByColumnsKeepAKeyInOnePartition) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (region VARCHAR, id BIGINT, note VARCHAR)");
  exec(*db, "CREATE SINK k FROM t " + into("keyed", "format = 'csv', key = 'region, id'"));
  auto t = db->source("t").value();
  std::string lines;
  for (int i = 0; i < 200; ++i) {
    lines += "{\"region\": \"r" + std::to_string(i % 7) + "\", \"id\": " + std::to_string(i % 3) +
             ", \"note\": \"a, \\\"b\\\" " + std::to_string(i) + "\"}\n";
  }
  ASSERT_TRUE(t.push_json(lines).ok());
  ASSERT_TRUE(db->shutdown().ok());
  const auto messages = read_topic(mock_.bootstrap(), "keyed");
  ASSERT_EQ(messages.size(), 200u);
  std::map<std::string, std::set<int32_t>> partitions_of_key;
  std::set<int32_t> partitions;
  for (const auto& m : messages) {
    ASSERT_TRUE(m.key && m.value);
    partitions_of_key[*m.key].insert(m.partition);
    partitions.insert(m.partition);
    // The value is the whole row as one CSV record (no line end), the key its key columns.
    EXPECT_EQ(m.value->rfind(*m.key + ",\"a, \"\"b\"\" ", 0), 0u) << *m.value;
  }
  EXPECT_EQ(partitions_of_key.size(), 21u);  // 7 regions × 3 ids
  for (const auto& [key, in] : partitions_of_key) EXPECT_EQ(in.size(), 1u) << key;
  EXPECT_GT(partitions.size(), 1u);
  EXPECT_EQ(partitions_of_key.count("r3,1"), 1u);
}

TEST_F(KafkaSink, AChangelogBecomesUpsertsAndTombstones) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (k VARCHAR, v BIGINT)");
  // A key is deleted once its count passes 2 (it stops passing HAVING).
  exec(*db,
       "CREATE STREAM few AS SELECT k, COUNT(*) AS n FROM t GROUP BY k HAVING COUNT(*) <= 2 "
       "EMIT CHANGES");
  exec(*db, "CREATE SINK k FROM few " + into("keyed", "key = 'k'"));
  auto t = db->source("t").value();
  for (const char* line : {R"({"k": "a", "v": 1})", R"({"k": "b", "v": 1})",
                           R"({"k": "a", "v": 2})", R"({"k": "a", "v": 3})"}) {
    ASSERT_TRUE(t.push_json(line).ok());
    ASSERT_TRUE(db->flush().ok());
  }
  ASSERT_TRUE(db->shutdown().ok());
  // Per key, in partition order: what a compacted topic's reader applies.
  std::map<std::string, std::vector<std::string>> by_key;
  for (const auto& m : read_topic(mock_.bootstrap(), "keyed")) {
    ASSERT_TRUE(m.key.has_value());
    by_key[*m.key].push_back(m.value.value_or("<tombstone>"));
  }
  ASSERT_EQ(by_key.size(), 2u);
  // a: inserted (n 1), updated (delete of n 1 then insert of n 2: a tombstone, then the row),
  // then deleted when its count passed 2. The value has no _op column.
  EXPECT_EQ(by_key[R"({"k":"a"})"],
            (std::vector<std::string>{R"({"k":"a","n":1})", "<tombstone>", R"({"k":"a","n":2})",
                                      "<tombstone>"}));
  EXPECT_EQ(by_key[R"({"k":"b"})"], (std::vector<std::string>{R"({"k":"b","n":1})"}));
}

// A sink from an updating view gets each group's new row: keyed by the group, the topic's last
// message per key is the view's current row.
TEST_F(KafkaSink, AnUpdatingViewKeyedByItsGroupIsAnUpsertStream) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (k VARCHAR)");
  exec(*db, "CREATE MATERIALIZED VIEW v AS SELECT k, COUNT(*) AS n FROM t GROUP BY k");
  exec(*db, "CREATE SINK s FROM v " + into("keyed", "key = 'k'"));
  auto t = db->source("t").value();
  for (const char* k : {"a", "b", "a", "a"}) {
    ASSERT_TRUE(t.push_json(std::string(R"({"k": ")") + k + R"("})").ok());
    ASSERT_TRUE(db->flush().ok());
  }
  ASSERT_TRUE(db->shutdown().ok());
  std::map<std::string, std::string> last;
  for (const auto& m : read_topic(mock_.bootstrap(), "keyed")) {
    ASSERT_TRUE(m.key.has_value());
    last[*m.key] = m.value.value_or("<tombstone>");
  }
  EXPECT_EQ(last, (std::map<std::string, std::string>{{R"({"k":"a"})", R"({"k":"a","n":3})"},
                                                      {R"({"k":"b"})", R"({"k":"b","n":1})"}}));
}

TEST_F(KafkaSink, WithoutAKeyAChangelogIsALogWithItsOpColumn) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (k VARCHAR)");
  exec(*db, "CREATE STREAM c AS SELECT k, COUNT(*) AS n FROM t GROUP BY k EMIT CHANGES");
  exec(*db, "CREATE SINK k FROM c " + into("out"));
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(R"({"k": "a"})").ok());
  ASSERT_TRUE(db->flush().ok());
  ASSERT_TRUE(t.push_json(R"({"k": "a"})").ok());
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(values(read_topic(mock_.bootstrap(), "out")),
            (std::vector<std::string>{R"({"k":"a","n":1,"_op":"insert"})",
                                      R"({"k":"a","n":1,"_op":"delete"})",
                                      R"({"k":"a","n":2,"_op":"insert"})"}));
}

// The issue's "broker down for 10 s mid-run": librdkafka keeps the messages and retries; the
// sink's flush waits (within write.timeout), and everything arrives once, in order.
TEST_F(KafkaSink, ABrokerDownForTenSecondsLosesNothing) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK k FROM t " + into("out", "flush.interval = '200ms'"));
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(numbers(0, 500)).ok());
  ASSERT_TRUE(db->flush().ok());
  mock_.command("down 1");
  ASSERT_TRUE(t.push_json(numbers(500, 500)).ok());
  std::this_thread::sleep_for(10s);
  mock_.command("up 1");
  ASSERT_TRUE(t.push_json(numbers(1000, 500)).ok());
  ASSERT_TRUE(db->shutdown().ok());
  const auto messages = read_topic(mock_.bootstrap(), "out");
  expect_numbers(messages, 1500);
  // One partition: the idempotent producer kept the order through the retries.
  for (size_t i = 0; i < messages.size(); ++i)
    ASSERT_EQ(*messages[i].value, "{\"n\":" + std::to_string(i) + "}");
}

// A delivery the broker refuses fails the flush, the task retries it, and the sink sends the
// refused messages again: all arrive, and the error was counted.
TEST_F(KafkaSink, RefusedDeliveriesAreSentAgainByTheRetries) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db,
       "CREATE SINK k FROM t " + into("out", "retry.backoff = '10ms', flush.interval = '20ms'"));
  // The next two Produce requests (API key 0) fail: MSG_SIZE_TOO_LARGE (10), not retriable, so
  // librdkafka reports the messages failed.
  mock_.command("error 0 10 2");
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(numbers(0, 100)).ok());
  ASSERT_TRUE(db->flush().ok());
  const int64_t bytes = 10 * 7 + 90 * 8;  // {"n":0} … {"n":99}
  const auto end = std::chrono::steady_clock::now() + 20s;
  while (db->sink_metrics("k").value().bytes < bytes && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(10ms);
  const auto m = db->sink_metrics("k").value();
  EXPECT_EQ(m.bytes, bytes);
  EXPECT_GE(m.write_errors, 1);  // the refused delivery's flush
  EXPECT_EQ(m.state, "running");
  // The connector's own counters: librdkafka's delivery reports.
  std::map<std::string, int64_t> counters(m.connector.begin(), m.connector.end());
  EXPECT_EQ(counters["delivered"], 100);
  EXPECT_GE(counters["delivery_errors"], 1);
  EXPECT_EQ(counters["in_flight"], 0);
  const std::string graph = db->graph_json().value();
  EXPECT_NE(graph.find("\"delivery_errors\":"), std::string::npos) << graph;
  const Status s = db->shutdown();
  ASSERT_TRUE(s.ok()) << s.to_string();
  expect_numbers(read_topic(mock_.bootstrap(), "out"), 100);
}

// Refused for good: the retries run out and the sink fails, saying why; nothing is counted as
// written that Kafka did not take.
TEST_F(KafkaSink, DeliveriesRefusedForGoodFailTheSinkVisibly) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK k FROM t " +
                into("out", "retry.max = 1, retry.backoff = '10ms', flush.interval = '50ms'"));
  mock_.command("error 0 29 1000");
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(numbers(0, 10)).ok());
  const Status failed = db->wait_for_failure(20s);
  EXPECT_EQ(failed.code(), ErrorCode::kRejected) << failed.to_string();
  EXPECT_NE(failed.to_string().find("did not take a message for topic 'out'"), std::string::npos)
      << failed.to_string();
  const auto m = db->sink_metrics("k").value();
  EXPECT_EQ(m.state, "failed");
  EXPECT_EQ(m.bytes, 0);
  EXPECT_GE(m.write_errors, 2);
  db->shutdown().ignore();
}

// librdkafka's queue full (the broker away, queue.buffering.max.messages small): the write waits
// up to write.timeout, then fails, visibly; it never blocks without end.
TEST_F(KafkaSink, AQueueThatStaysFullFailsTheWriteAfterWriteTimeout) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK k FROM t " +
                into("out",
                     "properties.queue.buffering.max.messages = '10', write.timeout = "
                     "'500ms', retry.max = 0"));
  mock_.command("down 1");
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(numbers(0, 100)).ok());
  const Status failed = db->wait_for_failure(20s);
  EXPECT_EQ(failed.code(), ErrorCode::kUnavailable) << failed.to_string();
  EXPECT_NE(failed.to_string().find("the producer's queue stayed full"), std::string::npos)
      << failed.to_string();
  const auto m = db->sink_metrics("k").value();
  EXPECT_EQ(m.state, "failed");
  std::map<std::string, int64_t> counters(m.connector.begin(), m.connector.end());
  EXPECT_EQ(counters["in_flight"], 10);  // what librdkafka holds
  mock_.command("up 1");
  db->shutdown().ignore();
}

TEST_F(KafkaSink, AWrongAddressFailsCreateSinkWithinWriteTimeout) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  const auto start = std::chrono::steady_clock::now();
  // Port 1 on 127.0.0.1: nothing listens.
  auto r = db->execute(
      "CREATE SINK k FROM t INTO kafka (bootstrap.servers = '127.0.0.1:1', topic = 'out', "
      "write.timeout = '1s')");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable) << r.status().to_string();
  EXPECT_NE(r.status().to_string().find("Kafka 127.0.0.1:1 did not answer within 1000 ms"),
            std::string::npos)
      << r.status().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  // Nothing was created; the database goes on.
  EXPECT_FALSE(db->sink_metrics("k").ok());
  exec(*db, "CREATE SINK k FROM t " + into("out"));
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(KafkaSink, AnUnknownTopicFailsCreateSink) {
  mock_.command("topic_error nowhere 3");  // UNKNOWN_TOPIC_OR_PART
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  auto r = db->execute("CREATE SINK k FROM t " + into("nowhere", "write.timeout = '2s'"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlInvalidOption) << r.status().to_string();
  EXPECT_NE(r.status().to_string().find("Kafka topic 'nowhere' on 127.0.0.1:"), std::string::npos)
      << r.status().to_string();
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(KafkaSink, PropertiesReachLibrdkafka) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK k FROM t " +
                into("out",
                     "properties.compression.type = 'lz4', properties.linger.ms = '0', "
                     "properties.batch.num.messages = '7'"));
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(numbers(0, 50)).ok());
  ASSERT_TRUE(db->shutdown().ok());
  expect_numbers(read_topic(mock_.bootstrap(), "out"), 50);
}

// Credentials are options of their own: a password is shown as *** wherever options are shown,
// and may name an environment variable, resolved when the sink opens. (The mock speaks
// PLAINTEXT, so librdkafka does not use them; what is shown is the point.)
TEST_F(KafkaSink, APasswordIsNeverShown) {
  ::setenv("SLUICE_TEST_KAFKA_PASSWORD", "from-the-environment", 1);
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db,
       "CREATE SINK k FROM t " + into("out", "sasl.username = 'app', sasl.password = 'hunter2'"));
  exec(*db, "CREATE SINK e FROM t " +
                into("out", "sasl.password = '${env:SLUICE_TEST_KAFKA_PASSWORD}'"));
  std::string shown;
  for (const char* sql : {"EXPLAIN k", "SHOW SINKS", "SHOW PIPELINE", "EXPLAIN e"}) {
    auto r = db->execute(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().to_string();
    shown += r->rows.to_string(INT64_MAX);
  }
  shown += db->graph_json().value();
  EXPECT_EQ(shown.find("hunter2"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("from-the-environment"), std::string::npos) << shown;
  EXPECT_NE(shown.find("***"), std::string::npos) << shown;
  ASSERT_TRUE(db->shutdown().ok());
  ::unsetenv("SLUICE_TEST_KAFKA_PASSWORD");
}

TEST_F(KafkaSink, MetricsCountDeliveredBytes) {
  auto db = open();
  exec(*db, "CREATE SOURCE t (n BIGINT)");
  exec(*db, "CREATE SINK k FROM t " + into("out", "flush.interval = '20ms'"));
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json(numbers(0, 10)).ok());
  ASSERT_TRUE(db->flush().ok());
  // Bytes count once acknowledged: after a periodic flush.
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (db->sink_metrics("k").value().bytes < 70 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(10ms);
  const auto m = db->sink_metrics("k").value();
  EXPECT_EQ(m.rows, 10);
  EXPECT_EQ(m.bytes, 10 * 7);  // {"n":0} … {"n":9}: 7 bytes each
  ASSERT_TRUE(db->shutdown().ok());
}

}  // namespace
}  // namespace sluice
