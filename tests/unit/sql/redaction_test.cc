// Secrets in what is shown: connection strings, option values, statement text, messages
// (sql/redaction.h), and ${env:NAME} references (sql/env_reference.h).

#include "sql/redaction.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "sql/env_reference.h"

namespace sluice::sql {
namespace {

bool password_is_secret(std::string_view key) {
  return key == "password";
}

TEST(Redaction, MasksPasswordsInConnectionStrings) {
  EXPECT_EQ(redact_connection_string("postgresql://app:s3cret@db.example:5432/orders"),
            "postgresql://app:***@db.example:5432/orders");
  // A password holding '@' and ':' still goes whole; several hosts, a query string.
  EXPECT_EQ(redact_connection_string("postgres://u:p@:ss@h1,h2/db?sslmode=require"),
            "postgres://u:***@h1,h2/db?sslmode=require");
  EXPECT_EQ(redact_connection_string("postgresql://h/db?user=u&password=pw&sslmode=disable"),
            "postgresql://h/db?user=u&password=***&sslmode=disable");
  EXPECT_EQ(redact_connection_string("host=db user=app password=s3cret dbname=x"),
            "host=db user=app password=*** dbname=x");
  EXPECT_EQ(redact_connection_string("host=db PASSWORD = 'two words\\' here' port=5"),
            "host=db PASSWORD = *** port=5");
  EXPECT_EQ(redact_connection_string("sslpassword=k1 Server=x;Pwd=k2;"),
            "sslpassword=*** Server=x;Pwd=***;");
  // Nothing secret: unchanged (a user without a password, a port, a plain path).
  for (const char* kept : {"postgresql://app@db:5432/x", "postgresql://db:5432/x", "/var/data/out",
                           "host=db user=app", "password is required"}) {
    EXPECT_EQ(redact_connection_string(kept), kept);
  }
}

TEST(Redaction, ShownOptionValues) {
  EXPECT_EQ(shown_option_value("hunter2", true), "***");
  EXPECT_EQ(shown_option_value("${env:PGPASSWORD}", true), "${env:PGPASSWORD}")
      << "a reference holds no secret; showing it says where the secret comes from";
  EXPECT_EQ(shown_option_value("x${env:PGPASSWORD}", true), "***");
  EXPECT_EQ(shown_option_value("postgresql://u:pw@h/db", false), "postgresql://u:***@h/db");
  EXPECT_EQ(shown_option_value("orders", false), "orders");
}

TEST(Redaction, StatementsKeepEverythingButTheSecrets) {
  const std::string sql =
      "CREATE SINK p FROM s INTO postgres (dsn = 'host=h password=''a b''', password = "
      "'it''s', table = 'password', \"password\" = 'q1', 'password' = q2, user = 'u')";
  EXPECT_EQ(redact_statement(sql, password_is_secret),
            "CREATE SINK p FROM s INTO postgres (dsn = 'host=h password=***', password = '***', "
            "table = 'password', \"password\" = '***', 'password' = ***, user = 'u')");
  // A typo that leaves out '=' still hides the value; a reference is kept.
  EXPECT_EQ(redact_statement("INTO postgres (password 'hunter2', x = 1)", password_is_secret),
            "INTO postgres (password '***', x = 1)");
  EXPECT_EQ(redact_statement("(password = '${env:PW}')", password_is_secret),
            "(password = '${env:PW}')");
  // Lines and what follows stay where they were.
  EXPECT_EQ(
      redact_statement("SELECT 1;\n-- note\nWITH (password = 'pw',\n  n = 2)", password_is_secret),
      "SELECT 1;\n-- note\nWITH (password = '***',\n  n = 2)");
  // Dotted keys are whole keys: only `password` is secret here.
  EXPECT_EQ(redact_statement("(a.password = 'x', password.b = 'y')", password_is_secret),
            "(a.password = 'x', password.b = 'y')");
}

TEST(Redaction, StatementsTheLexerCannotFinish) {
  // An unterminated literal after a secret key: the rest is the secret.
  EXPECT_EQ(redact_statement("WITH (password = 'hunter2, table = x)", password_is_secret),
            "WITH (password = '***'");
  // Elsewhere, the rest is kept as written but for connection-string passwords.
  EXPECT_EQ(redact_statement("WITH (dsn = 'postgresql://u:pw@h/db", password_is_secret),
            "WITH (dsn = 'postgresql://u:***@h/db");
  EXPECT_EQ(redact_statement("WITH (password = 'pw') ? 'postgresql://u:pw2@h'", password_is_secret),
            "WITH (password = '***') ? 'postgresql://u:***@h'");
}

TEST(Redaction, MessagesLoseTheSecretsTheyRepeat) {
  const std::string sql = "INTO postgres (password 'hunter2', user = 'u', dsn = 'x:pw@h')";
  EXPECT_EQ(redact_message("expected '=', found string 'hunter2'", sql, password_is_secret),
            "expected '=', found string '***'");
  // A short secret is masked only where it stands quoted, not inside other words.
  EXPECT_EQ(redact_message("found 'ab' in table abc", "(password = 'ab')", password_is_secret),
            "found '***' in table abc");
  EXPECT_EQ(redact_message("cannot connect: postgresql://u:pw@h", "", password_is_secret),
            "cannot connect: postgresql://u:***@h");
}

TEST(EnvReference, FormsAndChecks) {
  EXPECT_TRUE(has_env_reference("a${env:X}"));
  EXPECT_FALSE(has_env_reference("$env:X"));
  EXPECT_TRUE(only_env_references("${env:A}${env:B_2}"));
  EXPECT_FALSE(only_env_references("${env:A} "));
  EXPECT_FALSE(only_env_references(""));
  EXPECT_TRUE(check_env_references("postgresql://u:${env:PW}@h/${env:DB}").ok());
  for (const char* bad : {"${env:}", "${env:1X}", "${env:X", "${env:X-Y}", "${env:X}${env:"}) {
    const Status s = check_env_references(bad);
    EXPECT_EQ(s.code(), ErrorCode::kSqlInvalidOption) << bad;
  }
}

TEST(EnvReference, ResolvesAndNamesAnUnsetVariableNeverAValue) {
  ::setenv("SLUICE_TEST_PW", "s3cret", 1);
  ::unsetenv("SLUICE_TEST_UNSET");
  auto r = resolve_env_references("dsn", "postgresql://u:${env:SLUICE_TEST_PW}@h/db");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r, "postgresql://u:s3cret@h/db");
  auto missing = resolve_env_options({{"password", "${env:SLUICE_TEST_UNSET}"}, {"user", "u"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().to_string(),
            "SLC-1006: option 'password' names environment variable SLUICE_TEST_UNSET, which is "
            "not set");
  auto all = resolve_env_options({{"password", "${env:SLUICE_TEST_PW}"}, {"user", "u"}});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->at("password"), "s3cret");
  EXPECT_EQ(all->at("user"), "u");
}

}  // namespace
}  // namespace sluice::sql
