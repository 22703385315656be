#pragma once
// splitmix64: a small, well-mixed, seedable generator. Generators make one per row or event
// number (seeded from the source's seed and the number), so any row can be made again.

#include <cstdint>

namespace sluice::connectors {

struct Random {
  uint64_t state;
  explicit Random(uint64_t seed) : state(seed) {}
  // The stream of row/event `n` of a source seeded `seed`.
  static Random for_row(uint64_t seed, int64_t n) {
    return Random(seed * 0x100000001b3ull ^ static_cast<uint64_t>(n));
  }
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

}  // namespace sluice::connectors
