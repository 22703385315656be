// The exactly-once kafka sink, call by call and through a Database, over the mock cluster: one
// transaction per epoch with its progress record, the rows of the next epoch held while one is
// pre-committed, and recovery after a "crash" (the sink destroyed without close, its transaction
// left open, as SIGKILL leaves it): a decided epoch is sent again from its staged file, an
// undecided one is dropped, a lost staged file is SLC-4003.
//
// What the mock cannot show (tests/integration/README.md): it returns aborted messages to a
// read_committed consumer, so the aborted copy of an epoch sent again is visible here too; the
// tests assert on what the sink was told (commit results, progress records) and on the order of
// messages, and say where a real broker would hide a copy.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "connectors/kafka/kafka_connector.h"
#include "connectors/kafka/kafka_sink.h"
#include "connectors/registry.h"
#include "sluice/batch_builder.h"
#include "sluice/database.h"
#include "sql/options.h"
#include "support/kafka_mock.h"
#include "support/kafka_reader.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::KafkaMock;
using testing::read_topic;

const connectors::Registry& registry() {
  static const connectors::Registry* const r = [] {
    auto* made = new connectors::Registry;
    connectors::kafka::register_connector(*made);
    return made;
  }();
  return *r;
}

class KafkaExactlyOnce : public ::testing::Test {
 protected:
  std::unique_ptr<sink::Sink> make_sink(const std::string& name = "direct") {
    const std::vector<sql::Option> given = {{"bootstrap.servers", mock_.bootstrap(), {}},
                                            {"topic", "out", {}},
                                            {"delivery", "exactly-once", {}}};
    auto options = sql::validate_sink_options(given, *registry().find_sink("kafka"), "sink");
    EXPECT_TRUE(options.ok()) << options.status().to_string();
    sql::SinkDef def;
    def.name = name;
    def.connector = "kafka";
    def.options = *options;
    connectors::SinkFactoryContext context;
    context.data_dir = data_.string();
    auto made = connectors::kafka::make_kafka_sink(def, context);
    EXPECT_TRUE(made.ok()) << made.status().to_string();
    auto sink = std::move(made).value();
    const Status opened = sink->open(sink::SinkContext{name, schema_, 5000ms, true});
    EXPECT_TRUE(opened.ok()) << opened.to_string();
    return sink;
  }
  RecordBatch rows(int64_t first, int count) const {
    BatchBuilder b(schema_);
    for (int64_t i = first; i < first + count; ++i) b.column(0).append_int64(i);
    return b.finish();
  }
  std::vector<std::string> values(const std::string& topic = "out") const {
    std::vector<std::string> v;
    for (const auto& m : read_topic(mock_.bootstrap(), topic)) v.push_back(m.value.value_or("-"));
    return v;
  }
  static std::vector<std::string> numbers(int first, int count) {
    std::vector<std::string> v;
    for (int i = first; i < first + count; ++i) v.push_back("{\"n\":" + std::to_string(i) + "}");
    return v;
  }
  static std::vector<std::string> join(std::vector<std::vector<std::string>> parts) {
    std::vector<std::string> all;
    for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
  }
  size_t staged_files() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(data_ / "kafka" / "direct"))
      n += e.is_regular_file();
    return n;
  }

  KafkaMock mock_{1, {"out:1", "_sluice_progress:1"}};
  sluice::testing::TempDir data_{"sluice_kafka_eo_"};
  SchemaPtr schema_ = make_schema({{"n", DataType::kInt64}});
};

