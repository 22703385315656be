#pragma once
// Two sources' rows pushed in many interleavings and batch splits, for tests that a consumer's
// output over two interleaving sources is a function of the input (dataflow/ordered_input.h):
// the auction/bid rows of a seed, a random schedule of pushes keeping each source's rows in
// source order, and a tap that records what a node emits.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dataflow/output.h"
#include "support/test_graph.h"

namespace sluice::dataflow::interleavings {

// What a node emits, in order, a row a line.
struct Tap final : Output {
  void deliver(const RecordBatch& b) override {
    for (int64_t r = 0; r < b.num_rows(); ++r) {
      std::string row;
      for (int c = 0; c < b.num_columns(); ++c) row += b.column(c).value_to_string(r) + "|";
      rows.push_back(std::move(row));
    }
  }
  std::vector<std::string> rows;
};

// One batch pushed into one source.
struct Push {
  std::string source;
  std::string lines;  // JSON lines
};

// Each source's rows as JSON lines (times in ms, in source order, disordered within the
// watermark's delay now and then; prices tie often).
struct Rows {
  std::vector<std::string> auction, bid;
};
inline Rows make_rows(uint64_t seed, int auctions, int bids) {
  std::mt19937_64 rng(seed);
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Rows rows;
  int64_t t = 1000000;
  for (int i = 0; i < auctions; ++i) {
    t += pick(0, 400);
    rows.auction.push_back("{\"id\":" + std::to_string(i % 12) +
                           ",\"ts\":" + std::to_string(t - pick(0, 1) * pick(0, 1500)) + "}\n");
  }
  int64_t bt = 1000000;
  for (int i = 0; i < bids; ++i) {
    bt += pick(0, 100);
    rows.bid.push_back("{\"auction\":" + std::to_string(pick(0, 11)) +
                       ",\"price\":" + std::to_string(pick(1, 30)) +
                       ",\"bts\":" + std::to_string(bt - pick(0, 1) * pick(0, 1500)) + "}\n");
  }
  return rows;
}

// The rows cut into batches of random sizes (up to a random most per run), the two sources'
// batches interleaved at random: each source's rows stay in source order.
inline std::vector<Push> schedule(const Rows& rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int most = pick(1, 40);
  std::vector<Push> out;
  size_t i = 0, j = 0;
  while (i < rows.auction.size() || j < rows.bid.size()) {
    const bool take_a = j == rows.bid.size() || (i < rows.auction.size() && pick(0, 1) == 1);
    const std::vector<std::string>& lines = take_a ? rows.auction : rows.bid;
    size_t& at = take_a ? i : j;
    Push p{take_a ? "auction" : "bid", {}};
    for (int n = pick(1, most); n > 0 && at < lines.size(); --n) p.lines += lines[at++];
    out.push_back(std::move(p));
  }
  return out;
}

inline void run(TestGraph& g, const std::vector<Push>& pushes, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    const Status s = g.push_json(pushes[i].source, pushes[i].lines);
    ASSERT_TRUE(s.ok()) << s.to_string();
  }
}

}  // namespace sluice::dataflow::interleavings
