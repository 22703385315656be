#pragma once
// Status and Result<T>: errors are values. A Status is either OK (no allocation) or carries a
// stable ErrorCode, a message saying what was wrong, and optionally where (a SQL line:column,
// "line 3, field 'price'", a file name). to_string() renders "SLC-2001 at line 3: message".

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sluice/error_code.h"

namespace sluice {

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, std::string location = {});
  Status(const Status& other)
      : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  ErrorCode code() const { return state_ ? state_->code : ErrorCode::kOk; }
  std::string_view message() const { return state_ ? std::string_view(state_->message) : ""; }
  std::string_view location() const { return state_ ? std::string_view(state_->location) : ""; }

  // A copy of this error with a location added in front of any it already has, e.g. a
  // decoder's "field 'price'" becomes "file trades.jsonl, line 3, field 'price'". A part of the
  // location that `outer` names already is not repeated: each place is said once.
  Status with_location(std::string_view outer) const;

  // "SLC-NNNN" for this status's code.
  std::string code_string() const;
  // "OK", or "SLC-NNNN[ at LOCATION]: MESSAGE".
  std::string to_string() const;

  // Marks a status deliberately ignored (for best-effort cleanup paths).
  void ignore() const {}

 private:
  struct State {
    ErrorCode code;
    std::string message;
    std::string location;
  };
  std::unique_ptr<State> state_;
};

std::string format_error_code(ErrorCode code);

// Prints "value() of a Result holding an error: <status>" and aborts.
[[noreturn]] void abort_on_error_result(const Status& status);

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status(ErrorCode::kInternal, "Result built from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // The value; calling these on an error is a programming error, reported and aborted.
  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->checked(); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked(); }

 private:
  T& checked() {
    if (!value_) [[unlikely]] {
      abort_on_error_result(status_);
    }
    return *value_;
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace sluice

#define SLC_CONCAT_INNER(a, b) a##b
#define SLC_CONCAT(a, b) SLC_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define SLC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::sluice::Status slc_status_ = (expr);     \
    if (!slc_status_.ok()) return slc_status_; \
  } while (false)

// Evaluates a Result<T> expression; on error returns its Status, else moves the value to lhs.
// Expands to several statements: brace it when it is the body of an if.
#define SLC_ASSIGN_OR_RETURN(lhs, expr)                                                           \
  auto SLC_CONCAT(slc_result_, __LINE__) = (expr);                                                \
  if (!SLC_CONCAT(slc_result_, __LINE__).ok()) return SLC_CONCAT(slc_result_, __LINE__).status(); \
  lhs = std::move(SLC_CONCAT(slc_result_, __LINE__)).value()
