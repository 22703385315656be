#include "connectors/generator/nexmark_price.h"

#include <array>
#include <cmath>

namespace sluice::connectors {
namespace {

// 10^(6u) = 10^(i/64) * 10^(j/4096) * 10^r: two small tables (3 KB and 512 bytes, each entry
// within half an ulp, pow's) and a short polynomial for the rest.
constexpr int kCoarse = 64, kFine = 64;  // steps per power of ten: 64, then 64 within each
constexpr int kCoarseEntries = 6 * kCoarse + 1;

struct Powers {
  std::array<double, kCoarseEntries> coarse;  // 10^(i/64)
  std::array<double, kFine> fine;             // 10^(j/4096)
};

const Powers& powers() {
  static const Powers table = [] {
    Powers p{};
    for (int i = 0; i < kCoarseEntries; ++i) {
      p.coarse[static_cast<size_t>(i)] = std::pow(10.0, static_cast<double>(i) / kCoarse);
    }
    for (int j = 0; j < kFine; ++j) {
      p.fine[static_cast<size_t>(j)] = std::pow(10.0, static_cast<double>(j) / (kCoarse * kFine));
    }
    return p;
  }();
  return table;
}

}  // namespace

int64_t nexmark_price(double unit) {
  const double x = unit * 6;  // as the reference: pow(10.0, unit * 6)
  const Powers& p = powers();
  // x = k/4096 + r with r in [0, 1/4096) (exact: x * 4096 and k/4096 are exact, and so is the
  // difference of two doubles this close); 10^r = e^y, y = r ln 10 < 0.00057, by its Taylor
  // polynomial to y^4 (the remainder is below 1e-18 relative).
  const int k = static_cast<int>(x * (kCoarse * kFine));
  const double r = x - static_cast<double>(k) / (kCoarse * kFine);
  const double y = r * 2.302585092994045684;
  const double e = 1 + y * (1 + y * (1.0 / 2 + y * (1.0 / 6 + y * (1.0 / 24))));
  const double cents =
      p.coarse[static_cast<size_t>(k / kFine)] * p.fine[static_cast<size_t>(k % kFine)] * e * 100;
  // Within 2e-15 relative of pow's value times 100 (at most 1e8: 2e-7 absolute), so it
  // rounds the same unless a half-integer is within 1e-5 of it.
  const double half = static_cast<double>(static_cast<int64_t>(cents)) + 0.5;
  if (std::fabs(cents - half) > 1e-5) return static_cast<int64_t>(cents + 0.5);
  return static_cast<int64_t>(std::round(std::pow(10.0, x) * 100));
}

}  // namespace sluice::connectors
