#include <gtest/gtest.h>

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
