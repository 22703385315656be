#include "dataflow/processing_clock.h"

#include <algorithm>
#include <chrono>

namespace sluice::dataflow {

int64_t ProcessingClock::now() {
  last_ = std::max(last_, source_ ? source_() : wall_micros());
  return last_;
}

int64_t ProcessingClock::wall_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ProcessingClock::not_before(int64_t micros) {
  last_ = std::max(last_, micros);
}

}  // namespace sluice::dataflow
