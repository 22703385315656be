// The `websocket` sink through WebSocketHub without sockets: refused without a server; one
// encode per batch, the same buffer handed to every client; paths unique; DROP SINK closes.

#include "server/websocket_hub.h"

#include <gtest/gtest.h>

#include "connectors/websocket/websocket_sink.h"
#include "sluice/database.h"
#include "wait_for_sink.h"

namespace sluice::server {
namespace {

// A client that records what it was handed. The io thread is this thread: the hub's poster
// runs work at once.
class RecordingClient final : public HubClient {
 public:
  void deliver(const std::shared_ptr<const std::string>& message) override {
    messages.push_back(message);
  }
  void disconnect() override { disconnected = true; }
  std::vector<std::shared_ptr<const std::string>> messages;
  bool disconnected = false;
};

std::unique_ptr<Database> open_with(std::shared_ptr<WebSocketHub> hub) {
  DatabaseOptions options;
  if (hub) options.services[std::string(connectors::websocket::kBroadcasterService)] = hub;
  return Database::open(options).value();
}

TEST(WebSocketSink, RefusedWithoutAServer) {
  auto db = open_with(nullptr);
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT)").ok());
  auto r = db->execute("CREATE SINK live FROM t INTO websocket (path = '/ws/live')");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(r.status().message().find("sluice serve"), std::string_view::npos)
      << r.status().to_string();
  EXPECT_FALSE(db->sink_metrics("live").ok());  // nothing was created
}

TEST(WebSocketSink, EachBatchEncodedOnceAndSharedByEveryClient) {
  auto hub = std::make_shared<WebSocketHub>();
  hub->set_io([](std::function<void()> work) { work(); });
  auto db = open_with(hub);
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT, s VARCHAR); "
                          "CREATE SINK live FROM t INTO websocket (path = '/ws/live')")
                  .ok());
  std::shared_ptr<HubChannel> channel = hub->find("/ws/live");
  ASSERT_NE(channel, nullptr);
  std::vector<std::shared_ptr<RecordingClient>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(std::make_shared<RecordingClient>());
    channel->attach(clients.back());
  }
  const int64_t encoded_before = connectors::websocket::encoded_messages();
  auto t = db->source("t").value();
  ASSERT_TRUE(t.push_json("{\"n\":1,\"s\":\"a\\nb\"}\n{\"n\":2,\"s\":null}\n").ok());
  ASSERT_TRUE(db->flush().ok());
  ASSERT_TRUE(t.push_json("{\"n\":3,\"s\":\"c\"}\n").ok());
  ASSERT_TRUE(db->flush().ok());
  ASSERT_TRUE(wait_for_sink_rows(*db, "live", 3));

  const int64_t batches = db->sink_metrics("live")->batches;
  EXPECT_EQ(connectors::websocket::encoded_messages() - encoded_before, batches);
  EXPECT_EQ(channel->counters().published.load(), batches);
  ASSERT_EQ(clients[0]->messages.size(), static_cast<size_t>(batches));
  for (const auto& client : clients) {
    ASSERT_EQ(client->messages.size(), clients[0]->messages.size());
    for (size_t i = 0; i < client->messages.size(); ++i)
      EXPECT_EQ(client->messages[i].get(), clients[0]->messages[i].get());  // one buffer, no copy
  }
  std::string all;
  for (const auto& m : clients[0]->messages) all += *m + "\n";
  EXPECT_NE(all.find(R"({"seq":1,"rows":[{"n":1,"s":"a\nb"},{"n":2,"s":null})"), std::string::npos)
      << all;
  EXPECT_NE(all.find(R"("rows":[{"n":3,"s":"c"}]})"), std::string::npos) << all;

  // Another sink may not serve the same path; dropping the sink closes its clients.
  auto twice = db->execute("CREATE SINK again FROM t INTO websocket (path = '/ws/live')");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), ErrorCode::kSqlDuplicateName);
  ASSERT_TRUE(db->execute("DROP SINK live").ok());
  for (const auto& client : clients) EXPECT_TRUE(client->disconnected);
  EXPECT_EQ(hub->find("/ws/live"), nullptr);
  EXPECT_TRUE(db->execute("CREATE SINK again FROM t INTO websocket (path = '/ws/live')").ok());
}

TEST(WebSocketSink, RowFormatOneMessagePerRowWithSequenceNumbers) {
  auto hub = std::make_shared<WebSocketHub>();
  hub->set_io([](std::function<void()> work) { work(); });
  auto db = open_with(hub);
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT); CREATE SINK rows FROM t INTO websocket "
                          "(path = '/ws/rows', format = 'row')")
                  .ok());
  auto client = std::make_shared<RecordingClient>();
  hub->find("/ws/rows")->attach(client);
  ASSERT_TRUE(db->source("t")->push_json("{\"n\":5}\n{\"n\":6}\n").ok());
  ASSERT_TRUE(db->flush().ok());
  ASSERT_TRUE(wait_for_sink_rows(*db, "rows", 2));
  ASSERT_EQ(client->messages.size(), 2u);
  EXPECT_EQ(*client->messages[0], R"({"seq":1,"row":{"n":5}})");
  EXPECT_EQ(*client->messages[1], R"({"seq":2,"row":{"n":6}})");
}

TEST(WebSocketSink, PathMustBeUnderWs) {
  auto hub = std::make_shared<WebSocketHub>();
  auto db = open_with(hub);
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT)").ok());
  for (const char* path : {"live", "/api/v1/sql", "/ws/", "/ws/subscribe", "/ws/a?b"}) {
    auto r =
        db->execute(std::string("CREATE SINK s FROM t INTO websocket (path = '") + path + "')");
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), ErrorCode::kSqlInvalidOption) << path;
  }
}

}  // namespace
}  // namespace sluice::server
