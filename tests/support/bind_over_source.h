#pragma once
// A continuous query bound over one source and nothing else, for tests that drive an operator
// directly (without a graph or a database). Used on the test's thread.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "sluice/schema.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/parser.h"

namespace sluice {

// `select` bound over source `name` of `schema`, its watermark on column `watermark_column`
// (-1: none). The query is returned mutable so a test can stand in for what the binder would
// find upstream. A parse or bind error fails the test, naming the query, and returns null.
inline std::shared_ptr<sql::BoundQuery> bind_over_source(std::string_view select, SchemaPtr schema,
                                                         int watermark_column = -1,
                                                         std::string name = "t") {
  sql::Catalog catalog;
  auto source = std::make_shared<sql::SourceDef>();
  source->name = std::move(name);
  source->schema = std::move(schema);
  source->watermark_column = watermark_column;
  catalog.add(sql::Catalog::Entry{sql::ObjectKind::kSource, source, nullptr, nullptr});
  auto stmt = sql::parse_statement(select);
  if (!stmt.ok()) {
    ADD_FAILURE() << select << ": " << stmt.status().to_string();
    return nullptr;
  }
  auto q = sql::Binder(catalog).bind_query(*stmt->query);
  if (!q.ok()) {
    ADD_FAILURE() << select << ": " << q.status().to_string();
    return nullptr;
  }
  return std::make_shared<sql::BoundQuery>(std::move(q).value());
}

}  // namespace sluice
