#include "connectors/generator/nexmark_price.h"

#include <array>
#include <cmath>

namespace sluice::connectors {
namespace {

constexpr int kSteps = 64;  // table entries per power of ten
constexpr int kEntries = 6 * kSteps + 1;

// 10^(i/64) for i in [0, 384], each within half an ulp (pow's).
const std::array<double, kEntries>& powers() {
  static const std::array<double, kEntries> table = [] {
    std::array<double, kEntries> t{};
    for (int i = 0; i < kEntries; ++i) t[i] = std::pow(10.0, static_cast<double>(i) / kSteps);
    return t;
  }();
  return table;
}

}  // namespace

int64_t nexmark_price(double unit) {
  const double x = unit * 6;  // as the reference: pow(10.0, unit * 6)
  const double* table = powers().data();
  // x = i/64 + r with r in [0, 1/64) (exact: x * 64 and i/64 are exact, and so is the
  // difference of two doubles this close); 10^r = e^y, y = r ln 10 < 0.036, by its Taylor
  // polynomial to y^7 (the remainder is below 1e-16 relative).
  const int i = static_cast<int>(x * kSteps);
  const double r = x - static_cast<double>(i) / kSteps;
  const double y = r * 2.302585092994045684;
  const double e =
      1 + y * (1 + y * (1.0 / 2 +
                        y * (1.0 / 6 + y * (1.0 / 24 + y * (1.0 / 120 +
                                                            y * (1.0 / 720 + y * (1.0 / 5040)))))));
  const double cents = table[i] * e * 100;
  // Within 1e-15 relative of pow's value times 100 (at most 1e8: 1e-7 absolute), so it
  // rounds the same unless a half-integer is within 1e-5 of it.
  const double half = static_cast<double>(static_cast<int64_t>(cents)) + 0.5;
  if (std::fabs(cents - half) > 1e-5) return static_cast<int64_t>(cents + 0.5);
  return static_cast<int64_t>(std::round(std::pow(10.0, x) * 100));
}

}  // namespace sluice::connectors
