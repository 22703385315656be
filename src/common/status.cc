#include "sluice/status.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace sluice {

std::string_view error_code_meaning(ErrorCode code) {
  switch (code) {
#define SLUICE_ERROR_MEANING(name, number, meaning) \
  case ErrorCode::name:                             \
    return meaning;
    SLUICE_ERROR_CODES(SLUICE_ERROR_MEANING)
#undef SLUICE_ERROR_MEANING
  }
  return "unknown error";
}

std::string format_error_code(ErrorCode code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "SLC-%04u", static_cast<unsigned>(code));
  return buf;
}

void abort_on_error_result(const Status& status) {
  std::fprintf(stderr, "sluice: value() of a Result holding an error: %s\n",
               status.to_string().c_str());
  std::abort();
}

Status::Status(ErrorCode code, std::string message, std::string location) {
  if (code == ErrorCode::kOk) return;
  state_ = std::make_unique<State>(State{code, std::move(message), std::move(location)});
}

Status Status::with_location(std::string_view outer) const {
  if (ok() || outer.empty()) return *this;
  // A place is said once: a part of the inner location that the outer one names already
  // (a connector that locates at its sink, wrapped again by the sink's task) is dropped.
  constexpr std::string_view kSeparator = ", ";
  auto parts = [&](std::string_view location) {
    std::vector<std::string_view> out;
    while (!location.empty()) {
      const size_t end = location.find(kSeparator);
      out.push_back(location.substr(0, end));
      if (end == std::string_view::npos) break;
      location.remove_prefix(end + kSeparator.size());
    }
    return out;
  };
  const std::vector<std::string_view> outer_parts = parts(outer);
  std::string loc(outer);
  for (std::string_view part : parts(state_->location)) {
    if (std::find(outer_parts.begin(), outer_parts.end(), part) != outer_parts.end()) continue;
    loc += kSeparator;
    loc += part;
  }
  return Status(state_->code, state_->message, std::move(loc));
}

std::string Status::code_string() const {
  return format_error_code(code());
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  std::string out = code_string();
  if (!state_->location.empty()) {
    out += " at ";
    out += state_->location;
  }
  out += ": ";
  out += state_->message;
  return out;
}

}  // namespace sluice
