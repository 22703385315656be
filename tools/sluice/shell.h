#pragma once
// The interactive SQL shell: line editing and history (libedit) on a terminal, plain lines
// from a pipe. Statements end with ';' and may span lines; results print as aligned tables.

#include "sluice/database.h"

namespace sluice::cli {

int run_shell(Database& db);

}  // namespace sluice::cli
