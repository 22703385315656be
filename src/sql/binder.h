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
  Result<BoundQuery> bind_query(const SelectStmt& select,
                                QueryUse use = QueryUse::kContinuous) const;
  // CREATE SINK: `input` is the stream it reads (the named one, or the anonymous stream
  // already made for AS SELECT).
  Result<SinkDef> bind_sink(const Statement& create_sink, const std::string& input) const;
  // A scalar expression over `schema` (a sink's WHERE, tests).
  Result<BoundExprPtr> bind_scalar(const Expr& expr, const Schema& schema,
                                   std::string_view relation) const;

 private:
  Status check_exactly_once(const Statement& s, const SinkDef& def,
                            const ConnectorSpec& spec) const;

  const Catalog& catalog_;
  std::optional<int64_t> statement_time_;
};

}  // namespace sluice::sql