TEST_F(KafkaExactlyOnce, EachEpochIsATransactionWithItsProgressRecord) {
  auto sink = make_sink();
  EXPECT_EQ(sink->committed_epoch().value(), 0u);
  ASSERT_TRUE(sink->begin_epoch(1).ok());
  ASSERT_TRUE(sink->write(rows(0, 3)).ok());
  ASSERT_TRUE(sink->flush().ok());
  ASSERT_TRUE(sink->pre_commit(1).ok());
  const auto staged = sink->staged_epoch(1);
  ASSERT_TRUE(staged.has_value());
  EXPECT_EQ(staged->rows, 3);
  EXPECT_TRUE(fs::exists(staged->location));
  EXPECT_GT(staged->bytes, 0);
  // Epoch 2's rows arrive while 1 is pre-committed: they wait for 1's commit.
  ASSERT_TRUE(sink->begin_epoch(2).ok());
  ASSERT_TRUE(sink->write(rows(3, 2)).ok());
  ASSERT_TRUE(sink->commit(1).ok());
  EXPECT_FALSE(fs::exists(staged->location));  // committed: the copy is no longer needed
  EXPECT_EQ(values("_sluice_progress"), (std::vector<std::string>{"1"}));
  ASSERT_TRUE(sink->write(rows(5, 1)).ok());
  ASSERT_TRUE(sink->pre_commit(2).ok());
  EXPECT_EQ(sink->staged_epoch(2)->rows, 3);
  ASSERT_TRUE(sink->commit(2).ok());
  // An epoch without rows is no transaction and no record.
  ASSERT_TRUE(sink->begin_epoch(3).ok());
  ASSERT_TRUE(sink->pre_commit(3).ok());
  EXPECT_FALSE(sink->staged_epoch(3).has_value());
  ASSERT_TRUE(sink->commit(3).ok());
  EXPECT_EQ(sink->committed_epoch().value(), 2u);
  std::map<std::string, int64_t> counters;
  for (const auto& [k, v] : sink->connector_metrics()) counters[k] = v;
  EXPECT_EQ(counters["transactions"], 2);
  EXPECT_GT(counters["last_transaction_us"], 0);
  EXPECT_EQ(counters["in_flight"], 0);
  EXPECT_EQ(counters["delivered"], 8);  // 6 rows and 2 progress records
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(values(), numbers(0, 6));
  EXPECT_EQ(values("_sluice_progress"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(staged_files(), 0u);
}

// Killed after the manifest decided epoch 2, before its commit: the next producer's
// init_transactions aborts epoch 2's transaction, and recovery sends it again from its staged
// file, with its progress record, in a transaction of its own.
TEST_F(KafkaExactlyOnce, ADecidedEpochLeftOpenByACrashIsSentAgain) {
  std::optional<sink::StagedEpoch> staged;
  {
    auto sink = make_sink();
    ASSERT_TRUE(sink->begin_epoch(1).ok());
    ASSERT_TRUE(sink->write(rows(0, 2)).ok());
    ASSERT_TRUE(sink->pre_commit(1).ok());
    ASSERT_TRUE(sink->commit(1).ok());
    ASSERT_TRUE(sink->begin_epoch(2).ok());
    ASSERT_TRUE(sink->write(rows(2, 3)).ok());
    ASSERT_TRUE(sink->pre_commit(2).ok());
    staged = sink->staged_epoch(2);
    ASSERT_TRUE(staged.has_value());
    // The crash: no commit, no close.
  }
  auto sink = make_sink();
  EXPECT_EQ(sink->committed_epoch().value(), 1u);  // epoch 2's record never went
  ASSERT_TRUE(sink->recover(2, staged).ok());
  EXPECT_EQ(sink->committed_epoch().value(), 2u);
  EXPECT_EQ(staged_files(), 0u);
  // Idempotent: a second recovery finds epoch 2 committed and sends nothing.
  ASSERT_TRUE(sink->recover(2, staged).ok());
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(values("_sluice_progress"), (std::vector<std::string>{"1", "2"}));
  // The aborted copy of epoch 2 (the mock shows it; read_committed on a broker does not), then
  // epoch 2 committed.
  EXPECT_EQ(values(), join({numbers(0, 2), numbers(2, 3), numbers(2, 3)}));
}

// Killed after epoch 2's pre-commit, before the manifest: epoch 2 was never decided; it is
// aborted and its staged file deleted, and the sources replay its rows.
TEST_F(KafkaExactlyOnce, AnUndecidedEpochIsDroppedAtRecovery) {
  {
    auto sink = make_sink();
    ASSERT_TRUE(sink->begin_epoch(1).ok());
    ASSERT_TRUE(sink->write(rows(0, 2)).ok());
    ASSERT_TRUE(sink->pre_commit(1).ok());
    ASSERT_TRUE(sink->commit(1).ok());
    ASSERT_TRUE(sink->begin_epoch(2).ok());
    ASSERT_TRUE(sink->write(rows(2, 3)).ok());
    ASSERT_TRUE(sink->pre_commit(2).ok());
  }
  auto sink = make_sink();
  ASSERT_TRUE(sink->recover(1, std::nullopt).ok());
  EXPECT_EQ(sink->committed_epoch().value(), 1u);
  EXPECT_EQ(staged_files(), 0u);
  // The replay, as epoch 3.
  ASSERT_TRUE(sink->begin_epoch(3).ok());
  ASSERT_TRUE(sink->write(rows(2, 3)).ok());
  ASSERT_TRUE(sink->pre_commit(3).ok());
  ASSERT_TRUE(sink->commit(3).ok());
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(values("_sluice_progress"), (std::vector<std::string>{"1", "3"}));
  // The aborted epoch 2 (visible in the mock only), then epoch 3.
  EXPECT_EQ(values(), join({numbers(0, 2), numbers(2, 3), numbers(2, 3)}));
}

TEST_F(KafkaExactlyOnce, ADecidedEpochWhoseStagedFileIsLostIsAnError) {
  std::optional<sink::StagedEpoch> staged;
  {
    auto sink = make_sink();
    ASSERT_TRUE(sink->begin_epoch(1).ok());
    ASSERT_TRUE(sink->write(rows(0, 4)).ok());
    ASSERT_TRUE(sink->pre_commit(1).ok());
    staged = sink->staged_epoch(1);
  }
  {
    // Damaged: a byte changed.
    std::fstream f(staged->location, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('x');
  }
  auto sink = make_sink();
  Status s = sink->recover(1, staged);
  EXPECT_EQ(s.code(), ErrorCode::kStagedEpochLost) << s.to_string();
  EXPECT_NE(s.to_string().find("checksum"), std::string::npos) << s.to_string();
  // Gone.
  fs::remove(staged->location);
  s = sink->recover(1, staged);
  EXPECT_EQ(s.code(), ErrorCode::kStagedEpochLost) << s.to_string();
  EXPECT_NE(s.to_string().find("epoch 1 was decided with 4 rows"), std::string::npos)
      << s.to_string();
  EXPECT_NE(s.to_string().find("is gone"), std::string::npos) << s.to_string();
  EXPECT_EQ(sink->committed_epoch().value(), 0u);
  sink->close().ignore();
}

// Through a Database with checkpoints: epochs are committed at each checkpoint, a restart goes
// on from the last one, and every row is in the topic once (no transaction was aborted here, so
// the mock shows exactly what a read_committed consumer would).
TEST_F(KafkaExactlyOnce, ADatabaseCommitsAnEpochPerCheckpointAndResumes) {
  auto open = [&] {
    DatabaseOptions o;
    o.data_dir = (data_ / "db").string();
    o.checkpoint_interval = 3600s;  // only the checkpoints the test asks for
    auto db = Database::open(o);
    EXPECT_TRUE(db.ok()) << db.status().to_string();
    return std::move(db).value();
  };
  auto push = [](Database& db, int first, int count) {
    std::string lines;
    for (int i = first; i < first + count; ++i) lines += "{\"n\": " + std::to_string(i) + "}\n";
    ASSERT_TRUE(db.source("t").value().push_json(lines).ok());
  };
  {
    auto db = open();
    ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT) WITH (durable = true)").ok());
    auto r = db->execute("CREATE SINK k FROM t INTO kafka (bootstrap.servers = '" +
                         mock_.bootstrap() + "', topic = 'out', delivery = 'exactly-once')");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    push(*db, 0, 100);
    ASSERT_TRUE(db->checkpoint().ok());
    push(*db, 100, 50);
    ASSERT_TRUE(db->checkpoint().ok());
    EXPECT_EQ(values(), numbers(0, 150));
    push(*db, 150, 10);
    ASSERT_TRUE(db->shutdown().ok());
  }
  // Shutdown's own last checkpoint committed the rest.
  EXPECT_EQ(values(), numbers(0, 160));
  EXPECT_EQ(values("_sluice_progress").size(), 3u);
  auto db = open();
  ASSERT_TRUE(db->start().ok());
  push(*db, 160, 5);
  ASSERT_TRUE(db->checkpoint().ok());
  EXPECT_EQ(values(), numbers(0, 165));
  EXPECT_GE(db->sink_metrics("k").value().last_committed_epoch, 3);
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(values("_sluice_progress").size(), 4u);
}

// The mock has no fencing by transactional.id; injected, a fenced commit (EndTxn answered
// PRODUCER_FENCED) fails the commit, the sink stays usable (a new producer), and the epoch's
// staged file is kept for recovery.
TEST_F(KafkaExactlyOnce, AFencedCommitFailsAndKeepsTheStagedEpoch) {
  std::optional<sink::StagedEpoch> staged;
  {
    auto sink = make_sink();
    ASSERT_TRUE(sink->begin_epoch(1).ok());
    ASSERT_TRUE(sink->write(rows(0, 3)).ok());
    ASSERT_TRUE(sink->pre_commit(1).ok());
    staged = sink->staged_epoch(1);
    mock_.command("error 26 90 1");  // EndTxn (26): PRODUCER_FENCED (90)
    const Status s = sink->commit(1);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.to_string().find("commit of epoch 1"), std::string::npos) << s.to_string();
    EXPECT_TRUE(fs::exists(staged->location));  // kept for recovery
    sink->close().ignore();
  }
  auto sink = make_sink();
  // The progress record went out inside the fenced transaction: a broker would hide it
  // (read_committed) and recovery would send epoch 1 again (as in
  // ADecidedEpochLeftOpenByACrashIsSentAgain); the mock shows it, so here recovery takes epoch 1
  // for committed. Either way it ends with no staged file and epoch 1 recorded.
  ASSERT_TRUE(sink->recover(1, staged).ok());
  EXPECT_EQ(sink->committed_epoch().value(), 1u);
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(staged_files(), 0u);
  EXPECT_EQ(values(), numbers(0, 3));
}

// A broker away across a checkpoint: pre-commit waits (within write.timeout) until every
// message of the epoch is acknowledged, then the epoch commits whole.
TEST_F(KafkaExactlyOnce, ABrokerDownAcrossACheckpointDelaysItAndLosesNothing) {
  DatabaseOptions o;
  o.data_dir = (data_ / "db").string();
  o.checkpoint_interval = 3600s;
  auto db = Database::open(o).value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT) WITH (durable = true)").ok());
  ASSERT_TRUE(db->execute("CREATE SINK k FROM t INTO kafka (bootstrap.servers = '" +
                          mock_.bootstrap() + "', topic = 'out', delivery = 'exactly-once')")
                  .ok());
  std::string lines;
  for (int i = 0; i < 300; ++i) lines += "{\"n\": " + std::to_string(i) + "}\n";
  mock_.command("down 1");
  ASSERT_TRUE(db->source("t").value().push_json(lines).ok());
  std::thread up([&] {
    std::this_thread::sleep_for(3s);
    mock_.command("up 1");
  });
  const auto checkpointed = db->checkpoint();
  up.join();
  ASSERT_TRUE(checkpointed.ok()) << checkpointed.status().to_string();
  EXPECT_EQ(values(), numbers(0, 300));
  EXPECT_EQ(values("_sluice_progress").size(), 1u);
  ASSERT_TRUE(db->shutdown().ok());
}

TEST_F(KafkaExactlyOnce, AMissingProgressTopicFailsCreateSink) {
  mock_.command("topic_error nowhere 3");  // UNKNOWN_TOPIC_OR_PART
  DatabaseOptions o;
  o.data_dir = (data_ / "db").string();
  auto db = Database::open(o).value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT) WITH (durable = true)").ok());
  auto r =
      db->execute("CREATE SINK k FROM t INTO kafka (bootstrap.servers = '" + mock_.bootstrap() +
                  "', topic = 'out', delivery = 'exactly-once', progress.topic = 'nowhere', "
                  "write.timeout = '2s')");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kSqlInvalidOption) << r.status().to_string();
  EXPECT_NE(r.status().to_string().find("Kafka topic 'nowhere' on 127.0.0.1:"), std::string::npos)
      << r.status().to_string();
  ASSERT_TRUE(db->shutdown().ok());
}

}  // namespace
}  // namespace sluice
