#pragma once
// Redaction: secrets never leave in what sluice shows or logs. One place decides what a secret
// is and how it is masked:
//   - the value of an option its connector marks secret (OptionSpec::secret: a password) is
//     shown as ***, unless it only names environment variables (`${env:PGPASSWORD}`), which
//     is no secret;
//   - a password inside a connection string, in any value: `postgresql://u:PW@host` becomes
//     `postgresql://u:***@host`, the keyword form `password=PW` becomes `password=***`.
// Option values shown by EXPLAIN and the graph JSON go through shown_option_value(); statement
// text shown in messages (the CLI's caret display, a replayed or mismatched statement) through
// redact_statement(), which reads it with the lexer; error messages about a statement through
// redact_message(). The catalog log keeps statements as written: it must replay them.
//
// Thread: any (pure functions).

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::sql {

inline constexpr std::string_view kRedacted = "***";

// Whether an option key (lower case, dotted: "password") holds a secret.
using SecretOption = std::function<bool(std::string_view key)>;

// `text` with every password in a connection string masked: URI userinfo
// (`scheme://user:PW@host` → `scheme://user:***@host`) and keyword pairs (`password=PW`,
// `password = 'P W'`, `?password=PW&`; also passwd and pwd) → `password=***`.
std::string redact_connection_string(std::string_view text);

// An option's value as shown to people: *** for a secret one (unless it only names
// environment variables), connection-string passwords masked in any other.
std::string shown_option_value(std::string_view value, bool secret);

// A statement's text as shown to people: the value after a secret option's key (with or
// without '=') becomes '***', and connection-string passwords inside any string literal are
// masked. Text the lexer cannot read to the end (an unterminated literal) is treated as one
// literal from where reading stopped. Everything else is kept as written.
std::string redact_statement(std::string_view sql, const SecretOption& secret);

// `text` with each of `secrets` masked wherever it occurs; a secret shorter than 3 characters
// only where it stands quoted ('x' or "x"), as it could be part of any word.
std::string mask_secrets(std::string_view text, const std::vector<std::string>& secrets);

// An error message (or location) about `sql`: every secret value of `sql` it repeats (a parser
// naming the token it did not expect) is masked, and so are connection-string passwords.
std::string redact_message(std::string_view message, std::string_view sql,
                           const SecretOption& secret);

}  // namespace sluice::sql
