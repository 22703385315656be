// An ad-hoc SELECT's join through the Database: its own state is held to state.memory.max (a
// clear SLC-6001, not an out-of-memory kill), the failure is the statement's alone, and the
// views' rows it reads are those of one point between the compute thread's cycles.

#include <gtest/gtest.h>

#include <string>

#include "sluice/database.h"
#include "sluice/value.h"

namespace sluice {
namespace {

std::unique_ptr<Database> open_db(int64_t state_memory_max) {
  DatabaseOptions o;
  o.state_memory_max = state_memory_max;
  auto db = Database::open(o);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return db.ok() ? std::move(db).value() : nullptr;
}

void exec(Database& db, std::string_view sql) {
  auto r = db.execute(sql);
  ASSERT_TRUE(r.ok()) << r.status().to_string() << "\n" << sql;
}

// `count` rows of key 1, ids from 0.
std::string same_key_rows(int count) {
  std::string lines;
  for (int i = 0; i < count; ++i) lines += "{\"id\": " + std::to_string(i) + ", \"k\": 1}\n";
  return lines;
}

TEST(AdhocSelect, AJoinOverTheStateBudgetFailsTheStatementOnly) {
  // 600 x 600 rows of one key: 360 K joined rows, several megabytes, where the views
  // themselves hold a few tens of kilobytes.
  auto db = open_db(2 << 20);
  ASSERT_NE(db, nullptr);
  exec(*db,
       "CREATE SOURCE a (id BIGINT, k BIGINT); CREATE SOURCE b (id BIGINT, k BIGINT);"
       "CREATE MATERIALIZED VIEW av AS SELECT id, k FROM a;"
       "CREATE MATERIALIZED VIEW bv AS SELECT id, k FROM b");
  ASSERT_TRUE(db->source("a")->push_json(same_key_rows(600)).ok());
  ASSERT_TRUE(db->source("b")->push_json(same_key_rows(600)).ok());
  ASSERT_TRUE(db->flush().ok());

  auto r = db->execute("SELECT av.id, bv.id AS other FROM av JOIN bv ON av.k = bv.k");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kStateMemoryExceeded);
  EXPECT_NE(r.status().to_string().find("ad-hoc SELECT"), std::string::npos)
      << r.status().to_string();
  EXPECT_NE(r.status().to_string().find("state.memory.max"), std::string::npos)
      << r.status().to_string();

  // The pipeline runs on, and a join that fits answers.
  ASSERT_TRUE(db->source("a")->push_json("{\"id\": 5000, \"k\": 2}\n").ok());
  ASSERT_TRUE(db->source("b")->push_json("{\"id\": 6000, \"k\": 2}\n").ok());
  ASSERT_TRUE(db->flush().ok());
  auto fits =
      db->execute("SELECT av.id, bv.id AS other FROM av JOIN bv ON av.k = bv.k WHERE av.k = 2");
  ASSERT_TRUE(fits.ok()) << fits.status().to_string();
  ASSERT_EQ(fits->rows.num_rows(), 1);
  EXPECT_EQ(fits->rows.column(0).int64_value(0), 5000);
  EXPECT_EQ(fits->rows.column(1).int64_value(0), 6000);
}

// Two views of one source read in one SELECT are at the same point: every row either view
// holds, the other holds too, whatever the SELECT interleaves with.
TEST(AdhocSelect, TwoViewsOfOneSourceAreReadAtOnePoint) {
  auto db = open_db(0);
  ASSERT_NE(db, nullptr);
  exec(*db,
       "CREATE SOURCE s (id BIGINT);"
       "CREATE MATERIALIZED VIEW x AS SELECT id FROM s;"
       "CREATE MATERIALIZED VIEW y AS SELECT id FROM s");
  auto src = db->source("s");
  ASSERT_TRUE(src.ok());
  int pushed = 0;
  for (int round = 0; round < 50; ++round) {
    std::string lines;
    for (int i = 0; i < 20; ++i) lines += "{\"id\": " + std::to_string(pushed++) + "}\n";
    ASSERT_TRUE(src->push_json(lines).ok());
    // Not flushed: the SELECT runs while rows are still arriving.
    auto r = db->execute(
        "SELECT COUNT(*) AS n, COUNT(y.id) AS matched FROM x LEFT JOIN y ON x.id = y.id");
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    ASSERT_EQ(r->rows.num_rows(), 1);
    EXPECT_EQ(r->rows.column(0).int64_value(0), r->rows.column(1).int64_value(0));
  }
}

}  // namespace
}  // namespace sluice
