#include "sql/lexer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "columnar/utf8.h"

namespace sluice::sql {
namespace {

bool is_word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string hex_byte(char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return buf;
}

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view sql, SourcePos start) {
  std::vector<Token> tokens;
  size_t i = 0;
  int line = start.line;
  size_t line_start = 0;
  int first_column = start.column;  // columns of the first line start there, later ones at 1
  auto pos_at = [&](size_t at) {
    return SourcePos{line, static_cast<int>(at - line_start) + first_column};
  };
  auto advance_newlines = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k) {
      if (sql[k] == '\n') {
        ++line;
        line_start = k + 1;
        first_column = 1;
      }
    }
  };
  // Checks that sql[from, to) is UTF-8; the error names the first bad byte and where it is.
  auto check_utf8 = [&](size_t from, size_t to, std::string_view where) -> Status {
    const size_t bad = from + valid_utf8_prefix(sql.substr(from, to - from));
    if (bad == to) return Status::Ok();
    advance_newlines(from, bad);
    return Status(ErrorCode::kInvalidUtf8,
                  "invalid UTF-8 in " + std::string(where) + ": byte " + hex_byte(sql[bad]),
                  pos_at(bad).to_string());
  };

  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
      advance_newlines(i, i + 1);
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {  // -- comment
      const size_t start = i;
      while (i < sql.size() && sql[i] != '\n') ++i;
      SLC_RETURN_IF_ERROR(check_utf8(start, i, "a comment"));
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {  // /* comment */
      const SourcePos start = pos_at(i);
      const size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) {
        return Status(ErrorCode::kSqlSyntax, "unterminated /* comment", start.to_string());
      }
      SLC_RETURN_IF_ERROR(check_utf8(i, end, "a comment"));
      advance_newlines(i, end + 2);
      i = end + 2;
      continue;
    }
    Token t;
    t.pos = pos_at(i);
    t.offset = i;
    if (is_word_start(c)) {
      size_t j = i;
      while (j < sql.size() && is_word_char(sql[j])) ++j;
      t.kind = TokenKind::kWord;
      t.text = std::string(sql.substr(i, j - i));
      i = j;
    } else if (is_digit(c) || (c == '.' && i + 1 < sql.size() && is_digit(sql[i + 1]))) {
      size_t j = i;
      bool decimal = false;
      while (j < sql.size() && is_digit(sql[j])) ++j;
      if (j < sql.size() && sql[j] == '.') {
        decimal = true;
        ++j;
        while (j < sql.size() && is_digit(sql[j])) ++j;
      }
      if (j < sql.size() && (sql[j] == 'e' || sql[j] == 'E')) {
        size_t k = j + 1;
        if (k < sql.size() && (sql[k] == '+' || sql[k] == '-')) ++k;
        if (k < sql.size() && is_digit(sql[k])) {
          decimal = true;
          j = k;
          while (j < sql.size() && is_digit(sql[j])) ++j;
        }
      }
      t.kind = decimal ? TokenKind::kDecimal : TokenKind::kInteger;
      t.text = std::string(sql.substr(i, j - i));
      i = j;
    } else if (c == '\'' || c == '"') {
      const char quote = c;
      size_t j = i + 1;
      std::string text;
      for (;;) {
        if (j >= sql.size()) {
          return Status(
              ErrorCode::kSqlSyntax,
              quote == '\'' ? "unterminated string literal" : "unterminated quoted identifier",
              t.pos.to_string());
        }
        if (sql[j] == quote) {
          if (j + 1 < sql.size() && sql[j + 1] == quote) {
            text.push_back(quote);
            j += 2;
            continue;
          }
          break;
        }
        text.push_back(sql[j++]);
      }
      SLC_RETURN_IF_ERROR(
          check_utf8(i + 1, j, quote == '\'' ? "a string literal" : "a quoted identifier"));
      advance_newlines(i, j);
      t.kind = quote == '\'' ? TokenKind::kString : TokenKind::kQuotedIdent;
      t.text = std::move(text);
      i = j + 1;
    } else {
      static constexpr std::string_view kTwo[] = {"||", "<>", "!=", "<=", ">="};
      t.kind = TokenKind::kSymbol;
      bool matched = false;
      for (std::string_view two : kTwo) {
        if (sql.substr(i, 2) == two) {
          t.text = std::string(two);
          i += 2;
          matched = true;
          break;
        }
      }
      if (!matched) {
        static constexpr std::string_view kOne = "(),;.*+-/%=<>";
        if (kOne.find(c) == std::string_view::npos) {
          // The whole character, not its first byte (which alone would be invalid UTF-8).
          const auto lead = static_cast<unsigned char>(c);
          const size_t len = std::min(sql.size() - i, lead >= 0xf0   ? size_t{4}
                                                      : lead >= 0xe0 ? size_t{3}
                                                      : lead >= 0xc0 ? size_t{2}
                                                                     : size_t{1});
          SLC_RETURN_IF_ERROR(check_utf8(i, i + len, "the SQL text"));
          return Status(ErrorCode::kSqlSyntax,
                        "unexpected character '" + std::string(sql.substr(i, len)) + "'",
                        t.pos.to_string());
        }
        t.text = std::string(1, c);
        ++i;
      }
    }
    tokens.push_back(std::move(t));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.pos = pos_at(i);
  end.offset = i;
  tokens.push_back(end);
  return tokens;
}

}  // namespace sluice::sql
