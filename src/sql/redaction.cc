#include "sql/redaction.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "sql/env_reference.h"
#include "sql/lexer.h"
#include "sql/names.h"

namespace sluice::sql {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// URI userinfo: `scheme://user:PW@host...` → `scheme://user:***@host...`.
std::string redact_uri_passwords(std::string_view text) {
  std::string out;
  size_t done = 0;
  for (size_t scheme = text.find("://"); scheme != std::string_view::npos;
       scheme = text.find("://", scheme + 3)) {
    if (scheme < done) continue;  // inside what was masked already
    const size_t start = scheme + 3;
    size_t end = start;  // the authority (and a path) up to a space, a quote or a query
    while (end < text.size() && !is_space(text[end]) && text[end] != '\'' && text[end] != '"' &&
           text[end] != '?' && text[end] != '#') {
      ++end;
    }
    const std::string_view rest = text.substr(start, end - start);
    const size_t at = rest.rfind('@');  // a password may hold an unencoded '@'
    if (at == std::string_view::npos) continue;
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos || colon > at ||
        rest.substr(0, colon).find('/') != std::string_view::npos) {
      continue;  // no password, or the ':' is a port after the host
    }
    out.append(text.substr(done, start + colon + 1 - done));
    out.append(kRedacted);
    done = start + at;
  }
  out.append(text.substr(done));
  return out;
}

// Keyword pairs: `password=PW`, `password = 'P W'` (libpq), `?password=PW&` (a URI query).
std::string redact_keyword_passwords(std::string_view text) {
  // Any key ending in password or passwd (sslpassword, db_password); pwd as a word only.
  static constexpr std::string_view kKeys[] = {"password", "passwd", "pwd"};
  const std::string lower = to_lower(text);
  std::string out;
  size_t done = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    size_t key_end = 0;
    for (std::string_view key : kKeys) {
      if (std::string_view(lower).substr(i, key.size()) != key) continue;
      if (key == "pwd" && i > 0 && is_word_char(text[i - 1])) continue;
      key_end = i + key.size();
      break;
    }
    if (key_end == 0) continue;
    size_t v = key_end;
    while (v < text.size() && is_space(text[v])) ++v;
    if (v >= text.size() || text[v] != '=') continue;
    ++v;
    while (v < text.size() && (text[v] == ' ' || text[v] == '\t')) ++v;
    size_t end = v;
    if (end < text.size() && text[end] == '\'') {  // a quoted value, with \' escapes
      for (++end; end < text.size() && text[end] != '\''; ++end) {
        if (text[end] == '\\') ++end;
      }
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && !is_space(text[end]) && text[end] != '&' && text[end] != ';')
        ++end;
    }
    if (end == v) continue;  // no value
    out.append(text.substr(done, v - done));
    out.append(kRedacted);
    done = end;
    i = end - 1;
  }
  out.append(text.substr(done));
  return out;
}

// A statement's tokens with where each lies in the text.
struct Located {
  Token token;
  size_t begin = 0, end = 0;  // bytes of the text; a literal's quotes included
  bool unread = false;        // the rest the lexer could not read, as written
};

size_t offset_of(std::string_view sql, SourcePos pos) {
  size_t at = 0;
  for (int line = 1; line < pos.line && at < sql.size(); ++at) {
    if (sql[at] == '\n') ++line;
  }
  return std::min(sql.size(), at + static_cast<size_t>(std::max(pos.column, 1) - 1));
}

// "L:C" of a lexer error, as an offset into `sql`; the text's size when it has none.
size_t error_offset(std::string_view sql, const Status& error) {
  const std::string_view where = error.location();
  const size_t colon = where.find(':');
  SourcePos pos;
  if (colon == std::string_view::npos ||
      std::from_chars(where.data(), where.data() + colon, pos.line).ec != std::errc() ||
      std::from_chars(where.data() + colon + 1, where.data() + where.size(), pos.column).ec !=
          std::errc()) {
    return sql.size();
  }
  return offset_of(sql, pos);
}

// The tokens (without kEnd), each with its extent. What the lexer cannot read (from an
// unterminated literal on) becomes one string token running to the end.
std::vector<Located> locate_tokens(std::string_view sql) {
  size_t readable = sql.size();
  Result<std::vector<Token>> tokens = tokenize(sql);
  if (!tokens.ok()) {
    readable = error_offset(sql, tokens.status());
    tokens = tokenize(sql.substr(0, readable));
    if (!tokens.ok()) {
      readable = 0;
      tokens = std::vector<Token>{};
    }
  }
  std::vector<Located> out;
  for (Token& t : *tokens) {
    if (t.kind == TokenKind::kEnd) break;
    Located l;
    l.begin = offset_of(sql, t.pos);
    if (t.kind == TokenKind::kString || t.kind == TokenKind::kQuotedIdent) {
      const char quote = sql[l.begin];
      size_t j = l.begin + 1;
      while (j < readable) {
        if (sql[j] == quote && j + 1 < readable && sql[j + 1] == quote) {
          j += 2;
        } else if (sql[j] == quote) {
          break;
        } else {
          ++j;
        }
      }
      l.end = std::min(j + 1, readable);
    } else {
      l.end = std::min(l.begin + t.text.size(), readable);
    }
    l.token = std::move(t);
    out.push_back(std::move(l));
  }
  if (readable < sql.size()) {
    Located rest;
    rest.unread = true;
    rest.token.kind = TokenKind::kString;
    rest.begin = readable;
    rest.end = sql.size();
    std::string_view text = sql.substr(readable);
    if (!text.empty() && (text[0] == '\'' || text[0] == '"')) text.remove_prefix(1);
    rest.token.text = std::string(text);
    out.push_back(std::move(rest));
  }
  return out;
}

