#pragma once
// Recursive-descent parser: SQL text → Statements. Errors carry line:column and say what
// was expected and what was found: "SLC-1001 at 2:8: expected FROM, found 'FORM'".

#include <string_view>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/interval_text.h"  // parse_interval_text, for option values

namespace sluice::sql {

// Parses one or more ';'-separated statements; positions count from `start` (where `sql`
// begins in its file).
Result<std::vector<Statement>> parse_statements(std::string_view sql, SourcePos start = {});
// Parses exactly one statement (a trailing ';' is allowed).
Result<Statement> parse_statement(std::string_view sql);
// Parses a lone expression (for tests and option values).
Result<ExprPtr> parse_expression(std::string_view sql);

}  // namespace sluice::sql
