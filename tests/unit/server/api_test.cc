// The HTTP API as functions of a request (no sockets): routing, the token, JSON errors, SQL
// round trips, listings with metrics, pushes, checkpoints; the token file.

#include "server/api.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "server/access_token.h"
#include "support/temp_dir.h"
#include "wait_for_sink.h"

namespace sluice::server {
namespace {

constexpr const char* kToken = "secret-token-1234";

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Database::open().value();
    ASSERT_TRUE(db_->execute("CREATE SOURCE t (k VARCHAR, n BIGINT); "
                             "CREATE MATERIALIZED VIEW totals AS SELECT k, SUM(n) AS total "
                             "FROM t GROUP BY k; "
                             "CREATE SINK out FROM t INTO blackhole")
                    .ok());
    api_ = std::make_unique<Api>(*db_, kToken);
  }

  ApiResponse call(std::string method, std::string target, std::string body = {},
                   std::string authorization = std::string("Bearer ") + kToken) {
    ApiRequest r{std::move(method), std::move(target), std::move(authorization), std::move(body)};
    return api_->handle(r);
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiTest, HealthNeedsNoTokenAndReadyFollowsTheServer) {
  EXPECT_EQ(call("GET", "/health", "", "").status, 200);
  EXPECT_EQ(call("GET", "/ready", "", "").status, 503);
  api_->set_ready(true);
  const ApiResponse ready = call("GET", "/ready", "", "");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, R"({"ready":true})");
  EXPECT_TRUE(api_->answers_at_once({"GET", "/health", "", ""}));
}

TEST_F(ApiTest, EverythingElseNeedsTheToken) {
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/api/v1/sql"},
                                                        {"GET", "/api/v1/sinks"},
                                                        {"GET", "/metrics"},
                                                        {"POST", "/api/v1/checkpoint"},
                                                        {"GET", "/no/such/path"}}) {
    const ApiResponse none = call(method, path, R"({"sql":"DROP SINK out"})", "");
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_TRUE(none.unauthorized);
    EXPECT_NE(none.body.find("SLC-5001"), std::string::npos) << none.body;
    EXPECT_EQ(call(method, path, R"({"sql":"DROP SINK out"})", "Bearer wrong").status, 401);
    EXPECT_EQ(call(method, path, R"({"sql":"DROP SINK out"})", kToken).status, 401);  // no "Bearer"
    EXPECT_TRUE(api_->answers_at_once({method, path, "", ""}));  // refused on the io thread
  }
  EXPECT_TRUE(db_->sink_metrics("out").ok());  // the DROP never ran
  EXPECT_FALSE(api_->answers_at_once({"POST", "/api/v1/sql", std::string("Bearer ") + kToken, ""}));
}

