// What EXPLAIN and the graph JSON show of a sink's options: never a password, whether given as
// a secret option or inside a connection string; an environment reference shows as written.

#include <gtest/gtest.h>

#include <string>

#include "support/test_graph.h"

namespace sluice::dataflow {
namespace {

constexpr const char* kSecrets[] = {"Hunter2pw", "Hunter2dsn", "Hunter2kw"};

class SinkSecrets : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(g.execute("CREATE SOURCE t (n BIGINT)").ok());
    // Bound only: nothing connects (the runtime opens sinks; this is the layer below).
    auto created = g.execute(
        "CREATE SINK pg FROM t INTO postgres (dsn = "
        "'postgresql://app:Hunter2dsn@127.0.0.1:1/db', password = 'Hunter2pw', table = 'x')");
    ASSERT_TRUE(created.ok()) << created.status().to_string();
    created = g.execute(
        "CREATE SINK kw FROM t INTO postgres (dsn = 'host=127.0.0.1 password=Hunter2kw "
        "dbname=db', user = 'app', password = '${env:PGPASSWORD}', table = 'y')");
    ASSERT_TRUE(created.ok()) << created.status().to_string();
  }
  std::string explain(const std::string& name) {
    auto s = sql::parse_statement("EXPLAIN " + name);
    EXPECT_TRUE(s.ok());
    auto r = Introspection(g.catalog, g.graph).explain(*s);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    std::string out;
    for (int64_t i = 0; i < r->rows.num_rows(); ++i) {
      out += std::string(r->rows.column(0).string_value(i)) + "\n";
    }
    return out;
  }
  TestGraph g;
};

TEST_F(SinkSecrets, ExplainMasksSecretOptionsAndConnectionStringPasswords) {
  const std::string pg = explain("pg");
  EXPECT_NE(pg.find("dsn=postgresql://app:***@127.0.0.1:1/db"), std::string::npos) << pg;
  EXPECT_NE(pg.find("password=***"), std::string::npos) << pg;
  EXPECT_NE(pg.find("table=x"), std::string::npos) << "other options stay visible: " << pg;
  const std::string kw = explain("kw");
  EXPECT_NE(kw.find("dsn=host=127.0.0.1 password=*** dbname=db"), std::string::npos) << kw;
  EXPECT_NE(kw.find("password=${env:PGPASSWORD}"), std::string::npos) << kw;
  for (const char* secret : kSecrets) {
    EXPECT_EQ((pg + kw).find(secret), std::string::npos) << secret;
  }
  // The source's EXPLAIN shows both sinks below it.
  const std::string t = explain("t");
  for (const char* secret : kSecrets) EXPECT_EQ(t.find(secret), std::string::npos) << t;
}

TEST_F(SinkSecrets, GraphJsonShowsNoPassword) {
  JsonWriter w;
  w.begin_object();
  Introspection(g.catalog, g.graph).write_nodes(w);
  w.end_object();
  const std::string json = w.take();
  EXPECT_NE(json.find("password=***"), std::string::npos) << json;
  for (const char* secret : kSecrets) {
    EXPECT_EQ(json.find(secret), std::string::npos) << secret << " in " << json;
  }
}

TEST(SinkOptionsEnv, ReferencesAreForASinkConnectorsTextOptionsOnly) {
  TestGraph g;
  ASSERT_TRUE(g.execute("CREATE SOURCE t (n BIGINT)").ok());
  auto refused = [&](const std::string& sql) {
    auto r = g.execute(sql);
    if (r.ok()) return std::string("accepted");
    return r.status().to_string();
  };
  EXPECT_NE(refused("CREATE SOURCE f (n BIGINT) WITH (connector = 'file', path = "
                    "'${env:HOME}/x.jsonl')")
                .find("${env:NAME} is resolved in a sink connector's text options only"),
            std::string::npos);
  EXPECT_NE(refused("CREATE SINK s FROM t INTO postgres (table = 'x', port = '${env:PGPORT}')")
                .find("option 'port' of sink 's'"),
            std::string::npos);
  EXPECT_NE(refused("CREATE SINK s FROM t INTO file (path = '/tmp/x', retry.max = "
                    "'${env:N}')")
                .find("option 'retry.max'"),
            std::string::npos);
  EXPECT_NE(refused("CREATE SINK s FROM t INTO postgres (table = 'x', password = '${env:}')")
                .find("malformed environment reference"),
            std::string::npos);
  EXPECT_EQ(refused("CREATE SINK s FROM t INTO postgres (table = 'x', password = '${env:PW}')"),
            "accepted");
}

}  // namespace
}  // namespace sluice::dataflow
