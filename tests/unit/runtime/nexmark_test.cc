#include <gtest/gtest.h>

#include <thread>

#include "connectors/generator/nexmark.h"
#include "sluice/database.h"

namespace sluice {
namespace {

using connectors::NexmarkGenerator;
using connectors::NexmarkTable;

int64_t scalar(Database& db, const std::string& sql) {
  auto r = db.execute(sql);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (!r.ok() || r->rows.num_rows() != 1) return -1;
  return r->rows.column(0).int64_value(0);
}

TEST(Nexmark, EventMixIdsAndDeterminism) {
  auto db = Database::open().value();
  ASSERT_TRUE(db->execute(R"(
    CREATE SOURCE person WITH (connector = 'nexmark', table = 'person', limit = '5000');
    CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', limit = '5000');
    CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', limit = '5000', seed = '7');
    CREATE MATERIALIZED VIEW persons AS SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM person;
    CREATE MATERIALIZED VIEW auctions AS SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM auction;
    CREATE MATERIALIZED VIEW bids AS SELECT COUNT(*) AS n, SUM(price) AS total, MIN(auction) AS lo FROM bid;
    CREATE MATERIALIZED VIEW per_window AS
      SELECT window_start, COUNT(*) AS n FROM bid GROUP BY TUMBLE(date_time, INTERVAL '100' MICROSECOND);
  )")
                  .ok());
  ASSERT_TRUE(db->start().ok());
  ASSERT_TRUE(db->wait_for_bounded_sources().ok()) << db->status().to_string();
  // 5,000 events: 2% persons, 6% auctions, 92% bids; ids dense from 1000.
  EXPECT_EQ(scalar(*db, "SELECT n FROM persons"), 100);
  EXPECT_EQ(scalar(*db, "SELECT lo FROM persons"), 1000);
  EXPECT_EQ(scalar(*db, "SELECT hi FROM persons"), 1099);
  EXPECT_EQ(scalar(*db, "SELECT n FROM auctions"), 300);
  EXPECT_EQ(scalar(*db, "SELECT hi FROM auctions"), 1299);
  EXPECT_EQ(scalar(*db, "SELECT n FROM bids"), 4600);
  EXPECT_GE(scalar(*db, "SELECT lo FROM bids"), 1000);
  // At 10 M events/s of event time, 5,000 events span 500 µs: five 100 µs windows, closed by
  // the final watermark.
  EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM per_window"), 5);
  const int64_t total = scalar(*db, "SELECT total FROM bids");
  ASSERT_TRUE(db->shutdown().ok());

  // The same seed gives the same events; another seed, others.
  auto again = [](const char* seed) {
    auto db2 = Database::open().value();
    EXPECT_TRUE(
        db2->execute(std::string("CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', "
                                 "limit = '5000', seed = '") +
                     seed +
                     "'); CREATE MATERIALIZED VIEW bids AS SELECT SUM(price) AS total FROM bid")
            .ok());
    EXPECT_TRUE(db2->start().ok());
    EXPECT_TRUE(db2->wait_for_bounded_sources().ok());
    return scalar(*db2, "SELECT total FROM bids");
  };
  EXPECT_EQ(again("7"), total);
  EXPECT_NE(again("8"), total);
}

TEST(Nexmark, RangesRegenerateExactly) {
  NexmarkGenerator a(NexmarkTable::kBid, {}), b(NexmarkTable::kBid, {});
  BatchBuilder whole(connectors::nexmark_schema(NexmarkTable::kBid)),
      parts(connectors::nexmark_schema(NexmarkTable::kBid));
  a.generate(0, 1000, whole);
  b.generate(0, 300, parts);
  b.generate(300, 700, parts);  // a replay from an offset sees the same events
  EXPECT_TRUE(whole.finish().equals(parts.finish()));
}

// `batch.size` changes how the events are batched, never which: the same rows, in more
// batches. (The oracle test, tests/integration/nexmark/, runs every query both ways.)
TEST(Nexmark, BatchSizeChangesBatchesNotRows) {
  // `updates`: the rows of an EMIT ON UPDATE count, one per batch the aggregate processed.
  // Credits of 64 rows keep the compute thread from coalescing a source's batches.
  auto run = [](const char* batch_size, int64_t& updates) {
    DatabaseOptions options;
    options.source_credits = 64;
    auto db = Database::open(options).value();
    EXPECT_TRUE(db->execute(std::string("CREATE SOURCE bid WITH (connector = 'nexmark', table = "
                                        "'bid', limit = '5000', batch.size = '") +
                            batch_size +
                            "'); CREATE MATERIALIZED VIEW bids AS SELECT COUNT(*) AS n, "
                            "SUM(price) AS total FROM bid; CREATE SINK updates AS SELECT COUNT(*) "
                            "AS n FROM bid INTO blackhole ()")
                    .ok());
    EXPECT_TRUE(db->start().ok());
    EXPECT_TRUE(db->wait_for_bounded_sources().ok());
    const int64_t n = scalar(*db, "SELECT n FROM bids"),
                  total = scalar(*db, "SELECT total FROM bids");
    EXPECT_TRUE(db->shutdown().ok());
    updates = db->sink_metrics("updates")->rows;
    return std::pair(n, total);
  };
  int64_t whole = 0, small = 0;
  const auto a = run("4096", whole), b = run("50", small);
  EXPECT_EQ(a.first, 4600);
  EXPECT_EQ(a, b);
  EXPECT_EQ(small, 100) << "5,000 events in batches of 50";
  EXPECT_LT(whole, small);
  auto db = Database::open().value();
  auto r =
      db->execute("CREATE SOURCE b WITH (connector = 'nexmark', table = 'bid', batch.size = '0')");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("batch.size"), std::string::npos) << r.status().to_string();
}

TEST(Nexmark, SqlErrors) {
  auto db = Database::open().value();
  auto r = db->execute("CREATE SOURCE b (x BIGINT) WITH (connector = 'nexmark', table = 'bid')");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("defines the columns itself"), std::string::npos);
  r = db->execute("CREATE SOURCE b WITH (connector = 'nexmark', table = 'bids')");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("expected one of person, auction, bid"), std::string::npos);
  r = db->execute("CREATE SOURCE b WITH (path = 'x')");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().to_string().find("needs a column list"), std::string::npos);
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(Datagen, ColumnsFollowTheirFieldOptions) {
  auto db = Database::open().value();
  ASSERT_TRUE(db->execute(R"(
    CREATE SOURCE t (id BIGINT NOT NULL, kind VARCHAR, price DOUBLE, qty INT, ts TIMESTAMP,
                     WATERMARK FOR ts AS ts)
      WITH (connector = 'datagen', limit = '1000', seed = '3',
            fields.id.kind = 'sequence', fields.id.start = '1',
            fields.kind.kind = 'values', fields.kind.values = 'a, b, c',
            fields.price.min = '10', fields.price.max = '20', fields.price.null.rate = '0.5',
            fields.qty.min = '1', fields.qty.max = '4');
    CREATE MATERIALIZED VIEW stats AS
      SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi, COUNT(DISTINCT kind) AS kinds,
             MIN(price) AS pmin, MAX(price) AS pmax, COUNT(price) AS priced, MIN(qty) AS qmin, MAX(qty) AS qmax,
             SUM(price) AS total
      FROM t;
    CREATE MATERIALIZED VIEW per_100ms AS SELECT window_start, COUNT(*) AS n FROM t GROUP BY TUMBLE(ts, INTERVAL '100' MILLISECOND);
  )")
                  .ok());
  ASSERT_TRUE(db->start().ok());
  ASSERT_TRUE(db->wait_for_bounded_sources().ok()) << db->status().to_string();
  auto r = db->execute("SELECT * FROM stats");
  ASSERT_TRUE(r.ok());
  const RecordBatch& s = r->rows;
  EXPECT_EQ(s.column(0).int64_value(0), 1000);
  EXPECT_EQ(s.column(1).int64_value(0), 1);
  EXPECT_EQ(s.column(2).int64_value(0), 1000);
  EXPECT_EQ(s.column(3).int64_value(0), 3);
  EXPECT_GE(s.column(4).double_value(0), 10);
  EXPECT_LT(s.column(5).double_value(0), 20);
  EXPECT_NEAR(static_cast<double>(s.column(6).int64_value(0)), 500, 100) << "about half NULL";
  EXPECT_EQ(s.column(7).int32_value(0), 1);
  EXPECT_EQ(s.column(8).int32_value(0), 3);
  // The default event time steps 1 ms per row (no rate): 1,000 rows make ten 100 ms windows.
  EXPECT_EQ(db->execute("SELECT COUNT(*) FROM per_100ms")->rows.column(0).int64_value(0), 10);
  const double total = s.column(9).double_value(0);
  ASSERT_TRUE(db->shutdown().ok());

  auto again = Database::open().value();  // same seed, same rows
  ASSERT_TRUE(
      again
          ->execute(
              "CREATE SOURCE t (id BIGINT NOT NULL, kind VARCHAR, price DOUBLE, qty INT, ts "
              "TIMESTAMP) "
              "WITH (connector = 'datagen', limit = '1000', seed = '3', fields.id.kind = "
              "'sequence', "
              "fields.id.start = '1', fields.kind.kind = 'values', fields.kind.values = 'a, b, c', "
              "fields.price.min = '10', fields.price.max = '20', fields.price.null.rate = '0.5', "
              "fields.qty.min = '1', fields.qty.max = '4');"
              "CREATE MATERIALIZED VIEW s AS SELECT SUM(price) AS total FROM t")
          .ok());
  ASSERT_TRUE(again->start().ok());
  ASSERT_TRUE(again->wait_for_bounded_sources().ok());
  EXPECT_DOUBLE_EQ(again->execute("SELECT total FROM s")->rows.column(0).double_value(0), total);
}

