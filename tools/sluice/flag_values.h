#pragma once
// Values of command-line flags shared by `sluice run` and `sluice serve`: a bad one is printed
// as "<program>: <flag>: <why>" and the caller exits 2.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "sql/options.h"

namespace sluice::cli {

// A duration of at least 1 ms ("500ms", "2s", ...).
inline std::optional<std::chrono::milliseconds> interval_flag(const char* program,
                                                              const std::string& flag,
                                                              const char* text) {
  auto micros = sql::parse_duration(text);
  if (!micros.ok() || *micros < 1000) {
    std::fprintf(stderr, "%s: %s: %s\n", program, flag.c_str(),
                 micros.ok() ? "must be at least 1ms" : micros.status().to_string().c_str());
    return std::nullopt;
  }
  return std::chrono::milliseconds(*micros / 1000);
}

// A size in bytes ("512MiB", "2GB", ...).
inline std::optional<int64_t> byte_size_flag(const char* program, const std::string& flag,
                                             const char* text) {
  auto bytes = sql::parse_byte_size(text);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s: %s: %s\n", program, flag.c_str(), bytes.status().to_string().c_str());
    return std::nullopt;
  }
  return *bytes;
}

}  // namespace sluice::cli
