#include "sql/env_reference.h"

#include <cctype>
#include <cstdlib>

namespace sluice::sql {
namespace {

constexpr std::string_view kOpen = "${env:";

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// The name of the reference that starts at `at` (at kOpen) and where it ends (past its '}');
// an empty name when it is malformed.
std::string_view reference_at(std::string_view value, size_t at, size_t& end) {
  const size_t start = at + kOpen.size();
  size_t i = start;
  if (i < value.size() && is_name_start(value[i])) {
    while (i < value.size() && is_name_char(value[i])) ++i;
  }
  if (i == start || i >= value.size() || value[i] != '}') return {};
  end = i + 1;
  return value.substr(start, i - start);
}

}  // namespace

bool has_env_reference(std::string_view value) {
  return value.find(kOpen) != std::string_view::npos;
}

bool only_env_references(std::string_view value) {
  if (value.empty()) return false;
  for (size_t at = 0; at < value.size();) {
    if (value.substr(at, kOpen.size()) != kOpen) return false;
    size_t end = 0;
    if (reference_at(value, at, end).empty()) return false;
    at = end;
  }
  return true;
}

Status check_env_references(std::string_view value) {
  for (size_t at = value.find(kOpen); at != std::string_view::npos; at = value.find(kOpen, at)) {
    size_t end = 0;
    if (reference_at(value, at, end).empty()) {
      return Status(ErrorCode::kSqlInvalidOption,
                    "malformed environment reference: expected ${env:NAME}, NAME being letters, "
                    "digits and '_'");
    }
    at = end;
  }
  return Status::Ok();
}

Result<std::string> resolve_env_references(std::string_view key, std::string_view value) {
  SLC_RETURN_IF_ERROR(check_env_references(value));
  std::string out;
  size_t done = 0;
  for (size_t at = value.find(kOpen); at != std::string_view::npos; at = value.find(kOpen, done)) {
    size_t end = 0;
    const std::string name(reference_at(value, at, end));
    const char* set = std::getenv(name.c_str());
    if (set == nullptr) {
      return Status(ErrorCode::kSqlInvalidOption, "option '" + std::string(key) +
                                                      "' names environment variable " + name +
                                                      ", which is not set");
    }
    out.append(value.substr(done, at - done));
    out.append(set);
    done = end;
  }
  out.append(value.substr(done));
  return out;
}

Result<OptionMap> resolve_env_options(const OptionMap& options) {
  OptionMap out;
  for (const auto& [key, value] : options) {
    if (!has_env_reference(value)) {
      out.emplace(key, value);
      continue;
    }
    SLC_ASSIGN_OR_RETURN(std::string resolved, resolve_env_references(key, value));
    out.emplace(key, std::move(resolved));
  }
  return out;
}

}  // namespace sluice::sql
