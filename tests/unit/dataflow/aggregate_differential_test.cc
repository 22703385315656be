// The aggregate operator's typed state against a simple reference: a map of windows to a map
// of keys to the rows they accepted, aggregated from scratch. Random queries (every aggregate
// kind, FILTER, HAVING, no window / TUMBLE / HOP / SESSION, lateness, the three emit
// strategies) over random input with NULLs and late rows; what downstream holds at the end
// must be what the reference computes. Each case also restores a snapshot taken at a random
// point (written through a capture() whose state went on changing after it) and must then
// emit exactly what the uninterrupted operator emits.
//
// Seeded and bounded: a fixed number of cases, each a few dozen small batches.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dataflow/aggregate_operator.h"
#include "sluice/batch_builder.h"
#include "support/aggregate_menu.h"
#include "support/bind_over_source.h"
#include "support/differential.h"

namespace sluice::dataflow {
namespace {

constexpr int64_t kSecond = 1'000'000;

using Row = AggRow;  // ts: µs

SchemaPtr input_schema() {
  return make_schema({{"k", DataType::kVarchar},
                      {"g", DataType::kInt64},
                      {"v", DataType::kInt64},
                      {"x", DataType::kDouble},
                      {"ts", DataType::kTimestamp}});
}

RecordBatch to_batch(const std::vector<Row>& rows) {
  BatchBuilder b(input_schema());
  for (const Row& r : rows) {
    append_agg_row(b, r);
    b.column(4).append_int64(r.ts);
  }
  return b.finish();
}

enum class Win { kNone, kTumble, kHop, kSession };
enum class Emit { kClose, kUpdate, kChanges };

struct Case {
  Win win;
  Emit emit;
  std::vector<int> key_columns;  // 0: k, 1: g
  std::vector<AggCall> aggs;
  bool having = false;  // HAVING COUNT(*) > 1 (COUNT(*) is then the first aggregate)
  int64_t lateness = 0;
  std::string sql;
};

Case random_case(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  Case c;
  c.win = static_cast<Win>(pick(4));
  c.emit =
      c.win == Win::kNone ? (pick(2) ? Emit::kUpdate : Emit::kChanges) : static_cast<Emit>(pick(3));
  if (c.emit == Emit::kUpdate && c.win == Win::kSession) c.emit = Emit::kChanges;
  c.key_columns = random_group_keys(rng);
  const auto specs = aggregate_menu();
  const auto fs = aggregate_filters();
  c.having = c.emit != Emit::kUpdate && pick(3) == 0;
  if (c.having) c.aggs.push_back({0, -1});
  const int n = 1 + pick(5);
  for (int i = 0; i < n; ++i) {
    const int spec = pick(static_cast<int>(specs.size()));
    const int filter = !specs[static_cast<size_t>(spec)].order_sensitive && pick(4) == 0
                           ? pick(static_cast<int>(fs.size()))
                           : -1;
    c.aggs.push_back({spec, filter});
  }
  if (c.win != Win::kNone && pick(2) == 0) c.lateness = (1 + pick(5)) * kSecond;

  std::string group;
  const std::string select = aggregate_select(
      c.key_columns, c.win != Win::kNone ? "window_start, " : "", c.aggs, specs, fs, group);
  std::string window;
  switch (c.win) {
    case Win::kTumble:
      window = "TUMBLE(ts, INTERVAL '10' SECOND)";
      break;
    case Win::kHop:
      window = "HOP(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND)";
      break;
    case Win::kSession:
      window = "SESSION(ts, INTERVAL '4' SECOND)";
      break;
    case Win::kNone:
      break;
  }
  if (!window.empty()) group += (group.empty() ? "" : ", ") + window;
  c.sql = select;
  if (!group.empty()) c.sql += " GROUP BY " + group;
  if (c.having) c.sql += " HAVING COUNT(*) > 1";
  if (c.lateness)
    c.sql += " ALLOW LATENESS INTERVAL '" + std::to_string(c.lateness / kSecond) + "' SECOND";
  c.sql += c.emit == Emit::kClose    ? " EMIT ON WINDOW CLOSE"
           : c.emit == Emit::kUpdate ? " EMIT ON UPDATE"
                                     : " EMIT CHANGES";
  return c;
}

std::unique_ptr<AggregateOperator> make(const std::string& select) {
  auto q = bind_over_source(select, input_schema(), 4);
  return q ? std::make_unique<AggregateOperator>(std::move(q), false) : nullptr;
}

// The reference: groups as a map of windows to a map of keys to their rows.
class Reference {
 public:
  explicit Reference(const Case& c)
      : c_(c), specs_(aggregate_menu()), filters_(aggregate_filters()) {}

