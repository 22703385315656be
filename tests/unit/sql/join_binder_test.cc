// The binder over FROM shapes of several relations (issue 19): names over a join's relations,
// each join classified into a BoundJoin (kind, keys, bounds, residual, output schema), the steps
// of subqueries, WITH and UNION ALL, every refusal at its line:column, windows over a join's
// output, and the catalog's lineage through an object's steps.

#include <gtest/gtest.h>

#include "sql/binder.h"
#include "sql/parser.h"

namespace sluice::sql {
namespace {

class JoinBinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    run("CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, ts TIMESTAMP, "
        "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)");
    run("CREATE SOURCE auction (id BIGINT, seller BIGINT, category INT, ts TIMESTAMP, "
        "expires TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)");
    run("CREATE SOURCE person (id BIGINT, name VARCHAR, ts TIMESTAMP, "
        "WATERMARK FOR ts AS ts)");
    run("CREATE SOURCE plain (id INT, name VARCHAR)");
  }

  // Binds a CREATE SOURCE / STREAM / MATERIALIZED VIEW and adds it to the catalog.
  void run(const std::string& sql) {
    auto s = parse_statement(sql);
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    if (s->kind == StatementKind::kCreateSource) {
      auto def = Binder(catalog_).bind_source(*s);
      ASSERT_TRUE(def.ok()) << def.status().to_string();
      catalog_.add(Catalog::Entry{ObjectKind::kSource, std::make_shared<SourceDef>(std::move(*def)),
                                  nullptr, nullptr});
      return;
    }
    auto q = Binder(catalog_).bind_query(*s->query, QueryUse::kContinuous, s->name);
    ASSERT_TRUE(q.ok()) << q.status().to_string();
    auto def = std::make_shared<QueryDef>();
    def->name = s->name;
    def->kind = s->kind == StatementKind::kCreateView ? ObjectKind::kView : ObjectKind::kStream;
    def->query = std::make_shared<const BoundQuery>(std::move(*q));
    catalog_.add(Catalog::Entry{def->kind, nullptr, def, nullptr});
  }

  Result<BoundQuery> bind(const std::string& select, std::string_view object = "j") {
    auto s = parse_statement(select);
    if (!s.ok()) return s.status();
    return Binder(catalog_).bind_query(*s->query, QueryUse::kContinuous, object);
  }
  std::string error(const std::string& select) {
    auto q = bind(select);
    return q.ok() ? "bound" : q.status().to_string();
  }
  static const BoundJoin& join_of(const BoundQuery& q, size_t step = 0) {
    return *q.steps.at(step).join;
  }
  static std::string names(const Schema& s) {
    std::string out;
    for (const Field& f : s.fields()) out += (out.empty() ? "" : ",") + f.name;
    return out;
  }

  Catalog catalog_;
};

TEST_F(JoinBinderTest, IntervalJoinBetween) {
  auto q = bind(
      "SELECT b.price, a.seller FROM bid b JOIN auction a ON b.auction = a.id AND "
      "a.ts BETWEEN b.ts - INTERVAL '10' SECOND AND b.ts + INTERVAL '1' MINUTE WHERE b.price > 5");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  ASSERT_EQ(q->steps.size(), 1u);
  EXPECT_EQ(q->steps[0].name, "j$1");
  EXPECT_EQ(q->steps[0].kind, PlanStep::Kind::kJoin);
  EXPECT_EQ(q->steps[0].inputs, (std::vector<std::string>{"bid", "auction"}));
  EXPECT_EQ(q->input, "j$1");
  const BoundJoin& j = join_of(*q);
  EXPECT_EQ(j.kind, JoinKind::kInterval);
  EXPECT_EQ(j.type, JoinType::kInner);
  ASSERT_EQ(j.left_keys.size(), 1u);
  EXPECT_EQ(j.left_keys[0]->column, 0);
  EXPECT_EQ(j.right_keys[0]->column, 0);
  EXPECT_EQ(j.left_time, 3);
  EXPECT_EQ(j.right_time, 3);
  EXPECT_EQ(j.lower, 10'000'000);
  EXPECT_EQ(j.upper, 60'000'000);
  EXPECT_EQ(j.residual, nullptr);
  // The join keeps what the query and its ON read (projection pushdown, column_usage_test.cc).
  EXPECT_EQ(names(*j.output_schema), "auction,price,ts,id,seller,a.ts");
  // The outer query reads the join's columns: b.price is 1, a.seller 4.
  EXPECT_EQ(q->projection[0]->column, 1);
  EXPECT_EQ(q->projection[1]->column, 4);
  EXPECT_EQ(names(*q->output_schema), "price,seller");
  ASSERT_NE(q->where, nullptr);
}

