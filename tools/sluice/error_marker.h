#pragma once
// Shows where a SQL error is: the statement's line with a caret under the column the error's
// "line:column" location names. Nothing when the error has no such location. The line is shown
// redacted (secret option values and connection-string passwords masked), the caret moved to
// match.

#include <functional>
#include <string>
#include <string_view>

#include "sluice/database.h"
#include "sluice/status.h"

namespace sluice::cli {

// Masks secrets in statement text (Database::redact).
using Redactor = std::function<std::string(std::string_view sql)>;

// `first_line` is the line of `sql` within its file (1 for a statement typed alone).
std::string mark_error(std::string_view sql, const Status& error, const Redactor& redact,
                       int first_line = 1);

// Prints a pipeline file's error to stderr: the file's name on a line of its own (so the
// caret lines up under the marked line), the marked statement, then the error.
void report_file_error(const std::string& file, std::string_view sql, const Status& error,
                       Database& db);

}  // namespace sluice::cli
