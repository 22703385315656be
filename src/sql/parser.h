#pragma once
// Recursive-descent parser: SQL text → Statements. Errors carry line:column and say what
// was expected and what was found: "SLC-1001 at 2:8: expected FROM, found 'FORM'".

#include <string_view>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"

namespace sluice::sql {

// Parses one or more ';'-separated statements; positions count from `start` (where `sql`
// begins in its file).
Result<std::vector<Statement>> parse_statements(std::string_view sql, SourcePos start = {});
// Parses exactly one statement (a trailing ';' is allowed).
Result<Statement> parse_statement(std::string_view sql);
// Parses a lone expression (for tests and option values).
Result<ExprPtr> parse_expression(std::string_view sql);

// "5 SECOND" → microseconds. Units: MICROSECOND, MILLISECOND, SECOND, MINUTE, HOUR, DAY
// (singular or plural, any case); the number may have a fraction.
Result<int64_t> parse_interval_text(std::string_view number, std::string_view unit);

}  // namespace sluice::sql
