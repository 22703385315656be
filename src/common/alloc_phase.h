#pragma once
// Which part of the compute loop the current thread is in, so a test that replaces
// operator new can tell the loop's own allocations (which must be zero per cycle) from the
// operators' (which produce output data). Production code only sets it; nothing reads it.

#include <cstdint>

namespace sluice {

enum class AllocPhase : uint8_t { kOther, kLoop, kOperators };

inline thread_local AllocPhase current_alloc_phase = AllocPhase::kOther;

class AllocPhaseScope {
 public:
  explicit AllocPhaseScope(AllocPhase phase) : saved_(current_alloc_phase) {
    current_alloc_phase = phase;
  }
  ~AllocPhaseScope() { current_alloc_phase = saved_; }
  AllocPhaseScope(const AllocPhaseScope&) = delete;
  AllocPhaseScope& operator=(const AllocPhaseScope&) = delete;

 private:
  AllocPhase saved_;
};

}  // namespace sluice
