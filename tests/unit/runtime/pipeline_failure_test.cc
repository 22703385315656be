// A pipeline that fails: the program running it learns of it at once (wait_for_failure), and
// a file source that meets a fatal bad line delivers the lines before it first.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "sluice/database.h"
#include "support/temp_dir.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

TEST(PipelineFailure, WaitForFailureReturnsTheErrorOfAnEndlessPipeline) {
  auto db = Database::open().value();
  ASSERT_TRUE(db->execute("CREATE SOURCE g (n BIGINT) WITH (connector = 'datagen', rate = "
                          "'1000', fields.n.kind = 'values', fields.n.values = '1, "
                          "9223372036854775807');"
                          "CREATE STREAM doubled AS SELECT n * 2 AS m FROM g")
                  .ok());
  ASSERT_TRUE(db->start().ok());
  const Status failed = db->wait_for_failure(60s);  // the source never ends: only a failure
  EXPECT_EQ(failed.code(), ErrorCode::kOutOfRange) << failed.to_string();
  EXPECT_NE(failed.message().find("integer overflow in (n * 2)"), std::string::npos);
  EXPECT_EQ(db->status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(db->shutdown().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(db->wait_for_failure().code(), ErrorCode::kOutOfRange) << "and after shutdown";
}

TEST(PipelineFailure, WaitForFailureEndsAtShutdownOrItsTimeout) {
  auto db = Database::open().value();
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT)").ok());
  EXPECT_TRUE(db->wait_for_failure(10ms).ok()) << "nothing failed: the timeout ends it";
  Status waited(ErrorCode::kInternal, "not returned");
  const auto start = std::chrono::steady_clock::now();
  std::thread waiter([&] { waited = db->wait_for_failure(); });  // no timeout
  ASSERT_TRUE(db->shutdown().ok());
  waiter.join();  // shutdown() wakes it
  EXPECT_TRUE(waited.ok()) << waited.to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

class FileSourceFailMode : public ::testing::Test {
 protected:
  // The rows the source delivered before the pipeline failed, and the failure.
  std::vector<int64_t> run(const std::string& text, const std::string& with) {
    const auto path = tmp_ / "input";
    std::ofstream(path, std::ios::binary) << text;
    auto db = Database::open().value();
    EXPECT_TRUE(db->execute("CREATE SOURCE s (n BIGINT) WITH (connector = 'file', path = '" +
                            path.string() + "'" + with + ")")
                    .ok());
    auto sub = db->subscribe("s").value();
    EXPECT_TRUE(db->start().ok());
    failure_ = db->wait_for_bounded_sources();
    EXPECT_EQ(db->shutdown().code(), failure_.code()) << "shutdown reports it too";
    std::vector<int64_t> rows;
    while (auto b = sub.poll()) {
      for (int64_t r = 0; r < b->num_rows(); ++r) rows.push_back(b->column(0).int64_value(r));
    }
    return rows;
  }
  sluice::testing::TempDir tmp_{"sluice_fail_mode_"};
  Status failure_;
};

TEST_F(FileSourceFailMode, JsonLinesBeforeTheBadOneAreDelivered) {
  // All in one read: the good line shares it with the bad one.
  EXPECT_EQ(run("{\"n\": 1}\n{\"n\": \"two\"}\n{\"n\": 3}\n", ""), (std::vector<int64_t>{1}));
  EXPECT_EQ(failure_.code(), ErrorCode::kValueConversion);
  EXPECT_NE(failure_.to_string().find("input, line 2, field 'n'"), std::string::npos)
      << failure_.to_string();
}

TEST_F(FileSourceFailMode, CsvLinesBeforeTheBadOneAreDelivered) {
  EXPECT_EQ(run("n\n1\n2\nthree\n4\n", ", format = 'csv', header = 'true'"),
            (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(failure_.code(), ErrorCode::kValueConversion);
  EXPECT_NE(failure_.to_string().find("input, line 4, field 'n'"), std::string::npos)
      << failure_.to_string();
}

TEST_F(FileSourceFailMode, ABadFirstLineDeliversNothing) {
  EXPECT_EQ(run("not json\n{\"n\": 2}\n", ""), std::vector<int64_t>{});
  EXPECT_EQ(failure_.code(), ErrorCode::kJsonParse) << failure_.to_string();
}

}  // namespace
}  // namespace sluice
