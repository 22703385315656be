#pragma once
// The binder: AST → bound, typed definitions, checked against the catalog. It resolves
// names (with "did you mean" suggestions), types every expression, inserts implicit casts,
// collects aggregates and the window of a GROUP BY, and rejects streaming queries that
// cannot run or could never emit, saying why. Errors carry the line:column of the cause.

#include <cstdint>
#include <optional>
#include <string>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/bound_query.h"
#include "sql/catalog.h"
#include "sql/from_binder.h"

namespace sluice::sql {

struct ConnectorSpec;

// What a SELECT is bound for: a continuous query (a stream, view or sink reads its unbounded
// input) or an ad-hoc SELECT of a view's current rows, which may be sorted and sliced.
enum class QueryUse { kContinuous, kAdhoc };

class Binder {
 public:
  // `statement_time` (µs since 1970): what NOW() and CURRENT_TIMESTAMP stand for, given only
  // for an ad-hoc SELECT; a continuous query refuses them (its results must be a function of
  // its input).
  explicit Binder(const Catalog& catalog, std::optional<int64_t> statement_time = std::nullopt)
      : catalog_(catalog), statement_time_(statement_time) {}

  Result<SourceDef> bind_source(const Statement& create_source) const;
  // `object` names the steps of a FROM of several objects ("<object>$<n>", bound_plan.h): the
  // stream's, view's or anonymous sink stream's name; "select" for an ad-hoc SELECT or EXPLAIN.
  Result<BoundQuery> bind_query(const SelectStmt& select, QueryUse use = QueryUse::kContinuous,
                                std::string_view object = "select") const;
  // CREATE SINK: `input` is the stream it reads (the named one, or the anonymous stream
  // already made for AS SELECT).
  Result<SinkDef> bind_sink(const Statement& create_sink, const std::string& input) const;
  // A scalar expression over `schema` (a sink's WHERE, tests).
  Result<BoundExprPtr> bind_scalar(const Expr& expr, const Schema& schema,
                                   std::string_view relation) const;

 private:
  Status check_exactly_once(const Statement& s, const SinkDef& def,
                            const ConnectorSpec& spec) const;

  // A query with its WITH items and UNION ALL branches; their steps go to `steps`.
  Result<BoundQuery> bind_select(const SelectStmt& select, QueryUse use,
                                 StatementSteps& steps) const;
  // One SELECT … FROM … (a UNION ALL branch, or the whole query).
  Result<BoundQuery> bind_body(const SelectStmt& select, QueryUse use, StatementSteps& steps) const;
  Result<BoundQuery> bind_union(const SelectStmt& select, StatementSteps& steps) const;
  // An ad-hoc SELECT's ORDER BY, LIMIT and OFFSET after a UNION ALL (the parser hangs them on
  // the first SELECT): over the union's columns, into `q`, the union's query.
  Status bind_union_order(const SelectStmt& select, BoundQuery& q) const;
  // A FROM item (from_binder.cc); `lookup_side`: the right side of a join, which may say
  // FOR SYSTEM_TIME AS OF.
  Result<BoundFrom> bind_from(const FromItem& item, StatementSteps& steps,
                              bool lookup_side = false) const;
  // A join: its sides, then the join itself, classified into a BoundJoin (join_binder.cc).
  Result<BoundFrom> bind_join(const FromItem& join, StatementSteps& steps) const;

  const Catalog& catalog_;
  std::optional<int64_t> statement_time_;
};

}  // namespace sluice::sql
