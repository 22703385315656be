#pragma once
// A continuous query bound over one source (or one stream of changes) and nothing else, for
// tests that drive an operator directly (without a graph or a database). Used on the test's
// thread.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "sluice/schema.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/parser.h"

namespace sluice {

namespace detail {

// `select` bound by `catalog`; a parse or bind error fails the test and returns null.
inline std::shared_ptr<sql::BoundQuery> bind_in(const sql::Catalog& catalog,
                                                std::string_view select) {
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

}  // namespace detail

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
  return detail::bind_in(catalog, select);
}

// `select` bound over a stream `t` that emits changes: `schema`'s rows, its last column `_op`
// (as an EMIT CHANGES query's output), read from a source `src` of the same schema.
inline std::shared_ptr<sql::BoundQuery> bind_over_changes(std::string_view select,
                                                          SchemaPtr schema) {
  sql::Catalog catalog;
  auto source = std::make_shared<sql::SourceDef>();
  source->name = "src";
  source->schema = schema;
  catalog.add(sql::Catalog::Entry{sql::ObjectKind::kSource, source, nullptr, nullptr});
  auto upstream = std::make_shared<sql::BoundQuery>();
  upstream->input = "src";
  upstream->input_schema = schema;
  upstream->output_schema = schema;
  upstream->emit = sql::EmitMode::kChanges;
  auto stream = std::make_shared<sql::QueryDef>();
  stream->name = "t";
  stream->query = upstream;
  catalog.add(sql::Catalog::Entry{sql::ObjectKind::kStream, nullptr, stream, nullptr});
  return detail::bind_in(catalog, select);
}

}  // namespace sluice
