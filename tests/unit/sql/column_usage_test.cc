// Projection pushdown into joins (sql/column_usage.h): which columns of each input a join step
// keeps and emits, for Nexmark's joins (q3, q6, q7, q9) and the shapes around them — a join
// keeps what the query above it reads (any clause), what a join above it keeps, and its own ON
// and time columns; `*` keeps everything; objects keep their declared columns.

#include <gtest/gtest.h>

#include "sql/binder.h"
#include "sql/join_change_column.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

class ColumnUsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Nexmark's tables, as the generator's schema has them.
    run("CREATE SOURCE person (id BIGINT, name VARCHAR, email_address VARCHAR, credit_card "
        "VARCHAR, city VARCHAR, state VARCHAR, date_time TIMESTAMP, extra VARCHAR, WATERMARK FOR "
        "date_time AS date_time - INTERVAL '5' SECOND)");
    run("CREATE SOURCE auction (id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid "
        "BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category "
        "BIGINT, extra VARCHAR, WATERMARK FOR date_time AS date_time - INTERVAL '5' SECOND)");
    run("CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url "
        "VARCHAR, date_time TIMESTAMP, extra VARCHAR, WATERMARK FOR date_time AS date_time - "
        "INTERVAL '5' SECOND)");
  }

  // Binds a CREATE STREAM / MATERIALIZED VIEW and adds it to the catalog; returns its query.
  BoundQuery run(const std::string& sql) {
    auto s = parse_statement(sql);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    if (!s.ok()) return {};
    if (s->kind == StatementKind::kCreateSource) {
      auto def = Binder(catalog_).bind_source(*s);
      EXPECT_TRUE(def.ok()) << def.status().to_string();
      catalog_.add(Catalog::Entry{ObjectKind::kSource, std::make_shared<SourceDef>(std::move(*def)),
                                  nullptr, nullptr});
      return {};
    }
    auto q = Binder(catalog_).bind_query(*s->query, QueryUse::kContinuous, s->name);
    EXPECT_TRUE(q.ok()) << q.status().to_string();
    if (!q.ok()) return {};
    auto def = std::make_shared<QueryDef>();
    def->name = s->name;
    def->kind = s->kind == StatementKind::kCreateView ? ObjectKind::kView : ObjectKind::kStream;
    def->query = std::make_shared<const BoundQuery>(*q);
    catalog_.add(Catalog::Entry{def->kind, nullptr, def, nullptr});
    return std::move(*q);
  }
  Result<BoundQuery> bind(const std::string& select) {
    auto s = parse_statement(select);
    if (!s.ok()) return s.status();
    return Binder(catalog_).bind_query(*s->query, QueryUse::kContinuous, "j");
  }

  // "id,seller | auction,price": the names of the input columns each side keeps.
  static std::string kept(const BoundJoin& j) {
    std::string out;
    for (const bool left : {true, false}) {
      const Schema& schema = left ? *j.left_schema : *j.right_schema;
      std::string side;
      for (int c : join_side_columns(j, left)) {
        side += (side.empty() ? "" : ",") + schema.field(c).name;
      }
      out += left ? side + " | " : side;
    }
    return out;
  }
  static std::string names(const Schema& s) {
    std::string out;
    for (const Field& f : s.fields()) out += (out.empty() ? "" : ",") + f.name;
    return out;
  }
  static const BoundJoin& join_of(const BoundQuery& q, size_t step = 0) {
    return *q.steps.at(step).join;
  }

  Catalog catalog_;
};

