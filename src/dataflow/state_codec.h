#pragma once
// A small binary format for operator snapshots: fixed-width little-endian integers,
// length-prefixed strings, typed Values. The reader checks every length, so a truncated or
// corrupt snapshot is an error, never a crash.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sluice/status.h"
#include "sluice/value.h"

namespace sluice::dataflow {

class StateWriter {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void i64(int64_t v) { out_.append(reinterpret_cast<const char*>(&v), 8); }
  void f64(double v) { out_.append(reinterpret_cast<const char*>(&v), 8); }
  void str(std::string_view s) {
    i64(static_cast<int64_t>(s.size()));
    out_.append(s);
  }
  void value(const Value& v);
  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  Status u8(uint8_t& v);
  Status i64(int64_t& v);
  Status f64(double& v);
  Status str(std::string& s);
  Status value(Value& v);
  bool done() const { return pos_ == in_.size(); }

 private:
  Status need(size_t n) const;
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace sluice::dataflow
