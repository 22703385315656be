#include "common/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace sluice {
namespace {

TEST(Histogram, BucketsTileTheValueRange) {
  for (size_t b = 0; b < Histogram::kBuckets; ++b) {
    ASSERT_EQ(Histogram::bucket_of(Histogram::bucket_low(b)), b);
    ASSERT_EQ(Histogram::bucket_of(Histogram::bucket_high(b)), b);
    if (b + 1 < Histogram::kBuckets) {
      ASSERT_EQ(Histogram::bucket_high(b) + 1, Histogram::bucket_low(b + 1));
    }
  }
  EXPECT_EQ(Histogram::bucket_of(UINT64_MAX), Histogram::kBuckets - 1);
}

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.quantile(0.99), 0u);
}

TEST(Histogram, QuantilesWithinThreePercent) {
  Histogram h;
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(10.0, 1.5);
  std::vector<uint64_t> values;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto exact = static_cast<double>(values[static_cast<size_t>(q * values.size()) - 1]);
    const auto got = static_cast<double>(h.quantile(q));
    EXPECT_NEAR(got, exact, exact * 0.03 + 1) << "quantile " << q;
  }
  const HistogramSummary s = h.summary();
  EXPECT_EQ(s.count, 100000u);
  EXPECT_EQ(s.min, values.front());
  EXPECT_EQ(s.max, values.back());
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 1; v <= 50; ++v) h.record(v);
  EXPECT_EQ(h.quantile(0.5), 25u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 50u);
  EXPECT_DOUBLE_EQ(h.mean(), 25.5);
}

TEST(Histogram, MergeAddsCounts) {
  Histogram a, b;
  a.record_n(100, 10);
  b.record_n(1000, 10);
  a.merge(b);
  EXPECT_EQ(a.count(), 20u);
  EXPECT_EQ(a.min(), 100u);
  EXPECT_EQ(a.max(), 1000u);
  EXPECT_NEAR(static_cast<double>(a.quantile(0.75)), 1000, 30);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
}

// The cumulative counts /metrics shows as a Prometheus histogram's buckets.
TEST(Histogram, CountAtMostIsCumulativeWithinABucket) {
  Histogram h;
  for (uint64_t v = 1; v <= 10000; ++v) h.record(v);
  EXPECT_EQ(h.count_at_most(0), 0u);
  EXPECT_EQ(h.count_at_most(60), 60u);  // exact below 64, then buckets of ~3%
  for (uint64_t bound : {1000u, 5000u, 9000u}) {
    const double got = static_cast<double>(h.count_at_most(bound));
    EXPECT_NEAR(got, static_cast<double>(bound), 0.04 * static_cast<double>(bound)) << bound;
  }
  EXPECT_EQ(h.count_at_most(UINT64_MAX), 10000u);
  EXPECT_EQ(h.sum(), 10000u * 10001u / 2);
}

}  // namespace
}  // namespace sluice
