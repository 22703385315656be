#pragma once
// Database::flush() hands rows to the sinks' queues; each sink's thread writes them after.
// Waits (bounded: 30 s) until sink `name` has written at least `rows`.

#include <chrono>
#include <string>
#include <thread>

#include "sluice/database.h"

namespace sluice::server {

inline bool wait_for_sink_rows(Database& db, const std::string& name, int64_t rows) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < end) {
    if (auto m = db.sink_metrics(name); m.ok() && m->rows >= rows) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

}  // namespace sluice::server
