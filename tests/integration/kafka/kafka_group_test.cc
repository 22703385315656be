// Scale-out: two `sluice run` processes with the same group.id share a 4-partition topic, each
// with its own data directory and an exactly-once file sink. Every message is processed by one of
// them; after one is killed (SIGKILL), the other takes its partitions from the group's committed
// offsets (those of the killed one's last checkpoint commit) and the output is complete.
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
#include "support/kafka_mock.h"
#include "support/kafka_writer.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::KafkaMock;
using testing::OutgoingMessage;
using testing::SluiceProcess;
using testing::write_topic;

class KafkaGroup : public ::testing::Test {
 protected:
  // The pipeline of member `name`: its own output directory.
  fs::path pipeline(const std::string& name) {
    const fs::path file = tmp_ / (name + ".sql");
    std::ofstream(file) << "CREATE SOURCE k (n BIGINT) WITH (connector = 'kafka', "
                           "bootstrap.servers = '"
                        << mock_.bootstrap()
                        << "', topic = 'in', group.id = 'scale', "
                           // The mock makes a member that joins after another left wait the
                           // session timeout (tests/integration/README.md): keep it short.
                           "properties.session.timeout.ms = '3000', "
                           "properties.heartbeat.interval.ms = '500');\n"
                           "CREATE SINK out FROM k INTO file (path = '"
                        << (tmp_ / ("out_" + name)).string() << "', delivery = 'exactly-once');\n";
    return file;
  }
  std::unique_ptr<SluiceProcess> start(const std::string& name) {
    return std::make_unique<SluiceProcess>(
        std::vector<std::string>{"run", pipeline(name).string(), "--data-dir",
                                 (tmp_ / ("data_" + name)).string(), "--checkpoint-interval",
                                 "200ms", "--for", "90s"},
        tmp_ / (name + ".log"));
  }
  // n → how many times member `name` published it.
  std::map<int64_t, int> published(const std::string& name) const {
    std::map<int64_t, int> seen;
    const fs::path dir = tmp_ / ("out_" + name);
    if (!fs::exists(dir)) return seen;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().filename().string()[0] == '.') continue;
      std::ifstream part(entry.path());
      for (std::string line; std::getline(part, line);)  // {"n":123}
        ++seen[std::stoll(line.substr(line.find(':') + 1))];
    }
    return seen;
  }
  std::map<int64_t, int> all() const {
    std::map<int64_t, int> seen = published("a");
    for (const auto& [n, count] : published("b")) seen[n] += count;
    return seen;
  }
  // Waits (bounded) until every n in [0, count) was published by one of the members.
  bool wait_complete(int64_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::map<int64_t, int> seen = all();
      bool complete = true;
      for (int64_t n = 0; n < count && complete; ++n) complete = seen.count(n) > 0;
      if (complete) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  void write(int first, int count) {
    std::vector<OutgoingMessage> messages;
    for (int i = first; i < first + count; ++i) {
      OutgoingMessage m;
      m.partition = i % 4;
      m.value = "{\"n\": " + std::to_string(i) + "}";
      messages.push_back(std::move(m));
    }
    write_topic(mock_.bootstrap(), "in", messages);
  }

  KafkaMock mock_{1, {"in:4"}};
  sluice::testing::TempDir tmp_{"sluice_kafka_group_"};
};

TEST_F(KafkaGroup, TwoProcessesShareThePartitionsAndTheSurvivorTakesTheKilledOnes) {
  auto a = start("a");
  auto b = start("b");
  // Both join the group's first generation (the mock waits 3 s for members before assigning).
  std::this_thread::sleep_for(5s);
  write(0, 2000);
  ASSERT_TRUE(wait_complete(2000)) << a->output() << b->output();
  // Every message by one of them: each member had its own partitions.
  const std::map<int64_t, int> by_a = published("a");
  const std::map<int64_t, int> by_b = published("b");
  EXPECT_FALSE(by_a.empty());
  EXPECT_FALSE(by_b.empty());
  for (const auto& [n, count] : all()) EXPECT_EQ(count, 1) << n;
  std::set<int64_t> partitions_a;
  for (const auto& [n, count] : by_a) partitions_a.insert(n % 4);
  for (const auto& [n, count] : by_b) EXPECT_EQ(partitions_a.count(n % 4), 0u) << n;

  // a is killed; b takes its partitions once the group sees a gone (its session timeout) and
  // goes on from a's committed offsets: the output of both is complete.
  a->signal(SIGKILL);
  const testing::ProcessResult killed = a->wait(10s);
  ASSERT_EQ(killed.signal, SIGKILL);
  write(2000, 2000);
  ASSERT_TRUE(wait_complete(4000)) << b->output();
  const std::map<int64_t, int> after_b = published("b");
  for (int64_t n = 2000; n < 4000; ++n) EXPECT_EQ(after_b.count(n), 1u) << n;
  b->signal(SIGKILL);
  b->wait(10s);
}

}  // namespace
}  // namespace sluice
