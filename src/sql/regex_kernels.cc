// Kernels of regexp_like, regexp_replace and regexp_extract, over RE2 (the only file that
// includes it). The pattern was compiled when the expression was bound (regex.h); a batch
// costs one match per row and no allocation per row: results are built in place, the
// replacement text in one scratch string reused across rows.

#include <re2/re2.h>

#include <string>
#include <vector>

#include "sluice/column_builder.h"
#include "sql/kernel_support.h"
#include "sql/kernels.h"
#include "sql/regex.h"

namespace sluice::sql {

struct CompiledRegex {
  explicit CompiledRegex(const RegexSpec& s, const RE2::Options& options)
      : spec(s), re(s.pattern, options) {}
  RegexSpec spec;
  RE2 re;
  // Groups a match must capture: the whole match, and those the rewrite or group names.
  int submatches = 1;
};

Status parse_regex_flags(std::string_view flags, bool allow_global, RegexSpec& spec) {
  for (char c : flags) {
    if (c == 'i') {
      spec.case_insensitive = true;
    } else if (c == 'c') {
      spec.case_insensitive = false;
    } else if (c == 'g' && allow_global) {
      spec.global = true;
    } else {
      return Status(ErrorCode::kSqlInvalidRegex, std::string("unknown regular expression flag '") +
                                                     c + "' (known: 'i', 'c'" +
                                                     (allow_global ? ", 'g')" : ")"));
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<const CompiledRegex>> compile_regex(const RegexSpec& spec,
                                                           RegexPart& failed) {
  RE2::Options options;
  options.set_log_errors(false);  // the error is returned, not printed
  options.set_case_sensitive(!spec.case_insensitive);
  auto compiled = std::make_shared<CompiledRegex>(spec, options);
  const RE2& re = compiled->re;
  if (!re.ok()) {
    failed = RegexPart::kPattern;
    return Status(ErrorCode::kSqlInvalidRegex,
                  "invalid regular expression '" + spec.pattern + "': " + re.error());
  }
  const int groups = re.NumberOfCapturingGroups();
  if (!spec.rewrite.empty()) {
    std::string why;
    if (!re.CheckRewriteString(spec.rewrite, &why)) {
      failed = RegexPart::kRewrite;
      return Status(ErrorCode::kSqlInvalidRegex, "invalid replacement '" + spec.rewrite + "': " +
                                                     why + " (\\0 to \\9 name groups; \\\\ is \\)");
    }
    compiled->submatches = std::max(compiled->submatches, 1 + RE2::MaxSubmatch(spec.rewrite));
  }
  if (spec.group < 0 || spec.group > groups) {
    failed = RegexPart::kGroup;
    return Status(ErrorCode::kSqlInvalidRegex,
                  "group " + std::to_string(spec.group) + " does not exist: the pattern has " +
                      std::to_string(groups) + " group" + (groups == 1 ? "" : "s"));
  }
  compiled->submatches = std::max(compiled->submatches, 1 + static_cast<int>(spec.group));
  return std::shared_ptr<const CompiledRegex>(std::move(compiled));
}

namespace kernel {
namespace {

// Byte length of the UTF-8 sequence starting with `lead` (1 for a stray byte).
size_t sequence_length(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

// `s` with the first match (every match when global) replaced, into `out`; as RE2's
// GlobalReplace, but appending to a buffer the caller reuses. An empty match right after the
// previous match is skipped, one character at a time.
void replace(const CompiledRegex& c, std::string_view s, std::vector<re2::StringPiece>& groups,
             std::string& out) {
  out.clear();
  const char* p = s.data();
  const char* const end = s.data() + s.size();
  const char* last_end = nullptr;
  const int n = static_cast<int>(groups.size());
  while (p <= end) {
    if (!c.re.Match(re2::StringPiece(s.data(), s.size()), static_cast<size_t>(p - s.data()),
                    s.size(), RE2::UNANCHORED, groups.data(), n)) {
      break;
    }
    const re2::StringPiece& m = groups[0];
    if (p < m.data()) out.append(p, static_cast<size_t>(m.data() - p));
    if (m.data() == last_end && m.empty()) {
      if (p >= end) break;
      const size_t step =
          std::min(sequence_length(static_cast<unsigned char>(*p)), static_cast<size_t>(end - p));
      out.append(p, step);
      p += step;
      continue;
    }
    c.re.Rewrite(&out, c.spec.rewrite, groups.data(), n);
    p = m.data() + m.size();
    last_end = p;
    if (!c.spec.global) break;
  }
  if (p < end) out.append(p, static_cast<size_t>(end - p));
}

}  // namespace

Result<Column> regex(const BoundExpr& e, const std::vector<Datum>& args, int64_t n) {
  const CompiledRegex& c = *e.regex;
  const Datum& subject = args[0];
  if (e.fn == Fn::kRegexpLike) {
    BoolOut out(n);
    for (int64_t i = 0; i < n; ++i) {
      if (subject.is_null(i)) {
        out.set_null(i);
      } else {
        const std::string_view s = read<std::string_view>(subject, i);
        out.set(i, RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), c.re));
      }
    }
    return out.finish();
  }
  std::vector<re2::StringPiece> groups(static_cast<size_t>(c.submatches));
  std::string scratch;
  ColumnBuilder out(DataType::kVarchar);
  out.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    if (subject.is_null(i)) {
      out.append_null();
      continue;
    }
    const std::string_view s = read<std::string_view>(subject, i);
    if (e.fn == Fn::kRegexpReplace) {
      replace(c, s, groups, scratch);
      out.append_string(scratch);
    } else if (c.re.Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED,
                          groups.data(), c.submatches)) {
      // A group that took no part in the match is the empty string, as no match is (DuckDB).
      const re2::StringPiece& g = groups[static_cast<size_t>(c.spec.group)];
      out.append_string(std::string_view(g.data() == nullptr ? "" : g.data(), g.size()));
    } else {
      out.append_string("");
    }
  }
  return out.finish();
}

}  // namespace kernel
}  // namespace sluice::sql
