#pragma once
// A log-linear histogram of non-negative 64-bit values (latencies in nanoseconds, sizes):
// exact below 64, then 32 linear sub-buckets per power of two, so any reported quantile is
// within ~3% of the true value. Fixed size (1,920 counters), no allocation when recording.
// HdrHistogram does the same but is not packaged in Debian.
//
// Thread: record() from any number of threads (relaxed atomics); readers get a consistent
// enough view for monitoring at any time.

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>

namespace sluice {

struct HistogramSummary {
  uint64_t count = 0;
  uint64_t min = 0;
  uint64_t max = 0;
  double mean = 0;
  uint64_t p50 = 0;
  uint64_t p90 = 0;
  uint64_t p99 = 0;
  uint64_t p999 = 0;
};

class Histogram {
 public:
  static constexpr int kSubBucketBits = 5;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  // Exact values below 2 * kSubBuckets, then one row of kSubBuckets per octave up to 2^64.
  static constexpr size_t kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

  Histogram() { reset(); }
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void record(uint64_t value) { record_n(value, 1); }
  void record_n(uint64_t value, uint64_t times);
  void merge(const Histogram& other);
  void reset();

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t min() const;
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }
  double mean() const;
  uint64_t sum() const { return sum_.load(std::memory_order_relaxed); }
  // Values recorded that are at most `bound` (a Prometheus bucket's `le`): every bucket whose
  // range starts at or below `bound`, so within the bucket width (~3%) of the exact count.
  uint64_t count_at_most(uint64_t bound) const;
  // The value at quantile q in [0, 1]: the middle of its bucket, clamped to [min, max].
  uint64_t quantile(double q) const;
  HistogramSummary summary() const;

  static size_t bucket_of(uint64_t value);
  static uint64_t bucket_low(size_t bucket);
  static uint64_t bucket_high(size_t bucket);

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> min_{std::numeric_limits<uint64_t>::max()};
  std::atomic<uint64_t> max_{0};
};

}  // namespace sluice
