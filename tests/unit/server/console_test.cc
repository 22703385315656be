// The console page of `sluice serve` without sockets: its files served without a token (and
// nothing else), and the live feed's snapshots (graph, sinks with metrics, sources; JSON even
// when the database is closed), sent to a connected page through its own hub channel.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <thread>

#include "recording_client.h"
#include "server/api.h"
#include "server/console_assets.h"
#include "server/console_feed.h"
#include "wait_for_sink.h"

namespace sluice::server {
namespace {

constexpr const char* kToken = "secret-token-1234";

ApiResponse get(const Api& api, std::string target, std::string authorization = "") {
  return api.handle({"GET", std::move(target), std::move(authorization), ""});
}

TEST(ConsoleAssets, ThePageAndItsFilesNeedNoToken) {
  auto db = Database::open().value();
  const Api api(*db, kToken);
  const ApiResponse page = get(api, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/console/console.js\">"), std::string::npos);
  EXPECT_EQ(page.body, find_console_asset("/console/index.html")->body);
  EXPECT_TRUE(api.answers_at_once({"GET", "/", "", ""}));  // no database: the io thread answers
  const ApiResponse script = get(api, "/console/console.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(script.body.find("/ws/console"), std::string::npos);
  EXPECT_EQ(get(api, "/console/console.css").content_type, "text/css; charset=utf-8");
}

TEST(ConsoleAssets, AnythingElseStillNeedsTheToken) {
  auto db = Database::open().value();
  const Api api(*db, kToken);
  EXPECT_EQ(get(api, "/console/nothing.js").status, 401);
  EXPECT_EQ(get(api, "/console/").status, 401);
  EXPECT_EQ(api.handle({"POST", "/", "", ""}).status, 401);
  EXPECT_EQ(get(api, "/console/nothing.js", std::string("Bearer ") + kToken).status, 404);
  EXPECT_EQ(find_console_asset("/index.html"), nullptr);
}

class ConsoleFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Database::open().value();
    ASSERT_TRUE(db_->execute("CREATE SOURCE t (k VARCHAR, n BIGINT); "
                             "CREATE STREAM big AS SELECT k, n FROM t WHERE n > 1; "
                             "CREATE SINK out FROM big INTO blackhole")
                    .ok());
    ASSERT_TRUE(db_->start().ok());
    api_ = std::make_unique<Api>(*db_, kToken);
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<Api> api_;
};

TEST_F(ConsoleFeedTest, ASnapshotHoldsTheGraphTheSinksAndTheSources) {
  ASSERT_TRUE(db_->source("t")->push_json("{\"k\":\"a\",\"n\":1}\n{\"k\":\"b\",\"n\":2}\n").ok());
  ASSERT_TRUE(db_->flush().ok());
  ASSERT_TRUE(wait_for_sink_rows(*db_, "out", 1));
  const std::string text = ConsoleFeed::snapshot(*api_, 7);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(simdjson::padded_string(text)).get(doc), simdjson::SUCCESS) << text;
  EXPECT_EQ(doc["seq"].get_int64().value(), 7);
  EXPECT_GT(doc["time_ms"].get_int64().value(), 0);
  EXPECT_TRUE(doc["error"].is_null());
  std::vector<std::string> nodes;
  for (simdjson::dom::element n : doc["graph"]["nodes"].get_array()) {
    nodes.push_back(std::string(n["name"].get_string().value()) + ":" +
                    std::string(n["kind"].get_string().value()));
  }
  EXPECT_EQ(nodes, (std::vector<std::string>{"t:source", "big:stream", "out:sink"}));
  simdjson::dom::array sinks = doc["sinks"].get_array();
  ASSERT_EQ(sinks.size(), 1u);
  EXPECT_EQ(sinks.at(0)["name"].get_string().value(), "out");
  EXPECT_EQ(sinks.at(0)["metrics"]["rows"].get_int64().value(), 1);
  EXPECT_EQ(sinks.at(0)["metrics"]["queue_depth"].get_int64().value(), 0);
  simdjson::dom::array sources = doc["sources"].get_array();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources.at(0)["metrics"]["pushed_rows"].get_int64().value(), 2);
}

TEST_F(ConsoleFeedTest, AConnectedPageReceivesSnapshotsInOrderUntilTheFeedEnds) {
  auto hub = std::make_shared<WebSocketHub>();
  hub->set_io([](std::function<void()> work) { work(); });
  auto client = std::make_shared<RecordingClient>();
  {
    ConsoleFeed feed(*api_, hub, std::chrono::milliseconds(5));
    feed.channel()->attach(client);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (client->messages().size() < 2 && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GE(client->messages().size(), 2u);
    EXPECT_EQ(feed.channel()->options().path, kConsolePath);
    EXPECT_EQ(hub->find(std::string(kConsolePath)), nullptr);  // not a sink's path
  }
  const auto messages = client->messages();
  simdjson::dom::parser parser;
  for (size_t i = 0; i < messages.size(); ++i) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(simdjson::padded_string(*messages[i])).get(doc), simdjson::SUCCESS);
    EXPECT_EQ(doc["seq"].get_int64().value(), static_cast<int64_t>(i + 1));
  }
  EXPECT_TRUE(client->disconnected());  // the feed's end closes its pages
}

TEST_F(ConsoleFeedTest, AClosedDatabaseStillGivesASnapshot) {
  ASSERT_TRUE(db_->shutdown().ok());
  const std::string text = ConsoleFeed::snapshot(*api_, 1);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(simdjson::padded_string(text)).get(doc), simdjson::SUCCESS) << text;
  // A closed database: graph and lists are unavailable, and the snapshot still parses.
  EXPECT_TRUE(doc["graph"].is_null());
  EXPECT_EQ(doc["sinks"].get_array().size(), 0u);
}

}  // namespace
}  // namespace sluice::server