TEST_F(JoinBinderTest, IntervalJoinComparisonsEitherSideFirst) {
  // b.ts - a.ts in [-5 s, 0]: the right row at most 5 s after, never before, the left row.
  auto q = bind(
      "SELECT b.* FROM auction a JOIN bid b ON a.id = b.auction AND b.ts >= a.ts AND "
      "a.ts + INTERVAL '5' SECOND > b.ts AND b.price * 2 > a.seller");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  const BoundJoin& j = join_of(*q);
  EXPECT_EQ(j.kind, JoinKind::kInterval);
  EXPECT_EQ(j.lower, 0);
  EXPECT_EQ(j.upper, 4'999'999);  // strict: < 5 s
  ASSERT_NE(j.residual, nullptr);
  EXPECT_EQ(j.residual->sql.str(), "((b.price * 2) > a.seller)");
}

TEST_F(JoinBinderTest, LeftOuterJoinRightColumnsNullable) {
  auto q = bind(
      "SELECT a.id, b.price FROM auction a LEFT JOIN bid b ON a.id = b.auction AND "
      "b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  const BoundJoin& j = join_of(*q);
  EXPECT_EQ(j.type, JoinType::kLeftOuter);
  for (int i = 5; i < j.output_schema->num_fields(); ++i) {
    EXPECT_TRUE(j.output_schema->field(i).nullable) << i;
  }
  EXPECT_TRUE(q->output_schema->field(1).nullable);
}

TEST_F(JoinBinderTest, KeysCastToACommonType) {
  auto q = bind("SELECT a.* FROM auction a JOIN plain p ON a.category = p.id AND a.seller = p.id");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  const BoundJoin& j = join_of(*q);
  EXPECT_EQ(j.kind, JoinKind::kRegular);
  ASSERT_EQ(j.left_keys.size(), 2u);
  EXPECT_EQ(j.left_keys[0]->type, DataType::kInt32);
  EXPECT_EQ(j.right_keys[0]->type, DataType::kInt32);
  EXPECT_EQ(j.left_keys[1]->type, DataType::kInt64);
  EXPECT_EQ(j.right_keys[1]->type, DataType::kInt64);  // p.id cast to BIGINT
  EXPECT_NE(j.right_keys[1]->kind, BoundExpr::Kind::kColumn);
  const auto refused = error("SELECT a.id FROM auction a JOIN plain p ON a.id = p.name");
  EXPECT_EQ(refused.substr(0, 17), "SLC-1003 at 1:44:") << refused;
}

TEST_F(JoinBinderTest, RegularJoinEmitsChangesWhenLeftOuter) {
  auto inner = bind("SELECT b.price FROM bid b JOIN person p ON b.bidder = p.id");
  ASSERT_TRUE(inner.ok()) << inner.status().to_string();
  EXPECT_EQ(join_of(*inner).kind, JoinKind::kRegular);
  EXPECT_EQ(join_of(*inner).retention, 0);
  EXPECT_EQ(names(*join_of(*inner).output_schema), "bidder,price,id");
  auto left = bind(
      "SELECT b.price, p.name FROM bid b LEFT JOIN person p ON b.bidder = p.id AND p.ts <= b.ts");
  ASSERT_TRUE(left.ok()) << left.status().to_string();
  const BoundJoin& j = join_of(*left);
  EXPECT_EQ(j.kind, JoinKind::kRegular);  // one-sided time bound: not an interval
  ASSERT_NE(j.residual, nullptr);
  EXPECT_EQ(names(*j.output_schema), "bidder,price,ts,id,name,p.ts,_op");
  EXPECT_TRUE(catalog_.updating(left->input, &left->steps));
  EXPECT_FALSE(catalog_.updating(inner->input, &inner->steps));
}

TEST_F(JoinBinderTest, RegularJoinRetention) {
  auto q = bind(
      "SELECT p.* FROM bid b JOIN person p ON b.bidder = p.id RETENTION INTERVAL '1' "
      "HOUR");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  const BoundJoin& j = join_of(*q);
  EXPECT_EQ(j.retention, int64_t{3'600'000'000});
  EXPECT_EQ(j.left_time, 3);
  EXPECT_EQ(j.right_time, 2);
  EXPECT_EQ(error("SELECT * FROM bid b JOIN plain p ON b.bidder = p.id RETENTION INTERVAL '1' "
                  "HOUR"),
            "SLC-1007 at 1:63: RETENTION drops rows older than the watermark by their event "
            "time: 'p' has no column that is a source's watermark column, passed through");
  EXPECT_EQ(error("SELECT * FROM bid b JOIN auction a ON b.auction = a.id AND a.ts BETWEEN b.ts "
                  "AND b.ts + INTERVAL '1' SECOND RETENTION INTERVAL '1' HOUR")
                .substr(0, 73),
            "SLC-1007 at 1:119: RETENTION applies to regular joins; this is an interva");
}

TEST_F(JoinBinderTest, WindowJoin) {
  run("CREATE STREAM bids_w AS SELECT auction, COUNT(*) AS n, window_start, window_end FROM bid "
      "GROUP BY auction, TUMBLE(ts, INTERVAL '10' SECOND)");
  run("CREATE STREAM sellers_w AS SELECT seller, window_start AS ws, window_end FROM auction "
      "GROUP BY seller, TUMBLE(ts, INTERVAL '10' SECOND)");
  run("CREATE STREAM hop_w AS SELECT seller, window_start FROM auction "
      "GROUP BY seller, HOP(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND)");
  auto q = bind(
      "SELECT b.auction, s.seller, b.window_start FROM bids_w b JOIN sellers_w s "
      "ON b.window_start = s.ws AND b.auction = s.seller");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  const BoundJoin& j = join_of(*q);
  EXPECT_EQ(j.kind, JoinKind::kWindow);
  EXPECT_EQ(j.left_time, 2);
  EXPECT_EQ(j.right_time, 1);
  EXPECT_EQ(j.left_end_offset, 10'000'000);
  EXPECT_EQ(j.right_end_offset, 10'000'000);
  EXPECT_EQ(j.lower, 0);
  EXPECT_EQ(j.upper, 0);
  ASSERT_EQ(j.left_keys.size(), 1u);
  auto ends = bind("SELECT b.* FROM bids_w b JOIN sellers_w s ON b.window_end = s.window_end");
  ASSERT_TRUE(ends.ok()) << ends.status().to_string();
  EXPECT_EQ(join_of(*ends).kind, JoinKind::kWindow);
  EXPECT_EQ(join_of(*ends).left_end_offset, 0);
  EXPECT_EQ(
      error("SELECT * FROM bids_w b JOIN hop_w h ON b.window_start = h.window_start").substr(0, 80),
      "SLC-1007 at 1:40: a window join joins rows of the same window: both sides must b");
  // A window over the window join's bounds, as Nexmark q7 does after joining.
  auto over = bind(
      "SELECT COUNT(*) AS c, window_start FROM (SELECT b.window_start AS t FROM bids_w b JOIN "
      "sellers_w s ON b.window_start = s.ws) AS x GROUP BY TUMBLE(t, INTERVAL '10' SECOND)");
  EXPECT_TRUE(over.ok()) << over.status().to_string();
}

TEST_F(JoinBinderTest, AsofJoin) {
  auto q = bind(
      "SELECT p.* FROM bid b ASOF JOIN person p ON b.bidder = p.id AND b.ts >= p.ts AND "
      "b.ts - p.ts <= INTERVAL '1' MINUTE");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  const BoundJoin& j = join_of(*q);
  EXPECT_EQ(j.kind, JoinKind::kAsof);
  EXPECT_EQ(j.type, JoinType::kInner);
  EXPECT_EQ(j.tolerance, 60'000'000);
  EXPECT_EQ(j.left_time, 3);
  EXPECT_EQ(j.right_time, 2);
  auto any_age = bind(
      "SELECT p.* FROM bid b ASOF LEFT JOIN person p ON b.bidder = p.id AND "
      "p.ts <= b.ts");
  ASSERT_TRUE(any_age.ok()) << any_age.status().to_string();
  EXPECT_EQ(join_of(*any_age).tolerance, -1);
  EXPECT_EQ(join_of(*any_age).type, JoinType::kLeftOuter);
  EXPECT_EQ(error("SELECT * FROM bid b ASOF JOIN person p ON b.bidder = p.id").substr(0, 60),
            "SLC-1007 at 1:21: an ASOF JOIN needs ON … AND l.ts >= r.ts");
}

TEST_F(JoinBinderTest, LookupJoin) {
  // A view versioned by event time: its rows carry the source's watermark column.
  run("CREATE MATERIALIZED VIEW names AS SELECT id, name, ts FROM person");
  auto q = bind(
      "SELECT b.price, n.name FROM bid b LEFT JOIN names FOR SYSTEM_TIME AS OF b.ts AS n "
      "ON b.bidder = n.id");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  const BoundJoin& j = join_of(*q);
  EXPECT_EQ(j.kind, JoinKind::kLookup);
  EXPECT_FALSE(j.processing_time);
  EXPECT_EQ(j.type, JoinType::kLeftOuter);
  EXPECT_EQ(j.left_time, 3);
  EXPECT_EQ(j.right_time, 2);  // the view's version time: its ts
  EXPECT_FALSE(j.right_updating);
  EXPECT_FALSE(j.left_updating);
  EXPECT_EQ(names(*j.output_schema), "auction,bidder,price,ts,id,name,n.ts");
  EXPECT_EQ(error("SELECT * FROM bid b JOIN person FOR SYSTEM_TIME AS OF b.ts AS p ON "
                  "b.bidder = p.id"),
            "SLC-1007 at 1:33: FOR SYSTEM_TIME AS OF needs a materialized view; 'person' is not "
            "one (join a stream with JOIN … ON, or make it a view)");
  EXPECT_EQ(error("SELECT * FROM bid b JOIN names FOR SYSTEM_TIME AS OF b.price AS n ON "
                  "b.bidder = n.id"),
            "SLC-1007 at 1:54: FOR SYSTEM_TIME AS OF takes a TIMESTAMP column of the join's left "
            "side (the view's version at its time), or PROCTIME() (the view's rows as each left "
            "row arrives)");
  EXPECT_EQ(error("SELECT * FROM bid b JOIN names FOR SYSTEM_TIME AS OF b.ts AS n ON "
                  "b.price > 1")
                .substr(0, 40),
            "SLC-1007 at 1:75: a lookup join needs an");
  EXPECT_EQ(error("SELECT * FROM names FOR SYSTEM_TIME AS OF ts"),
            "SLC-1007 at 1:21: FOR SYSTEM_TIME AS OF belongs to the right side of a JOIN (a "
            "lookup join of a materialized view)");
}

// The latest row per key (Flink's versioned view): a top-1 by time, its changelog consumed.
TEST_F(JoinBinderTest, LookupJoinOfTheLatestRowPerKey) {
  run("CREATE MATERIALIZED VIEW latest AS SELECT id, name, ts FROM (SELECT id, name, ts, "
      "ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM person) t WHERE rn = 1");
  auto q = bind(
      "SELECT b.price, n.name FROM bid b JOIN latest FOR SYSTEM_TIME AS OF b.ts AS n "
      "ON b.bidder = n.id");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  const BoundJoin& j = join_of(*q);
  EXPECT_TRUE(j.right_updating);
  EXPECT_EQ(j.right_time, 2);
  EXPECT_EQ(names(*j.output_schema), "auction,bidder,price,ts,id,name,n.ts");
  // A windowed aggregate emitting on window close is versioned by its window_end (its
  // window_start trails the watermark).
  run("CREATE MATERIALIZED VIEW per_minute AS SELECT id, window_start, window_end, COUNT(*) AS n "
      "FROM person GROUP BY id, TUMBLE(ts, INTERVAL '1' MINUTE) EMIT ON WINDOW CLOSE");
  auto windows = bind(
      "SELECT b.price, m.n FROM bid b JOIN per_minute FOR SYSTEM_TIME AS OF b.ts AS m "
      "ON b.bidder = m.id");
  ASSERT_TRUE(windows.ok()) << windows.status().to_string();
  EXPECT_EQ(join_of(*windows).right_time, 2);
}

// A view without a version time is refused at its name (SLC-1007), saying why and what to
// write instead: an aggregate emitting per batch (its versions would depend on batching), or a
// view without an event-time column. PROCTIME() takes any view, by arrival.
TEST_F(JoinBinderTest, LookupJoinByEventTimeNeedsAVersionTime) {
  run("CREATE MATERIALIZED VIEW agg_names AS SELECT id, LAST_VALUE(name) AS name FROM person "
      "GROUP BY id");
  run("CREATE MATERIALIZED VIEW counted AS SELECT id, COUNT(*) AS n FROM person GROUP BY id "
      "EMIT CHANGES");
  run("CREATE STREAM over_counted AS SELECT id, n FROM counted");
  run("CREATE MATERIALIZED VIEW over_counts AS SELECT id, n FROM over_counted");
  run("CREATE MATERIALIZED VIEW plain_names AS SELECT id, name FROM person");
  run("CREATE MATERIALIZED VIEW computed AS SELECT id, ts + INTERVAL '1' SECOND AS t FROM "
      "person");
  const std::string agg = error(
      "SELECT * FROM bid b JOIN agg_names FOR SYSTEM_TIME AS OF b.ts AS n ON "
      "b.bidder = n.id");
  EXPECT_EQ(agg.substr(0, agg.find(" Version")),
            "SLC-1007 at 1:26: a lookup join by event time versions the view by the time of its "
            "rows, but 'agg_names' is an aggregate that emits per input batch (EMIT CHANGES or "
            "ON UPDATE): its updates depend on how its input was batched, so versions of it "
            "would too.");
  EXPECT_NE(agg.find("ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC)"), std::string::npos);
  EXPECT_NE(agg.find("FOR SYSTEM_TIME AS OF PROCTIME()"), std::string::npos);
  const std::string through = error(
      "SELECT * FROM bid b JOIN over_counts FOR SYSTEM_TIME AS OF b.ts AS n ON "
      "b.bidder = n.id");
  EXPECT_EQ(through.substr(0, through.find(" an aggregate")),
            "SLC-1007 at 1:26: a lookup join by event time versions the view by the time of its "
            "rows, but 'over_counts' reads 'counted',");
  const std::string plain = error(
      "SELECT * FROM bid b JOIN plain_names FOR SYSTEM_TIME AS OF b.ts AS n ON "
      "b.bidder = n.id");
  EXPECT_EQ(plain.substr(0, plain.find(" Version")),
            "SLC-1007 at 1:26: a lookup join by event time versions the view by the time of its "
            "rows: an event-time column of 'plain_names' (a source's watermark column, passed "
            "through), and it has none (no TIMESTAMP column).");
  const std::string computed = error(
      "SELECT * FROM bid b JOIN computed FOR SYSTEM_TIME AS OF b.ts AS n ON "
      "b.bidder = n.id");
  EXPECT_NE(computed.find("and it has none: 't' of 'computed' is computed"), std::string::npos)
      << computed;
  // By arrival: any view, no time column on either side.
  auto proctime = bind(
      "SELECT b.price, n.name FROM bid b JOIN agg_names FOR SYSTEM_TIME AS OF PROCTIME() AS n "
      "ON b.bidder = n.id");
  ASSERT_TRUE(proctime.ok()) << proctime.status().to_string();
  EXPECT_TRUE(join_of(*proctime).processing_time);
  EXPECT_EQ(join_of(*proctime).left_time, -1);
  EXPECT_EQ(join_of(*proctime).right_time, -1);
}

TEST_F(JoinBinderTest, TimeColumnsMustBeEventTime) {
  EXPECT_EQ(error("SELECT * FROM bid b JOIN auction a ON b.auction = a.id AND a.expires BETWEEN "
                  "b.ts AND b.ts + INTERVAL '1' MINUTE"),
            "SLC-1007 at 1:70: an interval join's time columns must be event-time columns (a "
            "source's watermark column, passed through), or which rows are late would depend "
            "on timing: 'expires' of a: 'expires' is not the watermark's column of source "
            "'auction' (its watermark is on 'ts')");
  run("CREATE STREAM big AS SELECT auction, price FROM bid WHERE price > 100 EMIT CHANGES");
  EXPECT_EQ(error("SELECT * FROM bid b ASOF JOIN auction a ON b.ts >= a.expires").substr(0, 60),
            "SLC-1007 at 1:49: an asof join's time columns must be event-");
}

// Nexmark q7's shape: bids joined with their window's highest price, by window_end.
TEST_F(JoinBinderTest, IntervalJoinOverAWindowEnd) {
  auto q = bind(
      "SELECT b.auction, b.price FROM bid b JOIN (SELECT MAX(price) AS maxprice, window_end AS t "
      "FROM bid GROUP BY TUMBLE(ts, INTERVAL '10' SECOND)) AS m ON b.price = m.maxprice AND "
      "b.ts BETWEEN m.t - INTERVAL '10' SECOND AND m.t");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  ASSERT_EQ(q->steps.size(), 2u);
  const BoundJoin& j = join_of(*q, 1);
  EXPECT_EQ(j.kind, JoinKind::kInterval);
  EXPECT_EQ(j.right_time, 1);
  // b.ts in [t - 10 s, t]: the right row (t) is 0 to 10 s after the left row.
  EXPECT_EQ(j.lower, 0);
  EXPECT_EQ(j.upper, 10'000'000);
  const std::string start = error(
      "SELECT b.auction FROM bid b JOIN (SELECT MAX(price) AS maxprice, window_start AS t "
      "FROM bid GROUP BY TUMBLE(ts, INTERVAL '10' SECOND)) AS m ON b.price = m.maxprice AND "
      "b.ts BETWEEN m.t AND m.t + INTERVAL '10' SECOND");
  EXPECT_NE(start.find("'t' of m is a window_start, or a window_end with ALLOW LATENESS"),
            std::string::npos)
      << start;
}

TEST_F(JoinBinderTest, UpdatingInputsOnlyWhereTheKindRetracts) {
  run("CREATE STREAM counts AS SELECT auction, ts, COUNT(*) AS n FROM bid GROUP BY auction, ts "
      "EMIT CHANGES");
  EXPECT_EQ(error("SELECT a.id FROM auction a ASOF JOIN counts c ON a.id = c.auction AND a.ts >= "
                  "c.ts"),
            "SLC-1007 at 1:28: an asof join needs append-only inputs: 'c' emits updates (EMIT "
            "CHANGES, or an aggregate's EMIT ON UPDATE); use a regular join (ON the keys alone), "
            "or make it append-only (EMIT ON WINDOW CLOSE)");
  auto regular = bind("SELECT a.id, c.n, _op FROM auction a JOIN counts c ON a.id = c.auction");
  ASSERT_TRUE(regular.ok()) << regular.status().to_string();
  EXPECT_TRUE(join_of(*regular).right_updating);
  EXPECT_EQ(join_of(*regular).output_schema->fields().back().name, "_op");
}

// The one rule of join_change_column.h: a join consumes its updating inputs' `_op` (neither
// stored nor output, so no relation names it any more); its own `_op` is its output's last column
// when it emits changes. The operators are made from the same BoundJoin (join_side.cc).
TEST_F(JoinBinderTest, UpdatingInputsChangeColumnConsumed) {
  run("CREATE STREAM counts AS SELECT auction, ts, COUNT(*) AS n FROM bid GROUP BY auction, ts "
      "EMIT CHANGES");
  run("CREATE MATERIALIZED VIEW cv AS SELECT auction, COUNT(*) AS n FROM bid GROUP BY auction "
      "EMIT CHANGES");
  // Updating on both sides: each side's `_op` dropped, the join's own appended.
  auto both = bind("SELECT c.n, _op FROM counts c JOIN counts d ON c.auction = d.auction");
  ASSERT_TRUE(both.ok()) << both.status().to_string();
  const BoundJoin& j = join_of(*both);
  EXPECT_TRUE(j.left_updating);
  EXPECT_TRUE(j.right_updating);
  EXPECT_EQ(names(*j.output_schema), "auction,n,d.auction,_op");
  // The right side's columns follow the left's kept ones: the residual is over them.
  auto residual = bind(
      "SELECT c.n, d.n AS m FROM counts c JOIN counts d ON c.auction = d.auction AND d.n > c.n");
  ASSERT_TRUE(residual.ok()) << residual.status().to_string();
  const BoundExprPtr& gt = join_of(*residual).residual;
  ASSERT_EQ(gt->args.size(), 2u);
  EXPECT_EQ(gt->args[0]->column, 3);  // d.n: after auction, n, d.auction (no c._op)
  EXPECT_EQ(gt->args[1]->column, 1);
  EXPECT_EQ(
      error("SELECT c._op FROM counts c JOIN counts d ON c.auction = d.auction").substr(0, 12),
      "SLC-1002 at ");
  // A lookup join consumes the view's `_op` and emits none: append-only.
  auto lookup = bind(
      "SELECT * FROM auction a JOIN cv FOR SYSTEM_TIME AS OF PROCTIME() AS v ON a.id = "
      "v.auction");
  ASSERT_TRUE(lookup.ok()) << lookup.status().to_string();
  EXPECT_TRUE(join_of(*lookup).right_updating);
  EXPECT_EQ(join_of(*lookup).output_schema->fields().back().name, "n");
  EXPECT_FALSE(catalog_.updating(lookup->input, &lookup->steps));
}

TEST_F(JoinBinderTest, NamesOverSeveralRelations) {
  EXPECT_EQ(error("SELECT id FROM auction a JOIN person p ON a.seller = p.id"),
            "SLC-1010 at 1:8: column 'id' is ambiguous: it may be a.id or p.id; qualify it");
  EXPECT_EQ(error("SELECT x.id FROM auction a JOIN person p ON a.seller = p.id"),
            "SLC-1002 at 1:8: unknown table 'x' (the query reads auction AS a, person AS p)");
  EXPECT_EQ(error("SELECT per.id FROM auction a JOIN person pers ON a.seller = pers.id"),
            "SLC-1002 at 1:8: unknown table 'per' (the query reads auction AS a, person AS pers) "
            "(did you mean 'pers'?)");
  EXPECT_EQ(error("SELECT p.nam FROM auction a JOIN person p ON a.seller = p.id"),
            "SLC-1002 at 1:8: unknown column 'nam' in p (did you mean 'name'?)");
  EXPECT_EQ(error("SELECT selle FROM auction a JOIN person p ON a.seller = p.id"),
            "SLC-1002 at 1:8: unknown column 'selle' in auction AS a, person AS p (did you mean "
            "'a.seller'?)");
  EXPECT_EQ(error("SELECT * FROM bid JOIN bid ON bid.auction = bid.auction"),
            "SLC-1004 at 1:24: 'bid' is named twice in FROM; give one of them an alias");
  // Unqualified names that only one side has resolve; the table's own name works without alias.
  auto q = bind("SELECT name, seller, auction.id FROM auction JOIN person ON seller = person.id");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_EQ(q->projection[0]->column, 3);  // the join keeps id, seller, person.id, name
  EXPECT_EQ(q->projection[1]->column, 1);
  EXPECT_EQ(q->projection[2]->column, 0);
}

TEST_F(JoinBinderTest, StarAndQualifiedStar) {
  auto q = bind("SELECT p.*, a.seller FROM auction a JOIN person p ON a.seller = p.id");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_EQ(names(*q->output_schema), "id,name,ts,seller");
  EXPECT_EQ(q->projection[0]->column, 1);  // the join keeps a.seller, then all of p
  EXPECT_EQ(error("SELECT * FROM auction a JOIN person p ON a.seller = p.id"),
            "SLC-1004 at 1:8: two output columns are named 'id'; add an alias with AS");
  auto changes = bind("SELECT * FROM plain x LEFT JOIN plain y ON x.id = y.id");
  EXPECT_FALSE(changes.ok());
  // A left join emits changes: they pass through the query whatever it selects.
  auto star = bind("SELECT b.*, x.name FROM bid b LEFT JOIN plain x ON b.bidder = x.id");
  ASSERT_TRUE(star.ok()) << star.status().to_string();
  EXPECT_EQ(names(*star->output_schema), "auction,bidder,price,ts,name,_op");
}

TEST_F(JoinBinderTest, ThreeWayJoinSteps) {
  auto q = bind(
      "SELECT b.price, p.name, a.seller FROM bid b JOIN auction a ON b.auction = a.id "
      "JOIN person p ON a.seller = p.id");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  ASSERT_EQ(q->steps.size(), 2u);
  EXPECT_EQ(q->steps[1].name, "j$2");
  EXPECT_EQ(q->steps[1].inputs, (std::vector<std::string>{"j$1", "person"}));
  const BoundJoin& second = join_of(*q, 1);
  // j$1 keeps b.auction, b.price, a.id, a.seller; j$2 of them b.price, a.seller, then p.id, p.name.
  EXPECT_EQ(second.left_keys[0]->column, 3);  // a.seller in j$1's columns
  EXPECT_EQ(q->projection[2]->column, 1);
  EXPECT_EQ(q->projection[1]->column, 3);
}

TEST_F(JoinBinderTest, SubqueryWithAndUnionAllSteps) {
  auto sub = bind("SELECT t.p FROM (SELECT price AS p, ts FROM bid WHERE price > 1) AS t", "s");
  ASSERT_TRUE(sub.ok()) << sub.status().to_string();
  ASSERT_EQ(sub->steps.size(), 1u);
  EXPECT_EQ(sub->steps[0].name, "s$1");
  EXPECT_EQ(sub->steps[0].kind, PlanStep::Kind::kQuery);
  EXPECT_EQ(sub->steps[0].inputs[0], "bid");
  EXPECT_EQ(sub->steps[0].query->input, "bid");
  EXPECT_EQ(sub->input, "s$1");
  EXPECT_EQ(error("SELECT p FROM (SELECT price AS p FROM bid) AS t WHERE t.q > 1"),
            "SLC-1002 at 1:55: unknown column 'q' in t (did you mean 'p'?)");

  auto with = bind(
      "WITH cheap AS (SELECT auction, price, ts FROM bid WHERE price < 10), "
      "named AS (SELECT c.price, a.seller FROM cheap c JOIN auction a ON c.auction = a.id AND "
      "a.ts BETWEEN c.ts AND c.ts + INTERVAL '1' SECOND) SELECT seller FROM named");
  ASSERT_TRUE(with.ok()) << with.status().to_string();
  ASSERT_EQ(with->steps.size(), 3u);
  EXPECT_EQ(with->steps[1].kind, PlanStep::Kind::kJoin);
  EXPECT_EQ(with->steps[1].inputs, (std::vector<std::string>{"j$1", "auction"}));
  EXPECT_EQ(with->steps[2].inputs[0], "j$2");
  EXPECT_EQ(with->input, "j$3");
  EXPECT_EQ(error("WITH a AS (SELECT 1 AS x FROM bid), A AS (SELECT 2 AS x FROM bid) SELECT x "
                  "FROM a"),
            "SLC-1004 at 1:37: WITH names 'A' twice");
  EXPECT_EQ(error("WITH cheap AS (SELECT price FROM bid) SELECT price FROM chep"),
            "SLC-1002 at 1:57: unknown source, stream or view 'chep' (did you mean 'cheap'?)");

  auto all = bind(
      "SELECT auction AS k, ts FROM bid UNION ALL SELECT id, ts FROM auction WHERE id > 3 "
      "UNION ALL SELECT id, ts FROM person");
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  ASSERT_EQ(all->steps.size(), 4u);
  EXPECT_EQ(all->steps[3].kind, PlanStep::Kind::kUnion);
  EXPECT_EQ(all->steps[3].inputs, (std::vector<std::string>{"j$1", "j$2", "j$3"}));
  EXPECT_EQ(names(*all->output_schema), "k,ts");
  EXPECT_EQ(all->input, "j$4");
  EXPECT_EQ(error("SELECT auction FROM bid UNION ALL SELECT id, ts FROM auction"),
            "SLC-1003 at 1:25: UNION ALL of 1 and 2 columns: each SELECT must have the same "
            "number of columns");
  EXPECT_EQ(error("SELECT auction FROM bid UNION ALL SELECT name FROM person"),
            "SLC-1003 at 1:25: UNION ALL column 1 ('auction') is BIGINT in the first SELECT and "
            "VARCHAR in SELECT 2: they have no common type; CAST one of them");
  // A window over a UNION ALL of watermark columns.
  auto windowed = bind(
      "SELECT COUNT(*) AS n, window_start FROM (SELECT ts FROM bid UNION ALL SELECT ts FROM "
      "auction) AS u GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)");
  EXPECT_TRUE(windowed.ok()) << windowed.status().to_string();
}

TEST_F(JoinBinderTest, WindowsOverAJoinsOutput) {
  const std::string join =
      "(SELECT b.ts, b.price, a.seller, a.ts AS ats FROM bid b JOIN auction a ON b.auction = "
      "a.id AND a.ts BETWEEN b.ts - INTERVAL '2' SECOND AND b.ts + INTERVAL '30' SECOND) AS x ";
  // The left time column trails the join's watermark by up to the upper bound (30 s).
  EXPECT_EQ(error("SELECT seller, MAX(price) AS m, window_start FROM " + join +
                  "GROUP BY seller, TUMBLE(ts, INTERVAL '1' MINUTE)")
                .substr(0, 72),
            "SLC-1007 at 1:248: this window could drop rows depending on timing: 'ts'");
  auto ok = bind("SELECT seller, MAX(price) AS m, window_start FROM " + join +
                 "GROUP BY seller, TUMBLE(ts, INTERVAL '1' MINUTE) ALLOW LATENESS INTERVAL "
                 "'30' SECOND");
  EXPECT_TRUE(ok.ok()) << ok.status().to_string();
  // The right time column by the lower bound (2 s).
  auto right = bind("SELECT COUNT(*) AS n, window_start FROM " + join +
                    "GROUP BY TUMBLE(ats, INTERVAL '1' MINUTE) ALLOW LATENESS INTERVAL '2' SECOND");
  EXPECT_TRUE(right.ok()) << right.status().to_string();
  EXPECT_EQ(error("SELECT COUNT(*) AS n, window_start FROM (SELECT b.ts FROM bid b JOIN person p "
                  "ON b.bidder = p.id) AS x GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)")
                .substr(0, 97),
            "SLC-1007 at 1:120: a window must be over the watermark's column, or which rows are "
            "late would dep");
  // An ASOF join's left time column never trails: no lateness needed.
  auto asof = bind(
      "SELECT COUNT(*) AS n, window_start FROM (SELECT b.ts FROM bid b ASOF JOIN person p ON "
      "b.bidder = p.id AND b.ts >= p.ts) AS x GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)");
  EXPECT_TRUE(asof.ok()) << asof.status().to_string();
}

TEST_F(JoinBinderTest, CatalogWalksEveryInput) {
  run("CREATE STREAM enriched AS SELECT b.price, p.name FROM bid b JOIN person p ON "
      "b.bidder = p.id AND p.ts BETWEEN b.ts - INTERVAL '1' SECOND AND b.ts");
  run("CREATE STREAM both_ AS SELECT CAST(id AS BIGINT) AS id FROM plain UNION ALL SELECT "
      "auction FROM bid WHERE auction > 0");
  const Catalog::Entry* e = catalog_.find("enriched");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->input(), "enriched$1");
  EXPECT_EQ(e->inputs(), (std::vector<std::string>{"bid", "person"}));
  ASSERT_EQ(catalog_.dependents("person").size(), 1u);
  EXPECT_EQ(catalog_.dependents("person")[0]->name(), "enriched");
  EXPECT_EQ(catalog_.dependents("bid").size(), 2u);
  EXPECT_EQ(catalog_.dependents("plain").size(), 1u);
  EXPECT_TRUE(catalog_.has_watermark("enriched"));
  EXPECT_FALSE(catalog_.has_watermark("both_"));  // plain has none: the minimum never moves
  EXPECT_FALSE(catalog_.bounded("enriched"));
  EXPECT_FALSE(catalog_.updating("enriched"));
  EXPECT_EQ(catalog_.unreplayable_source("both_"), "plain");
  EXPECT_EQ(catalog_.find("both_")->inputs(), (std::vector<std::string>{"plain", "bid"}));
  // Streams over a stream with steps resolve through them.
  run("CREATE STREAM rich AS SELECT name FROM enriched WHERE price > 10");
  EXPECT_TRUE(catalog_.has_watermark("rich"));
  EXPECT_EQ(catalog_.dependents("enriched").size(), 1u);
}

TEST_F(JoinBinderTest, AdhocStepsAreNamedSelect) {
  auto s = parse_statement("EXPLAIN SELECT p.* FROM bid b JOIN person p ON b.bidder = p.id");
  ASSERT_TRUE(s.ok());
  auto q = Binder(catalog_).bind_query(*s->query);
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  EXPECT_EQ(q->steps[0].name, "select$1");
  run("CREATE MATERIALIZED VIEW v AS SELECT id, name FROM plain");
  // An ad-hoc SELECT's join is bound into steps as a continuous query's is
  // (dataflow/adhoc_select.h runs them over the views' rows).
  auto adhoc = parse_statement("SELECT a.id, b.name FROM v a JOIN v b ON a.id = b.id");
  auto bound = Binder(catalog_).bind_query(*adhoc->query, QueryUse::kAdhoc);
  ASSERT_TRUE(bound.ok()) << bound.status().to_string();
  ASSERT_EQ(bound->steps.size(), 1u);
  EXPECT_EQ(bound->steps[0].name, "select$1");
  EXPECT_EQ(bound->steps[0].join->kind, JoinKind::kRegular);
}

// Over the views' current rows there is no watermark to prune by: an ad-hoc SELECT's time bound
// is a condition of a regular join (PostgreSQL's answer), where a continuous query's makes an
// interval join.
TEST_F(JoinBinderTest, AdhocTimeBoundIsARegularJoinsCondition) {
  const char* sql =
      "SELECT b.auction FROM bid b JOIN auction a ON b.auction = a.id AND b.ts BETWEEN a.ts AND "
      "a.ts + INTERVAL '1' MINUTE";
  auto s = parse_statement(sql);
  ASSERT_TRUE(s.ok());
  auto continuous = Binder(catalog_).bind_query(*s->query);
  ASSERT_TRUE(continuous.ok()) << continuous.status().to_string();
  EXPECT_EQ(continuous->steps[0].join->kind, JoinKind::kInterval);
  auto adhoc = Binder(catalog_).bind_query(*s->query, QueryUse::kAdhoc);
  ASSERT_TRUE(adhoc.ok()) << adhoc.status().to_string();
  EXPECT_EQ(adhoc->steps[0].join->kind, JoinKind::kRegular);
  EXPECT_NE(adhoc->steps[0].join->residual, nullptr);
}

}  // namespace
}  // namespace sluice::sql
