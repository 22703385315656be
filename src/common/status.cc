#include "sluice/status.h"

#include <cstdio>
#include <cstdlib>

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
  // Located there already (a connector that names its sink, wrapped again by the sink's
  // task): a location is said once.
  const std::string_view inner = state_->location;
  if (inner.starts_with(outer) &&
      (inner.size() == outer.size() || inner.substr(outer.size()).starts_with(", "))) {
    return *this;
  }
  std::string loc(outer);
  if (!state_->location.empty()) {
    loc += ", ";
    loc += state_->location;
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