std::string quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out + "'";
}

bool is_symbol(const Located& l, std::string_view symbol) {
  return l.token.kind == TokenKind::kSymbol && l.token.text == symbol;
}

struct Edit {
  size_t begin, end;
  std::string replacement;
};

// What to mask in a statement: the edits to its text, and the secret values themselves (for
// messages that repeat them).
struct Secrets {
  std::vector<Edit> edits;
  std::vector<std::string> values;
};

Secrets find_secrets(std::string_view sql, const SecretOption& secret) {
  const std::vector<Located> tokens = locate_tokens(sql);
  std::vector<bool> masked(tokens.size(), false);
  Secrets out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const TokenKind kind = tokens[i].token.kind;
    if (kind != TokenKind::kWord && kind != TokenKind::kString && kind != TokenKind::kQuotedIdent)
      continue;
    if (i > 0 && is_symbol(tokens[i - 1], ".")) continue;  // inside a dotted key
    // An option key: a word or a string, dotted words (queue.capacity).
    std::string key = to_lower(tokens[i].token.text);
    size_t j = i + 1;
    while (j + 1 < tokens.size() && is_symbol(tokens[j], ".") &&
           tokens[j + 1].token.kind == TokenKind::kWord) {
      key += "." + to_lower(tokens[j + 1].token.text);
      j += 2;
    }
    const bool equals = j < tokens.size() && is_symbol(tokens[j], "=");
    if (equals) ++j;
    if (equals && j < tokens.size() && is_symbol(tokens[j], "-")) ++j;
    if (j >= tokens.size() || !secret || !secret(key)) continue;
    const TokenKind value = tokens[j].token.kind;
    // Without '=' only a string counts as the value (`password 'x'`, a typo to show masked).
    const bool is_value = value == TokenKind::kString ||
                          (equals && (value == TokenKind::kWord || value == TokenKind::kInteger ||
                                      value == TokenKind::kDecimal));
    if (!is_value || masked[j]) continue;
    const std::string& text = tokens[j].token.text;
    if (only_env_references(text)) continue;  // names a variable: no secret in it
    masked[j] = true;
    out.values.push_back(text);
    out.edits.push_back({tokens[j].begin, tokens[j].end,
                         value == TokenKind::kString ? quoted(kRedacted) : std::string(kRedacted)});
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (masked[i] || tokens[i].token.kind != TokenKind::kString) continue;
    const Located& t = tokens[i];
    const std::string redacted = redact_connection_string(t.token.text);
    if (redacted == t.token.text) continue;
    if (!t.unread) {
      out.edits.push_back({t.begin, t.end, quoted(redacted)});
      continue;
    }
    // What the lexer could not read is kept as written: its opening quote, no closing one.
    const bool opens_quoted = sql[t.begin] == '\'' || sql[t.begin] == '"';
    out.edits.push_back(
        {t.begin, t.end, std::string(sql.substr(t.begin, opens_quoted ? 1 : 0)) + redacted});
  }
  std::sort(out.edits.begin(), out.edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  return out;
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

std::string redact_connection_string(std::string_view text) {
  return redact_keyword_passwords(redact_uri_passwords(text));
}

std::string shown_option_value(std::string_view value, bool secret) {
  if (secret && !only_env_references(value)) return std::string(kRedacted);
  return redact_connection_string(value);
}

std::string redact_statement(std::string_view sql, const SecretOption& secret) {
  const Secrets secrets = find_secrets(sql, secret);
  std::string out;
  size_t done = 0;
  for (const Edit& e : secrets.edits) {
    if (e.begin < done) continue;  // overlapping: the first one masks it already
    out.append(sql.substr(done, e.begin - done));
    out.append(e.replacement);
    done = e.end;
  }
  out.append(sql.substr(done));
  return out;
}

std::string mask_secrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& value : secrets) {
    if (value.empty()) continue;
    if (value.size() >= 3) {
      replace_all(out, value, kRedacted);
      continue;
    }
    for (const char* quote : {"'", "\""}) {
      replace_all(out, quote + value + quote, quote + std::string(kRedacted) + quote);
    }
  }
  return out;
}

std::string redact_message(std::string_view message, std::string_view sql,
                           const SecretOption& secret) {
  return redact_connection_string(mask_secrets(message, find_secrets(sql, secret).values));
}

}  // namespace sluice::sql
