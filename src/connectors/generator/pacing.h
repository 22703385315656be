#pragma once
// Pacing of a generator: when an event is due, counted from the pace's start. An event number
// may be large (a long run, or one resumed far along), so the arithmetic must not overflow:
// `events * 1e9` passes int64 after ~9.2e9 events.
//
// Thread: any (pure functions).

#include <chrono>
#include <cstdint>
#include <limits>

namespace sluice::connectors {

// How long after the pace's start `events` events are due at `rate` events per second:
// events / rate seconds, to the nanosecond (rounded down), saturating at the longest
// duration nanoseconds hold. `events` >= 0, `rate` > 0.
inline std::chrono::nanoseconds pace_offset(int64_t events, int64_t rate) {
  const __int128 nanos = static_cast<__int128>(events) * 1'000'000'000 / rate;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  return std::chrono::nanoseconds(nanos > kMax ? kMax : static_cast<int64_t>(nanos));
}

}  // namespace sluice::connectors