TEST(Datagen, BadFieldOptionsFailTheCreate) {
  auto db = Database::open().value();
  struct Case {
    const char* options;
    const char* error;
  };
  const Case cases[] = {
      {"fields.nope.kind = 'random'", "names unknown column 'nope'"},
      {"fields.n.colour = 'red'", "unknown property 'colour'"},
      {"fields.n.min = 'ten'", "option 'fields.n.min': expected an integer, got 'ten'"},
      {"fields.n.kind = 'values', fields.n.values = '1, two'", "'two' is not a BIGINT"},
      {"fields.n.min = '5', fields.n.max = '5'", "must be greater than min"},
      {"fields.n.null.rate = '2'", "expected a share from 0 to 1"},
  };
  for (const Case& c : cases) {
    auto r = db->execute(std::string("CREATE SOURCE g (n BIGINT) WITH (connector = 'datagen', ") +
                         c.options + ")");
    ASSERT_FALSE(r.ok()) << c.options;
    EXPECT_NE(r.status().to_string().find(c.error), std::string::npos) << r.status().to_string();
    EXPECT_EQ(db->execute("SHOW SOURCES")->rows.num_rows(), 0) << "a failed CREATE leaves nothing";
  }
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// Waiting for bounded sources must not hold up other calls while input flows.
TEST(BoundedSources, WaitingDoesNotBlockOtherCalls) {
  auto db = Database::open().value();
  ASSERT_TRUE(db->execute("CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', rate = "
                          "'2000', limit = '4000');"
                          "CREATE SINK b FROM bid INTO blackhole ()")
                  .ok());
  ASSERT_TRUE(db->start().ok());
  std::thread waiter([&] { EXPECT_TRUE(db->wait_for_bounded_sources().ok()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(db->execute("SHOW SOURCES").ok());
  EXPECT_TRUE(db->sink_metrics("b").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500))
      << "execute() waited for the source to finish";
  waiter.join();
  ASSERT_TRUE(db->shutdown().ok());              // sinks write asynchronously; shutdown drains them
  EXPECT_EQ(db->sink_metrics("b")->rows, 3680);  // 92% of 4,000 events are bids
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// A generator blocked on credits (its output goes to a subscriber that never reads) must not
// hang shutdown.
TEST(BoundedSources, ShutdownWithAGeneratorBlockedOnCredits) {
  DatabaseOptions options;
  options.shutdown_grace = std::chrono::milliseconds(200);
  auto db = Database::open(options).value();
  ASSERT_TRUE(db->execute("CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid')").ok());
  SubscribeOptions tiny;
  tiny.capacity = 1;
  auto stuck = db->subscribe("bid", tiny).value();  // never read
  ASSERT_TRUE(db->start().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let everything back up
  const auto start = std::chrono::steady_clock::now();
  db->shutdown().ignore();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << "shutdown hung";
}

}  // namespace
}  // namespace sluice
