// The `websocket` sink through WebSocketHub without sockets: refused without a server; one
// encode per batch, the same buffer handed to every client; paths unique; DROP SINK closes.

#include "server/websocket_hub.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "common/mutex.h"
#include "connectors/websocket/websocket_sink.h"
#include "recording_client.h"
#include "server/subscription_feed.h"
#include "sluice/database.h"
#include "wait_for_sink.h"

namespace sluice::server {
namespace {

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
  const auto first = clients[0]->messages();
  ASSERT_EQ(first.size(), static_cast<size_t>(batches));
  for (const auto& client : clients) {
    const auto got = client->messages();
    ASSERT_EQ(got.size(), first.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(got[i].get(), first[i].get());  // one buffer, no copy
  }
  std::string all;
  for (const auto& m : first) all += *m + "\n";
  EXPECT_NE(all.find(R"({"seq":1,"rows":[{"n":1,"s":"a\nb"},{"n":2,"s":null})"), std::string::npos)
      << all;
  EXPECT_NE(all.find(R"("rows":[{"n":3,"s":"c"}]})"), std::string::npos) << all;

  // Another sink may not serve the same path; dropping the sink closes its clients.
  auto twice = db->execute("CREATE SINK again FROM t INTO websocket (path = '/ws/live')");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), ErrorCode::kSqlDuplicateName);
  ASSERT_TRUE(db->execute("DROP SINK live").ok());
  for (const auto& client : clients) EXPECT_TRUE(client->disconnected());
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
  const auto got = client->messages();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(*got[0], R"({"seq":1,"row":{"n":5}})");
  EXPECT_EQ(*got[1], R"({"seq":2,"row":{"n":6}})");
}

TEST(HubChannel, MessagesPublishedWhileAPostIsPendingGoWithIt) {
  // The io thread is busy: posted work waits here until the test runs it.
  std::vector<std::function<void()>> posted;
  auto hub = std::make_shared<WebSocketHub>();
  hub->set_io([&](std::function<void()> work) { posted.push_back(std::move(work)); });
  connectors::websocket::ChannelOptions options;
  options.sink = "live";
  options.path = "/ws/live";
  auto channel = std::make_shared<HubChannel>(hub, options);
  auto client = std::make_shared<RecordingClient>();
  channel->attach(client);
  for (const char* m : {"1", "2", "3"}) channel->publish(std::make_shared<const std::string>(m));
  ASSERT_EQ(posted.size(), 1u);  // one wake-up of the io thread for the three
  std::exchange(posted, {})[0]();
  channel->publish(std::make_shared<const std::string>("4"));  // nothing pending: a new post
  ASSERT_EQ(posted.size(), 1u);
  posted[0]();
  std::vector<std::string> got;
  for (const auto& m : client->messages()) got.push_back(*m);
  EXPECT_EQ(got, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(channel->counters().published.load(), 4);
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

TEST(Subscribe, QueryParsedAndPercentDecoded) {
  auto r = parse_subscribe_query(
      "/ws/subscribe?token=x&stream=t&where=n+%3E%3D+3%20AND%20s%20%3D%20%27a%26b%27");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->stream, "t");
  EXPECT_EQ(r->where, "n >= 3 AND s = 'a&b'");
  EXPECT_EQ(parse_subscribe_query("/ws/subscribe?where=x").status().code(), ErrorCode::kBadRequest);
  EXPECT_EQ(parse_subscribe_query("/ws/subscribe?stream=%zz").status().code(),
            ErrorCode::kBadRequest);
}

TEST(Subscribe, FeedFiltersWithAConditionCompiledOnceAndEndsWhenItsClientLeaves) {
  auto hub = std::make_shared<WebSocketHub>();
  hub->set_io([](std::function<void()> work) { work(); });
  auto db = open_with(hub);
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT)").ok());
  int status = 0;
  auto bad = SubscriptionFeed::start(*db, hub, {"t", "n >\n nope"}, 1 << 20, status);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(status, 400);
  EXPECT_EQ(bad.status().code(), ErrorCode::kSqlUnknownName);
  EXPECT_EQ(bad.status().location(), "2:2");  // within the condition
  EXPECT_FALSE(SubscriptionFeed::start(*db, hub, {"t", "n + 1"}, 1 << 20, status).ok());
  EXPECT_FALSE(SubscriptionFeed::start(*db, hub, {"nope", ""}, 1 << 20, status).ok());
  EXPECT_EQ(status, 404);

  auto feed = SubscriptionFeed::start(*db, hub, {"t", "n % 2 = 1"}, 1 << 20, status).value();
  auto client = std::make_shared<RecordingClient>();
  bool ended = false;
  feed->channel()->attach(client);
  feed->channel()->set_on_empty([&] { ended = true; });
  ASSERT_TRUE(db->source("t")->push_json("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n").ok());
  ASSERT_TRUE(db->flush().ok());
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (client->messages().empty() && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto got = client->messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(*got[0], R"({"seq":1,"rows":[{"n":1},{"n":3}]})");
  feed->channel()->detach(client.get());
  EXPECT_TRUE(ended);
  feed.reset();  // closes the subscription, joins its thread
}

}  // namespace
}  // namespace sluice::server
