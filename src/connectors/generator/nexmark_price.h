#pragma once
// The Nexmark generator's prices: 10^(6u) * 100 rounded to an integer, for u uniform in
// [0, 1) (cents from 1.00 to 1,000,000.00, even in log scale, as the reference generator's).
// The value is exactly std::round(std::pow(10.0, u * 6) * 100), which the events were first
// made with and which every recorded result depends on, at a fraction of pow's cost (pow was
// a sixth of the generator's time): 10^(6u) is two tables' 10^(i/64) and 10^(j/4096) times a
// short polynomial for the rest, within 2e-15 relative; where that might round otherwise
// (within 1e-5 of a half, about 2 in 100,000 prices) pow decides.
//
// Thread: any (the table is built once, thread-safely).

#include <cstdint>

namespace sluice::connectors {

int64_t nexmark_price(double unit);

}  // namespace sluice::connectors
