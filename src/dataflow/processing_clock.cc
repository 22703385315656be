#include "dataflow/processing_clock.h"

#include <algorithm>
#include <chrono>

namespace sluice::dataflow {

int64_t ProcessingClock::now() {
  const int64_t read = source_ ? source_()
                               : std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  last_ = std::max(last_, read);
  return last_;
}

void ProcessingClock::not_before(int64_t micros) {
  last_ = std::max(last_, micros);
}

}  // namespace sluice::dataflow