  void add(const Row& r, int64_t limit) {
    const std::string key = group_key_text(r, c_.key_columns);
    switch (c_.win) {
      case Win::kNone:
        groups_[{0, 0}][key].push_back(r);
        return;
      case Win::kTumble:
      case Win::kHop: {
        const int64_t size = (c_.win == Win::kTumble ? 10 : 15) * kSecond;
        const int64_t slide = (c_.win == Win::kTumble ? 10 : 5) * kSecond;
        int64_t start = r.ts >= 0 ? r.ts / slide * slide : -((-r.ts + slide - 1) / slide) * slide;
        for (; start + size > r.ts; start -= slide) {
          if (start + size > limit) groups_[{start, start + size}][key].push_back(r);
        }
        return;
      }
      case Win::kSession: {
        const int64_t gap = 4 * kSecond;
        auto& list = sessions_[key];
        // Sessions that ended by the limit have closed: a row no longer joins them.
        std::erase_if(list, [&](Session& s) {
          if (s.end > limit) return false;
          closed_.emplace_back(key, std::move(s));
          return true;
        });
        int64_t start = r.ts, end = r.ts + gap;
        std::vector<Row> rows;
        std::vector<Session> kept;
        bool joined = false;
        for (Session& s : list) {  // sorted by start: rows join in session order
          if (s.start < r.ts + gap && r.ts < s.end) {
            joined = true;
            start = std::min(start, s.start);
            end = std::max(end, s.end);
            rows.insert(rows.end(), s.rows.begin(), s.rows.end());
          } else {
            kept.push_back(std::move(s));
          }
        }
        if (!joined && end <= limit) {  // late: the sessions stay as they were
          list = std::move(kept);
          return;
        }
        rows.push_back(r);
        kept.push_back(Session{start, end, std::move(rows)});
        std::sort(kept.begin(), kept.end(),
                  [](const Session& a, const Session& b) { return a.start < b.start; });
        list = std::move(kept);
        return;
      }
    }
  }

  // Every group's final row (passing HAVING), as downstream should hold it at the end.
  std::multiset<std::string> final_rows() const {
    std::multiset<std::string> out;
    auto emit = [&](int64_t start, const std::string& key_text, const std::vector<Row>& rows) {
      std::string line = key_text;
      if (c_.win != Win::kNone) line += std::to_string(start) + "|";
      AggRows all;
      for (const Row& r : rows) all.push_back(&r);
      if (c_.having && all.size() <= 1) return;
      out.insert(line + aggregate_cells(c_.aggs, all, specs_, filters_));
    };
    for (const auto& [window, by_key] : groups_) {
      for (const auto& [key, rows] : by_key) emit(window.first, key, rows);
    }
    for (const auto& [key, list] : sessions_) {
      for (const Session& s : list) emit(s.start, key, s.rows);
    }
    for (const auto& [key, s] : closed_) emit(s.start, key, s.rows);
    return out;
  }

 private:
  struct Session {
    int64_t start, end;
    std::vector<Row> rows;
  };
  const Case& c_;
  std::vector<AggSpec> specs_;
  std::vector<AggFilter> filters_;
  std::map<std::pair<int64_t, int64_t>, std::map<std::string, std::vector<Row>>> groups_;
  std::map<std::string, std::vector<Session>> sessions_;
  std::vector<std::pair<std::string, Session>> closed_;
};

// What downstream holds, built from the operator's output according to the emit strategy.
class Downstream {
 public:
  Downstream(const Case& c) : c_(c) {}

  void take(const std::vector<RecordBatch>& out) {
    if (c_.emit != Emit::kUpdate)
      return apply_changes(out, rows_, c_.emit == Emit::kChanges, render);
    // ON UPDATE: each group's latest row.
    const int key_cols = static_cast<int>(c_.key_columns.size()) + (c_.win != Win::kNone ? 1 : 0);
    for (const RecordBatch& b : out) {
      for (int64_t r = 0; r < b.num_rows(); ++r) {
        latest_[row_text(b, r, key_cols, render)] = row_text(b, r, b.num_columns(), render);
      }
    }
  }

  std::multiset<std::string> rows() const {
    if (c_.emit != Emit::kUpdate) return rows_;
    std::multiset<std::string> out;
    for (const auto& [key, line] : latest_) out.insert(line);
    return out;
  }