TEST_F(ColumnUsageTest, Q3RegularJoinKeepsTheSelectedWhereAndKeyColumns) {
  const BoundQuery q =
      run("CREATE STREAM q3 AS SELECT P.name, P.city, P.state, A.id "
          "FROM auction AS A JOIN person AS P ON A.seller = P.id "
          "WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')");
  ASSERT_EQ(q.steps.size(), 1u);
  const BoundJoin& j = join_of(q);
  EXPECT_EQ(j.kind, JoinKind::kRegular);
  EXPECT_EQ(kept(j), "id,seller,category | id,name,city,state");
  EXPECT_EQ(*j.left_columns, (std::vector<int>{0, 7, 8}));
  EXPECT_EQ(*j.right_columns, (std::vector<int>{0, 1, 4, 5}));
  // Named as the whole join names them: P.id after A's id.
  EXPECT_EQ(names(*j.output_schema), "id,seller,category,P.id,name,city,state");
  EXPECT_EQ(names(*q.output_schema), "name,city,state,id");
  EXPECT_EQ(q.projection[0]->column, 4);  // P.name among the kept columns
  EXPECT_EQ(q.projection[3]->column, 0);
}

TEST_F(ColumnUsageTest, Q6IntervalJoinKeepsTimeColumnsAndTheWhere) {
  const BoundQuery q =
      run("CREATE STREAM q6_bids AS SELECT A.id, A.seller, B.price, B.date_time "
          "FROM auction AS A JOIN bid AS B ON A.id = B.auction "
          "AND B.date_time BETWEEN A.date_time AND A.date_time + INTERVAL '60' SECOND "
          "WHERE B.date_time <= A.expires");
  const BoundJoin& j = join_of(q);
  EXPECT_EQ(j.kind, JoinKind::kInterval);
  EXPECT_EQ(kept(j), "id,date_time,expires,seller | auction,price,date_time");
  // The time columns are the inputs' own (the operator reads them from each input's rows).
  EXPECT_EQ(j.left_time, 5);
  EXPECT_EQ(j.right_time, 5);
  EXPECT_EQ(j.upper, 60'000'000);
  EXPECT_EQ(names(*j.output_schema), "id,date_time,expires,seller,auction,price,B.date_time");
  EXPECT_EQ(names(*q.output_schema), "id,seller,price,date_time");
  ASSERT_NE(q.where, nullptr);
  // The object keeps its declared columns: a query over it reads the same stream.
  const BoundQuery top =
      run("CREATE STREAM q6_winners AS SELECT id, seller, price, date_time, _op FROM (SELECT *, "
          "ROW_NUMBER() OVER (PARTITION BY id, seller ORDER BY price DESC) AS rownum FROM q6_bids) "
          "AS ranked WHERE rownum <= 1");
  EXPECT_EQ(names(*top.output_schema), "id,seller,price,date_time,_op");
}

TEST_F(ColumnUsageTest, Q7IntervalJoinWithAnAggregateStream) {
  run("CREATE STREAM q7_max AS SELECT MAX(price) AS maxprice, window_end AS date_time FROM bid "
      "GROUP BY TUMBLE(date_time, INTERVAL '10' SECOND)");
  const BoundQuery q =
      run("CREATE STREAM q7 AS SELECT B.auction, B.price, B.bidder, B.date_time, B.extra "
          "FROM bid B JOIN q7_max B1 ON B.price = B1.maxprice "
          "AND B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time");
  const BoundJoin& j = join_of(q);
  EXPECT_EQ(kept(j), "auction,bidder,price,date_time,extra | maxprice,date_time");
  EXPECT_EQ(j.left_time, 5);
  EXPECT_EQ(j.right_time, 1);
  EXPECT_EQ(names(*q.output_schema), "auction,price,bidder,date_time,extra");
}

