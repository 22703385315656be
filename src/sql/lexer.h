#pragma once
// The SQL lexer: text → tokens, each with its line:column (1-based) for error messages.
// Words come out as kWord (keywords are recognised by the parser, case-insensitively);
// "quoted identifiers" as kQuotedIdent with "" unescaped; 'strings' with '' unescaped. The text
// must be UTF-8: a malformed byte anywhere (in a string, a quoted name, a comment) is an error
// (SLC-2004) at its line:column, so no invalid text reaches a column, a catalog or JSON output.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::sql {

struct SourcePos {
  int line = 1;
  int column = 1;
  std::string to_string() const { return std::to_string(line) + ":" + std::to_string(column); }
};

enum class TokenKind {
  kWord,
  kQuotedIdent,
  kString,
  kInteger,
  kDecimal,  // has a '.' or an exponent
  kSymbol,   // ( ) , ; . * + - / % || = <> != < <= > >=
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // the word, unescaped string, number text or symbol
  SourcePos pos;
  size_t offset = 0;  // of its first byte in the SQL text
};

// Tokenizes all of `sql`; the last token is kEnd. Errors: unterminated string or quoted
// identifier or comment, an unexpected character, malformed UTF-8. `start` is where `sql`
// begins in its file (a statement taken out of a script keeps the script's line:column in
// its errors).
Result<std::vector<Token>> tokenize(std::string_view sql, SourcePos start = {});

}  // namespace sluice::sql