TEST_F(ApiTest, UnknownPathsAndMethods) {
  const ApiResponse missing = call("GET", "/api/v2/sql");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("SLC-5002"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/sql").status, 405);
  EXPECT_EQ(call("DELETE", "/api/v1/sources/t/rows").status, 405);
}

TEST_F(ApiTest, StatementsAndAdHocSelectAsJsonRows) {
  const ApiResponse created =
      call("POST", "/api/v1/sql", R"({"sql":"CREATE STREAM big AS SELECT k FROM t WHERE n > 5"})");
  EXPECT_EQ(created.status, 200);
  EXPECT_EQ(created.body, R"({"message":"CREATE STREAM big"})");

  EXPECT_EQ(call("POST", "/api/v1/sources/t/rows",
                 "{\"k\":\"a\",\"n\":2}\n{\"k\":\"b\",\"n\":7}\n{\"k\":\"a\",\"n\":3}\n")
                .status,
            200);
  ASSERT_TRUE(db_->flush().ok());
  const ApiResponse selected =
      call("POST", "/api/v1/sql", R"({"sql":"SELECT k, total FROM totals ORDER BY k"})");
  EXPECT_EQ(selected.status, 200);
  // The message's row count is the database's (SELECT n); the columns and rows are ours.
  EXPECT_TRUE(selected.body.starts_with(R"({"message":"SELECT )")) << selected.body;
  EXPECT_TRUE(selected.body.ends_with(
      R"(","columns":[{"name":"k","type":"VARCHAR"},{"name":"total","type":"BIGINT"}],)"
      R"("rows":[{"k":"a","total":5},{"k":"b","total":7}]})"))
      << selected.body;
  const ApiResponse none =
      call("POST", "/api/v1/sql", R"({"sql":"SELECT k FROM totals WHERE total > 100"})");
  EXPECT_NE(none.body.find(R"("rows":[])"), std::string::npos) << none.body;
}

TEST_F(ApiTest, SqlErrorsCarryCodeAndLineColumn) {
  const ApiResponse unknown =
      call("POST", "/api/v1/sql", "{\"sql\":\"CREATE STREAM x AS\\n  SELECT nope FROM t\"}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find(R"("code":"SLC-1002")"), std::string::npos) << unknown.body;
  EXPECT_NE(unknown.body.find(R"("line":2,"column":10)"), std::string::npos) << unknown.body;

  const ApiResponse bad_json = call("POST", "/api/v1/sql", R"({"sql": )");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_NE(bad_json.body.find("SLC-2001"), std::string::npos);
  const ApiResponse not_object = call("POST", "/api/v1/sql", R"(["SHOW SINKS"])");
  EXPECT_EQ(not_object.status, 400);
  EXPECT_NE(not_object.body.find("SLC-5004"), std::string::npos);
  EXPECT_EQ(call("POST", "/api/v1/sql", R"({"sql": 42})").status, 400);

  const ApiResponse bad_row = call("POST", "/api/v1/sources/t/rows", "{\"n\":\"x\"}\n");
  EXPECT_EQ(bad_row.status, 400);
  EXPECT_EQ(call("POST", "/api/v1/sources/nope/rows", "{}\n").status, 404);
}

TEST_F(ApiTest, ListsCarryMetrics) {
  ASSERT_TRUE(db_->source("t")->push_json("{\"k\":\"a\",\"n\":1}\n{\"k\":\"b\",\"n\":1}\n").ok());
  ASSERT_TRUE(db_->flush().ok());
  ASSERT_TRUE(wait_for_sink_rows(*db_, "out", 2));
  const ApiResponse sinks = call("GET", "/api/v1/sinks");
  EXPECT_EQ(sinks.status, 200);
  EXPECT_NE(sinks.body.find(R"({"sinks":[{"name":"out")"), std::string::npos) << sinks.body;
  EXPECT_NE(sinks.body.find(R"("metrics":{"state":"running","rows":2,)"), std::string::npos)
      << sinks.body;
  const ApiResponse sources = call("GET", "/api/v1/sources");
  EXPECT_NE(sources.body.find(R"("metrics":{"pushed_rows":2,)"), std::string::npos) << sources.body;
  EXPECT_NE(call("GET", "/api/v1/views").body.find(R"({"views":[{"name":"totals")"),
            std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/streams").body, R"({"streams":[]})");
  EXPECT_EQ(call("GET", "/api/v1/graph").body, db_->graph_json().value());
}

TEST_F(ApiTest, CheckpointWithoutDataDirIsAClearError) {
  const ApiResponse r = call("POST", "/api/v1/checkpoint");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("code":"SLC-)"), std::string::npos) << r.body;
}

TEST(AccessToken, GeneratedOncePrivateAndReused) {
  testing::TempDir dir("sluice_token_");
  const std::string data = (dir / "data").string();
  const std::string first = load_or_create_token(data, "").value();
  EXPECT_EQ(first.size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "data" / "server.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(data.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(load_or_create_token(data, "").value(), first);  // the next start reads it
  testing::TempDir other("sluice_token_");
  EXPECT_NE(load_or_create_token(other.string(), "").value(), first);
}

TEST(AccessToken, FromAFileOrRefused) {
  testing::TempDir dir("sluice_token_");
  std::ofstream(dir / "tok") << "  abc\n";
  EXPECT_EQ(load_or_create_token("", (dir / "tok").string()).value(), "abc");
  std::ofstream(dir / "empty") << "\n";
  EXPECT_FALSE(load_or_create_token("", (dir / "empty").string()).ok());
  EXPECT_FALSE(load_or_create_token("", (dir / "missing").string()).ok());
  EXPECT_FALSE(load_or_create_token("", "").ok());  // nowhere to keep it
  EXPECT_TRUE(token_matches("abc", "abc"));
  EXPECT_FALSE(token_matches("abd", "abc"));
  EXPECT_FALSE(token_matches("ab", "abc"));
}

}  // namespace
}  // namespace sluice::server
