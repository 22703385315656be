// The compute loop closes a processing-time window by the wall clock when no further row comes:
// it sleeps no longer than the window's end (a deadline of its wait, no thread of its own). How
// long that takes is not asserted; the wait is bounded.

#include <gtest/gtest.h>

#include <chrono>

#include "sluice/database.h"

namespace sluice {
namespace {

TEST(ProcessingWindowInDatabase, AWindowClosesWithNoFurtherInput) {
  auto db = Database::open();
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  ASSERT_TRUE((*db)->execute("CREATE SOURCE t (k BIGINT)").ok());
  ASSERT_TRUE((*db)->execute("CREATE STREAM b AS SELECT k, PROCTIME() AS p FROM t").ok());
  auto created = (*db)->execute(
      "CREATE STREAM w AS SELECT k, COUNT(*) AS n FROM b GROUP BY k, TUMBLE(p, INTERVAL '200 ms')");
  ASSERT_TRUE(created.ok()) << created.status().to_string();
  auto sub = (*db)->subscribe("w");
  ASSERT_TRUE(sub.ok()) << sub.status().to_string();
  auto source = (*db)->source("t");
  ASSERT_TRUE(source.ok());
  ASSERT_TRUE(source->push_json("{\"k\":7}\n{\"k\":7}").ok());
  // Nothing more is pushed and the source never ends: only the clock can close the window.
  auto batch = sub->recv_for(std::chrono::seconds(30));
  ASSERT_TRUE(batch.ok()) << batch.status().to_string();
  ASSERT_EQ(batch->num_rows(), 1);
  EXPECT_EQ(batch->column(0).int64_value(0), 7);
  EXPECT_EQ(batch->column(1).int64_value(0), 2);
}

}  // namespace
}  // namespace sluice
