#pragma once
// The regular expressions of regexp_like, regexp_replace and regexp_extract: a constant pattern
// compiled once, when the expression is bound (CREATE, or an ad-hoc SELECT), never per row or
// per batch. RE2's header stays in regex_kernels.cc. Internal to the sql module.
//
// Thread: a CompiledRegex is immutable once made; RE2 matches from any number of threads.

#include <memory>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::sql {

struct CompiledRegex;

// What a call fixes at bind time besides its pattern.
struct RegexSpec {
  std::string pattern;
  bool case_insensitive = false;  // flag 'i'
  bool global = false;            // flag 'g' (regexp_replace): every match, not the first
  std::string rewrite;            // regexp_replace: the replacement, \0..\9 for groups
  int64_t group = 0;              // regexp_extract: the group returned, 0 = the whole match
};

// Which argument of the call a compile error is about (its position goes in the message).
enum class RegexPart { kPattern, kRewrite, kGroup };

// Reads the flags argument ("i", "c", "g" where `allow_global`), PostgreSQL's letters; any
// other letter is an error.
Status parse_regex_flags(std::string_view flags, bool allow_global, RegexSpec& spec);

// Compiles spec.pattern and checks the rewrite and group against its groups. On error,
// `failed` says which argument was wrong.
Result<std::shared_ptr<const CompiledRegex>> compile_regex(const RegexSpec& spec,
                                                           RegexPart& failed);

}  // namespace sluice::sql
