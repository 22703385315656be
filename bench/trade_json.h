#pragma once
// The JSON message of the Kafka source benches (kafka_source_bench, json_parse_bench): row i of
// a trades stream, about 110 bytes, with non-ASCII symbols among the ASCII ones.
#include <cstdint>
#include <cstdio>
#include <string>

namespace sluice::bench {

inline std::string trade_json(int64_t i) {
  static const char* symbols[] = {"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "Zürich AG", "東京電力"};
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "{\"id\":%lld,\"symbol\":\"%s\",\"price\":%.3f,\"qty\":%d,\"ts\":\"2026-11-30T%02d:"
                "%02d:%02d.%06dZ\"}",
                static_cast<long long>(i), symbols[i % 7],
                100.0 + static_cast<double>(i % 1000) / 8, static_cast<int>(i % 500),
                static_cast<int>(i / 3600000 % 24), static_cast<int>(i / 60000 % 60),
                static_cast<int>(i / 1000 % 60), static_cast<int>(i % 1000) * 1000);
  return buf;
}

}  // namespace sluice::bench