TEST_F(ColumnUsageTest, Q9KeepsEveryColumnItSelectsAndDropsTheRest) {
  const BoundQuery q =
      run("CREATE STREAM q9_bids AS SELECT A.id, A.item_name, A.description, A.initial_bid, "
          "A.reserve, A.date_time, A.expires, A.seller, A.category, A.extra, B.auction, B.bidder, "
          "B.price, B.date_time AS bid_date_time, B.extra AS bid_extra "
          "FROM auction A JOIN bid B ON A.id = B.auction "
          "AND B.date_time BETWEEN A.date_time AND A.date_time + INTERVAL '60' SECOND "
          "WHERE B.date_time <= A.expires");
  const BoundJoin& j = join_of(q);
  EXPECT_EQ(*j.left_columns, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(kept(j),
            "id,item_name,description,initial_bid,reserve,date_time,expires,seller,category,"
            "extra | auction,bidder,price,date_time,extra");
  EXPECT_EQ(names(*q.output_schema),
            "id,item_name,description,initial_bid,reserve,date_time,expires,seller,category,extra,"
            "auction,bidder,price,bid_date_time,bid_extra");
}

TEST_F(ColumnUsageTest, StarKeepsEveryColumn) {
  auto all = bind("SELECT A.*, B.* FROM auction A JOIN bid B ON A.id = B.auction");
  ASSERT_FALSE(all.ok());  // date_time twice: named as before, refused as before
  auto a = bind("SELECT A.*, B.price FROM auction A JOIN bid B ON A.id = B.auction");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(kept(join_of(*a)),
            "id,item_name,description,initial_bid,reserve,date_time,expires,seller,category,"
            "extra | auction,price");
  run("CREATE STREAM p AS SELECT id AS pid, name FROM person");
  auto star = bind("SELECT * FROM p JOIN bid B ON p.pid = B.bidder");
  ASSERT_TRUE(star.ok()) << star.status().to_string();
  const BoundJoin& j = join_of(*star);
  EXPECT_EQ(kept(j), "pid,name | auction,bidder,price,channel,url,date_time,extra");
  EXPECT_EQ(names(*star->output_schema),
            "pid,name,auction,bidder,price,channel,url,date_time,extra");
}

TEST_F(ColumnUsageTest, EveryClauseCounts) {
  // GROUP BY, a window over the join's time column, an aggregate's argument and FILTER, HAVING.
  auto agg = bind(
      "SELECT A.category, COUNT(*) FILTER (WHERE B.bidder > 0) AS n, window_end "
      "FROM auction A JOIN bid B ON A.id = B.auction "
      "AND B.date_time BETWEEN A.date_time AND A.date_time + INTERVAL '60' SECOND "
      "GROUP BY A.category, TUMBLE(A.date_time, INTERVAL '10' SECOND) HAVING MAX(B.price) > 1 "
      "ALLOW LATENESS INTERVAL '60' SECOND");
  ASSERT_TRUE(agg.ok()) << agg.status().to_string();
  EXPECT_EQ(kept(join_of(*agg)), "id,date_time,category | auction,bidder,price,date_time");
  // An OVER frame's partition, order and argument.
  auto over = bind(
      "SELECT A.seller, AVG(B.price) OVER (PARTITION BY A.seller ORDER BY B.date_time ROWS "
      "BETWEEN 2 PRECEDING AND CURRENT ROW) AS p FROM auction A JOIN bid B ON A.id = B.auction "
      "AND B.date_time BETWEEN A.date_time AND A.date_time + INTERVAL '60' SECOND");
  ASSERT_TRUE(over.ok()) << over.status().to_string();
  EXPECT_EQ(kept(join_of(*over)), "id,date_time,seller | auction,price,date_time");
  // A top-N's partition and order (QUALIFY).
  auto top = bind(
      "SELECT A.id, ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC) AS rn "
      "FROM auction A JOIN bid B ON A.id = B.auction "
      "AND B.date_time BETWEEN A.date_time AND A.date_time + INTERVAL '60' SECOND QUALIFY rn <= 1");
  ASSERT_TRUE(top.ok()) << top.status().to_string();
  EXPECT_EQ(kept(join_of(*top)), "id,date_time | auction,price,date_time");
  // The residual (the rest of ON) is over the join's own columns.
  auto residual =
      bind("SELECT A.id FROM auction A JOIN bid B ON A.id = B.auction AND B.url <> A.extra");
  ASSERT_TRUE(residual.ok()) << residual.status().to_string();
  EXPECT_EQ(kept(join_of(*residual)), "id,extra | auction,url");
  EXPECT_EQ(join_of(*residual).residual->args[0]->column, 3);
}

TEST_F(ColumnUsageTest, NestedJoinsPassTheirNeedsDown) {
  auto q = bind(
      "SELECT P.name, B.price FROM bid B JOIN auction A ON B.auction = A.id "
      "JOIN person P ON A.seller = P.id");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  ASSERT_EQ(q->steps.size(), 2u);
  // j$1 keeps its keys, and what j$2 reads of it (A.seller, B.price); j$2 drops j$1's keys.
  EXPECT_EQ(kept(join_of(*q, 0)), "auction,price | id,seller");
  EXPECT_EQ(kept(join_of(*q, 1)), "price,seller | id,name");
  EXPECT_EQ(*join_of(*q, 1).left_columns, (std::vector<int>{1, 3}));
  EXPECT_EQ(join_of(*q, 1).left_keys[0]->column, 3);  // A.seller among j$1's kept columns
  EXPECT_EQ(names(*q->output_schema), "name,price");
  EXPECT_EQ(q->projection[0]->column, 3);
  EXPECT_EQ(q->projection[1]->column, 0);
}

TEST_F(ColumnUsageTest, SubqueriesWithAndUnionAllReadTheirJoinsColumns) {
  // A subquery over a join: the join keeps what the subquery reads; the subquery keeps its own
  // columns (a query's output is never narrowed).
  auto sub = bind(
      "SELECT t.seller FROM (SELECT A.seller, B.price FROM auction A JOIN bid B "
      "ON A.id = B.auction) AS t");
  ASSERT_TRUE(sub.ok()) << sub.status().to_string();
  ASSERT_EQ(sub->steps.size(), 2u);
  EXPECT_EQ(kept(join_of(*sub)), "id,seller | auction,price");
  EXPECT_EQ(names(*sub->steps[1].schema), "seller,price");
  auto with = bind(
      "WITH w AS (SELECT A.seller, B.bidder FROM auction A JOIN bid B ON A.id = B.auction) "
      "SELECT bidder FROM w");
  ASSERT_TRUE(with.ok()) << with.status().to_string();
  EXPECT_EQ(kept(join_of(*with)), "id,seller | auction,bidder");
  auto u = bind(
      "SELECT A.seller AS who FROM auction A JOIN bid B ON A.id = B.auction "
      "UNION ALL SELECT P.id FROM person P JOIN bid B ON P.id = B.bidder");
  ASSERT_TRUE(u.ok()) << u.status().to_string();
  EXPECT_EQ(kept(join_of(*u, 0)), "id,seller | auction");
  EXPECT_EQ(kept(join_of(*u, 2)), "id | bidder");
  EXPECT_EQ(names(*u->output_schema), "who");
}

TEST_F(ColumnUsageTest, ChangesAndTemporalJoins) {
  // A left join emits changes: its `_op` stays last, whatever it keeps.
  auto left = bind("SELECT B.price, P.name FROM bid B LEFT JOIN person P ON B.bidder = P.id");
  ASSERT_TRUE(left.ok()) << left.status().to_string();
  EXPECT_EQ(kept(join_of(*left)), "bidder,price | id,name");
  EXPECT_EQ(names(*join_of(*left).output_schema), "bidder,price,id,name,_op");
  EXPECT_EQ(names(*left->output_schema), "price,name,_op");
  // ASOF keeps every column (its operator stores whole rows).
  auto asof = bind(
      "SELECT B.price, A.seller FROM bid B ASOF JOIN auction A ON B.auction = A.id "
      "AND B.date_time >= A.date_time");
  ASSERT_TRUE(asof.ok()) << asof.status().to_string();
  EXPECT_EQ(join_side_columns(join_of(*asof), true).size(), 7u);
  EXPECT_EQ(join_side_columns(join_of(*asof), false).size(), 10u);
}

}  // namespace
}  // namespace sluice::sql
