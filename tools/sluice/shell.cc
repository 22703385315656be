#include "shell.h"

#include <editline/readline.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "error_marker.h"

namespace sluice::cli {
namespace {

constexpr const char* kHelp = R"(Statements end with ';' and may span lines.
  CREATE SOURCE | STREAM | MATERIALIZED VIEW | SINK ...;   DROP ...;
  SHOW SOURCES | STREAMS | MATERIALIZED VIEWS | SINKS | PIPELINE;
  DESCRIBE name;   EXPLAIN name | SELECT ...;   SELECT ... FROM a_materialized_view;
A file or generator source starts when the first stream, view or sink over it is created.
Commands:
  \help   this text
  \q      quit
The language is described in docs/sql.md.
)";

// A statement is complete when its text ends with ';' outside quotes and comments.
bool complete(const std::string& text) {
  bool in_string = false, in_ident = false;
  char last = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string && !in_ident && c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '\'' && !in_ident) in_string = !in_string;
    if (c == '"' && !in_string) in_ident = !in_ident;
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') last = c;
  }
  return !in_string && !in_ident && last == ';';
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home ? std::string(home) + "/.sluice_history" : std::string();
}

void run_statement(Database& db, const std::string& sql) {
  auto result = db.execute(sql);
  if (!result.ok()) {
    std::cout << mark_error(sql, result.status(),
                            [&](std::string_view text) { return db.redact(text); })
              << result.status().to_string() << "\n";
    return;
  }
  if (result->has_rows) {
    std::cout << result->rows.to_string(INT64_MAX) << "(" << result->rows.num_rows()
              << (result->rows.num_rows() == 1 ? " row)\n" : " rows)\n");
  } else {
    std::cout << result->message << "\n";
  }
}

}  // namespace

int run_shell(Database& db) {
  // The shell runs what it declares, as `run` does: a connector source (a file, a generator)
  // starts once something reads it (Database::start), so its first consumer sees its input
  // from the start; one declared later joins it where it is.
  if (Status started = db.start(); !started.ok()) {
    std::cout << started.to_string() << "\n";
    return 1;
  }
  const bool terminal = isatty(STDIN_FILENO);
  const std::string history = history_path();
  if (terminal) {
    using_history();
    if (!history.empty()) read_history(history.c_str());
    std::cout << "sluice " << SLUICE_VERSION << " — \\help for help, \\q to quit\n";
  }
  std::string statement;
  for (;;) {
    std::string line;
    if (terminal) {
      char* raw = readline(statement.empty() ? "sluice> " : "     -> ");
      if (raw == nullptr) break;  // end of input (Ctrl-D)
      line = raw;
      std::free(raw);
    } else if (!std::getline(std::cin, line)) {
      break;
    }
    if (statement.empty()) {
      const size_t b = line.find_first_not_of(" \t");
      const std::string word =
          b == std::string::npos ? "" : line.substr(b, line.find_last_not_of(" \t") - b + 1);
      if (word == "\\q" || word == "\\quit") break;
      if (word == "\\help" || word == "\\h" || word == "\\?") {
        std::cout << kHelp;
        continue;
      }
      if (!word.empty() && word[0] == '\\') {
        std::cout << "unknown command " << word << " (\\help lists them)\n";
        continue;
      }
      if (word.empty()) continue;
    }
    statement += line;
    statement += '\n';
    if (!complete(statement)) continue;
    if (terminal) {
      std::string entry = statement;
      while (!entry.empty() && entry.back() == '\n') entry.pop_back();
      add_history(entry.c_str());
    }
    run_statement(db, statement);
    statement.clear();
  }
  if (!statement.empty()) run_statement(db, statement);  // a last statement without ';'
  if (terminal && !history.empty()) write_history(history.c_str());
  Status done = db.shutdown();
  if (!done.ok()) {
    std::cout << done.to_string() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace sluice::cli