 private:
  const Case& c_;
  std::multiset<std::string> rows_;
  std::map<std::string, std::string> latest_;
};

// Rows equal field by field, doubles within a relative 1e-9 (variance is Welford's update and
// Chan's merge in the operator, two passes in the reference).
bool same_rows(const std::multiset<std::string>& a, const std::multiset<std::string>& b) {
  if (a.size() != b.size()) return false;
  auto split = [](const std::string& line) {
    std::vector<std::string> out;
    size_t at = 0;
    for (size_t bar; (bar = line.find('|', at)) != std::string::npos; at = bar + 1) {
      out.push_back(line.substr(at, bar - at));
    }
    return out;
  };
  for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
    if (*x == *y) continue;
    const auto fx = split(*x), fy = split(*y);
    if (fx.size() != fy.size()) return false;
    for (size_t i = 0; i < fx.size(); ++i) {
      if (fx[i] == fy[i]) continue;
      char *ex, *ey;
      const double dx = std::strtod(fx[i].c_str(), &ex), dy = std::strtod(fy[i].c_str(), &ey);
      if (*ex || *ey || fx[i].empty() || fy[i].empty()) return false;
      if (std::fabs(dx - dy) > 1e-9 * std::max(std::fabs(dx), std::fabs(dy))) return false;
    }
  }
  return true;
}

struct Step {
  std::vector<Row> rows;
  int64_t watermark;  // after the batch (kNoWatermark: none)
};

std::vector<Step> random_steps(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  std::vector<Step> steps(static_cast<size_t>(4 + pick(20)));
  int64_t now = pick(5) == 0 ? -40 * kSecond : 0;  // sometimes windows before the epoch
  for (Step& s : steps) {
    const int n = pick(12);
    for (int i = 0; i < n; ++i) {
      Row r = random_agg_row(rng);
      // Mostly near now; some late, by up to 30 s.
      r.ts = now - (pick(4) == 0 ? pick(30) * kSecond : 0) - pick(1000) * 1000;
      s.rows.push_back(std::move(r));
    }
    now += pick(4) * kSecond + pick(1000) * 1000;
    s.watermark = pick(3) == 0 ? kNoWatermark : now - pick(3) * kSecond;
  }
  return steps;
}

int64_t close_limit(int64_t watermark, int64_t lateness) {
  if (watermark == kNoWatermark) return INT64_MIN;
  return watermark - lateness;
}

void run_case(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Case c = random_case(rng);
  SCOPED_TRACE("seed " + std::to_string(seed) + ": " + c.sql);
  const std::vector<Step> steps = random_steps(rng);
  const size_t cut = rng() % (steps.size() + 1);  // snapshot before step `cut`
  const size_t capture_at = rng() % (cut + 1);    // capture before step `capture_at`

  auto op = make(c.sql);
  ASSERT_TRUE(op);
  Reference reference(c);
  Downstream downstream(c);
  std::vector<std::vector<RecordBatch>> outputs;
  int64_t watermark = kNoWatermark;
  CaptureCheck capture;
  for (size_t i = 0; i <= steps.size(); ++i) {
    if (i == capture_at) capture.take(*op);
    if (i == steps.size()) break;
    const Step& s = steps[i];
    const int64_t limit = close_limit(watermark, c.lateness);
    for (const Row& r : s.rows) reference.add(r, limit);
    std::vector<RecordBatch> out;
    ASSERT_TRUE(feed_step(*op, to_batch(s.rows), s.watermark, watermark, out));
    downstream.take(out);
    outputs.push_back(std::move(out));
  }
  std::vector<RecordBatch> last;
  ASSERT_TRUE(op->on_watermark(kFinalWatermark, last).ok());
  downstream.take(last);
  outputs.push_back(std::move(last));
  EXPECT_PRED2(same_rows, downstream.rows(), reference.final_rows());

  // The image, written after the operator went on, holds the state at the capture.
  capture.expect_unchanged("captured before step " + std::to_string(capture_at));

  // Restored before step `cut` (from an image of that point), the operator emits exactly
  // what it emitted without stopping.
  auto first = make(c.sql);
  watermark = kNoWatermark;
  for (size_t i = 0; i < cut; ++i) {
    std::vector<RecordBatch> out;
    ASSERT_TRUE(feed_step(*first, to_batch(steps[i].rows), steps[i].watermark, watermark, out));
  }
  auto restored = restored_from_image(*first, [&] { return make(c.sql); });
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->live_groups(), first->live_groups());
  EXPECT_EQ(restored->state_stats().groups, first->state_stats().groups);
  for (size_t i = cut; i <= steps.size(); ++i) {
    std::vector<RecordBatch> out;
    if (i == steps.size()) {
      ASSERT_TRUE(restored->on_watermark(kFinalWatermark, out).ok());
    } else {
      ASSERT_TRUE(
          feed_step(*restored, to_batch(steps[i].rows), steps[i].watermark, watermark, out));
    }
    ASSERT_EQ(batches_text(out), batches_text(outputs[i]))
        << "step " << i << " after a restore before " << cut;
  }
}

TEST(AggregateDifferential, RandomQueriesMatchTheReferenceAndRestoreExactly) {
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    run_case(seed);
    if (HasFailure()) break;  // the first failing seed is the one to read
  }
}

}  // namespace
}  // namespace sluice::dataflow
