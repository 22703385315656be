#include "common/histogram.h"

#include <bit>
#include <cmath>

namespace sluice {

size_t Histogram::bucket_of(uint64_t value) {
  if (value < 2 * kSubBuckets) return static_cast<size_t>(value);
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - kSubBucketBits;
  const uint64_t mantissa = value >> shift;  // in [kSubBuckets, 2 * kSubBuckets)
  return static_cast<size_t>((shift + 1) * kSubBuckets + (mantissa - kSubBuckets));
}

uint64_t Histogram::bucket_low(size_t bucket) {
  if (bucket < 2 * kSubBuckets) return bucket;
  const uint64_t shift = bucket / kSubBuckets - 1;
  const uint64_t mantissa = bucket % kSubBuckets + kSubBuckets;
  return mantissa << shift;
}

uint64_t Histogram::bucket_high(size_t bucket) {
  if (bucket < 2 * kSubBuckets) return bucket;
  const uint64_t shift = bucket / kSubBuckets - 1;
  return bucket_low(bucket) + ((uint64_t{1} << shift) - 1);
}

void Histogram::record_n(uint64_t value, uint64_t times) {
  if (times == 0) return;
  buckets_[bucket_of(value)].fetch_add(times, std::memory_order_relaxed);
  count_.fetch_add(times, std::memory_order_relaxed);
  sum_.fetch_add(value * times, std::memory_order_relaxed);
  uint64_t seen = min_.load(std::memory_order_relaxed);
  while (value < seen && !min_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
  seen = max_.load(std::memory_order_relaxed);
  while (value > seen && !max_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

void Histogram::merge(const Histogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) {
    const uint64_t n = other.buckets_[i].load(std::memory_order_relaxed);
    if (n != 0) buckets_[i].fetch_add(n, std::memory_order_relaxed);
  }
  count_.fetch_add(other.count(), std::memory_order_relaxed);
  sum_.fetch_add(other.sum_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  if (other.count() == 0) return;
  uint64_t v = other.min();
  uint64_t seen = min_.load(std::memory_order_relaxed);
  while (v < seen && !min_.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
  }
  v = other.max();
  seen = max_.load(std::memory_order_relaxed);
  while (v > seen && !max_.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
  }
}

void Histogram::reset() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  min_.store(std::numeric_limits<uint64_t>::max(), std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
}

uint64_t Histogram::min() const {
  return count() == 0 ? 0 : min_.load(std::memory_order_relaxed);
}

uint64_t Histogram::count_at_most(uint64_t bound) const {
  const size_t last = bucket_of(bound);
  uint64_t n = 0;
  for (size_t b = 0; b <= last && b < kBuckets; ++b)
    n += buckets_[b].load(std::memory_order_relaxed);
  return n;
}

double Histogram::mean() const {
  const uint64_t n = count();
  return n == 0 ? 0.0 : static_cast<double>(sum_.load(std::memory_order_relaxed)) / n;
}

uint64_t Histogram::quantile(double q) const {
  const uint64_t n = count();
  if (n == 0) return 0;
  if (q <= 0) return min();
  if (q >= 1) return max();
  const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(n)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) {
      const uint64_t low = bucket_low(i);
      const uint64_t mid = low + (bucket_high(i) - low) / 2;
      if (mid < min()) return min();
      if (mid > max()) return max();
      return mid;
    }
  }
  return max();
}

HistogramSummary Histogram::summary() const {
  HistogramSummary s;
  s.count = count();
  s.min = min();
  s.max = max();
  s.mean = mean();
  s.p50 = quantile(0.50);
  s.p90 = quantile(0.90);
  s.p99 = quantile(0.99);
  s.p999 = quantile(0.999);
  return s;
}

}  // namespace sluice
