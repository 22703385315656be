// The top-N operator against a reference that sorts each partition at the end. Random top-N
// queries (partition keys or none, one or two sort keys in either direction with NULLs first or
// last, N from 1 to 4, the row number selected or not, a WHERE or not, and partitions that end
// with a "window" — a key whose value the watermark passes — or not) over random batches with
// NULLs, ties and duplicates. Applying the emitted changes downstream must leave exactly the
// reference's top N of every partition; rows of an ended partition that arrive later are late
// (dropped, counted). Each case also captures an image at a random point (written after the
// operator went on) and restores a snapshot at a random point, which must then emit exactly
// what the uninterrupted operator emits.
//
// Seeded and bounded: a fixed number of cases, each a few dozen small batches.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dataflow/top_n_operator.h"
#include "sluice/batch_builder.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "support/bind_over_source.h"
#include "support/differential.h"

namespace sluice::dataflow {
namespace {

struct Row {
  std::optional<std::string> k;
  int64_t g = 0;
  std::optional<int64_t> v;
  std::optional<double> x;
};

SchemaPtr input_schema() {
  return make_schema({{"k", DataType::kVarchar},
                      {"g", DataType::kInt64},
                      {"v", DataType::kInt64},
                      {"x", DataType::kDouble}});
}

RecordBatch to_batch(const std::vector<Row>& rows) {
  BatchBuilder b(input_schema());
  for (const Row& r : rows) {
    r.k ? b.column(0).append_string(*r.k) : b.column(0).append_null();
    b.column(1).append_int64(r.g);
    r.v ? b.column(2).append_int64(*r.v) : b.column(2).append_null();
    r.x ? b.column(3).append_double(*r.x) : b.column(3).append_null();
  }
  return b.finish();
}

struct SortSpec {
  int column;  // 0 k, 1 g, 2 v, 3 x
  bool descending;
  bool nulls_first;
};

struct Case {
  std::vector<int> partition;  // input columns
  std::vector<SortSpec> sort;
  int64_t n = 1;
  bool numbered = false;
  bool where = false;   // v IS NULL OR v > 1
  bool window = false;  // g is a partition key whose value + 0 ends its partition
  std::string sql;
};

const char* const kNames[] = {"k", "g", "v", "x"};

Case random_case(std::mt19937_64& rng) {
  Case c;
  c.window = rng() % 3 == 0;
  if (c.window) c.partition.push_back(1);
  if (rng() % 2) c.partition.push_back(0);
  const int sorts = 1 + static_cast<int>(rng() % 2);
  std::vector<bool> nulls_written;  // NULLS FIRST / LAST written (else the default)
  for (int i = 0; i < sorts; ++i) {
    SortSpec s{static_cast<int>(rng() % 4), rng() % 2 == 0, false};
    const int nulls = static_cast<int>(rng() % 3);  // default, FIRST, LAST
    s.nulls_first = nulls == 0 ? s.descending : nulls == 1;
    c.sort.push_back(s);
    nulls_written.push_back(nulls != 0);
  }
  c.n = 1 + static_cast<int64_t>(rng() % 4);
  c.numbered = rng() % 2;
  c.where = rng() % 3 == 0;
  std::string over = "ROW_NUMBER() OVER (";
  for (size_t i = 0; i < c.partition.size(); ++i) {
    over += i ? ", " : "PARTITION BY ";
    over += kNames[c.partition[i]];
  }
  over += c.partition.empty() ? "ORDER BY " : " ORDER BY ";
  for (size_t i = 0; i < c.sort.size(); ++i) {
    if (i) over += ", ";
    over += kNames[c.sort[i].column];
    over += c.sort[i].descending ? " DESC" : " ASC";
    if (nulls_written[i]) over += c.sort[i].nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  over += ")";
  c.sql = "SELECT k, g, v, x";
  if (c.numbered) c.sql += ", " + over + " AS rn";
  c.sql += " FROM t";
  if (c.where) c.sql += " WHERE v IS NULL OR v > 1";
  c.sql += " QUALIFY " + (c.numbered ? std::string("rn") : over) + " <= " + std::to_string(c.n);
  return c;
}

std::unique_ptr<TopNOperator> make(const Case& c) {
  auto q = bind_over_source(c.sql, input_schema());
  if (!q) return nullptr;
  if (c.window) {
    // g stands for an upstream window's end: its partitions end when the watermark reaches g.
    q->top_n->window_key = 0;
    q->top_n->window_end_offset = 0;
  }
  return std::make_unique<TopNOperator>(std::move(q));
}

int cmp_column(const Row& a, const Row& b, int column, bool descending, bool nulls_first) {
  switch (column) {
    case 0:
      return compare_optional(a.k, b.k, descending, nulls_first);
    case 1:
      return compare_optional(std::optional<int64_t>(a.g), std::optional<int64_t>(b.g), descending,
                              nulls_first);
    case 2:
      return compare_optional(a.v, b.v, descending, nulls_first);
    default:
      return compare_optional(a.x, b.x, descending, nulls_first);
  }
}

// An output row as row_text writes the operator's: k|g|v|x|, then rn| when numbered.
std::string render(const Row& r, std::optional<int64_t> rn) {
  std::string out = (r.k ? *r.k : "NULL") + "|" + std::to_string(r.g) + "|" +
                    (r.v ? std::to_string(*r.v) : "NULL") + "|" +
                    value_text(r.x ? Value::Double(*r.x) : Value::Null(DataType::kDouble)) + "|";
  if (rn) out += std::to_string(*rn) + "|";
  return out;
}

// The reference: every accepted row, in arrival order; the top N sorted out at the end.
std::vector<std::string> reference_top(const Case& c, const std::vector<Row>& rows) {
  std::map<std::string, std::vector<size_t>> partitions;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string key;
    for (int p : c.partition) {
      const Row& r = rows[i];
      key += p == 0 ? (r.k ? "s" + *r.k : "N") : std::to_string(r.g);
      key += '\x1f';
    }
    partitions[key].push_back(i);
  }
  std::vector<std::string> out;
  for (auto& [key, members] : partitions) {
    std::stable_sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      for (const SortSpec& s : c.sort) {
        const int r = cmp_column(rows[a], rows[b], s.column, s.descending, s.nulls_first);
        if (r) return r < 0;
      }
      for (int col = 0; col < 4; ++col) {  // then every output column, ascending, NULLs last
        const int r = cmp_column(rows[a], rows[b], col, false, false);
        if (r) return r < 0;
      }
      return false;  // then arrival: stable
    });
    for (size_t i = 0; i < members.size() && static_cast<int64_t>(i) < c.n; ++i) {
      out.push_back(
          render(rows[members[i]], c.numbered ? std::optional<int64_t>(i + 1) : std::nullopt));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Step {
  std::vector<Row> rows;
  int64_t watermark = kNoWatermark;
};

std::vector<Step> random_steps(std::mt19937_64& rng) {
  std::vector<Step> steps(5 + rng() % 30);
  int64_t watermark = -1;
  const char* keys[] = {"a", "b", "c"};
  for (Step& s : steps) {
    const size_t rows = rng() % 12;
    for (size_t i = 0; i < rows; ++i) {
      Row r;
      if (rng() % 5) r.k = keys[rng() % 3];
      r.g = static_cast<int64_t>(rng() % 8);
      if (rng() % 5) r.v = static_cast<int64_t>(rng() % 6);
      if (rng() % 5) r.x = static_cast<double>(rng() % 4) * 0.5;
      s.rows.push_back(r);
    }
    if (rng() % 4 == 0) {
      watermark += static_cast<int64_t>(rng() % 3);
      s.watermark = watermark;
    }
  }
  return steps;
}

void run_case(uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Case c = random_case(rng);
  SCOPED_TRACE("seed " + std::to_string(seed) + ": " + c.sql);
  const std::vector<Step> steps = random_steps(rng);
  const size_t cut = rng() % (steps.size() + 1);  // restore before step `cut`
  const size_t capture_at = rng() % (cut + 1);    // capture before step `capture_at`

  auto op = make(c);
  ASSERT_TRUE(op);
  std::vector<Row> accepted;  // what the reference keeps: passing WHERE, not late
  int64_t late = 0;
  std::multiset<std::string> held;
  std::vector<std::vector<RecordBatch>> outputs;
  int64_t watermark = kNoWatermark;
  CaptureCheck capture;
  for (size_t i = 0; i <= steps.size(); ++i) {
    if (i == capture_at) capture.take(*op);
    if (i == steps.size()) break;
    const Step& s = steps[i];
    for (const Row& r : s.rows) {
      if (c.where && r.v && *r.v <= 1) continue;
      if (c.window && r.g <= watermark) {
        ++late;
        continue;
      }
      accepted.push_back(r);
    }
    std::vector<RecordBatch> out;
    ASSERT_TRUE(feed_step(*op, to_batch(s.rows), s.watermark, watermark, out));
    apply_changes(out, held);
    outputs.push_back(std::move(out));
  }
  EXPECT_EQ(std::vector<std::string>(held.begin(), held.end()), reference_top(c, accepted));
  EXPECT_EQ(op->stats().late_rows_dropped, late);
  if (c.window) {
    // Every partition the watermark passed is gone.
    std::set<std::string> open;
    for (const Row& r : accepted) {
      if (r.g > watermark) open.insert((r.k ? "s" + *r.k : "N") + std::to_string(r.g));
    }
    if (c.partition.size() == 1) {
      std::set<int64_t> gs;
      for (const Row& r : accepted) {
        if (r.g > watermark) gs.insert(r.g);
      }
      EXPECT_EQ(op->partitions(), static_cast<int64_t>(gs.size()));
    } else {
      EXPECT_EQ(op->partitions(), static_cast<int64_t>(open.size()));
    }
  }

  // The image, written after the operator went on, holds the state at the capture.
  capture.expect_unchanged("captured before step " + std::to_string(capture_at));

  // Restored before step `cut`, the operator emits exactly what it emitted without stopping.
  auto first = make(c);
  watermark = kNoWatermark;
  for (size_t i = 0; i < cut; ++i) {
    std::vector<RecordBatch> out;
    ASSERT_TRUE(feed_step(*first, to_batch(steps[i].rows), steps[i].watermark, watermark, out));
  }
  auto restored = restored_from_image(*first, [&] { return make(c); });
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->state_stats().groups, first->state_stats().groups);
  EXPECT_EQ(restored->partitions(), first->partitions());
  for (size_t i = cut; i < steps.size(); ++i) {
    std::vector<RecordBatch> out;
    ASSERT_TRUE(feed_step(*restored, to_batch(steps[i].rows), steps[i].watermark, watermark, out));
    ASSERT_EQ(batches_text(out), batches_text(outputs[i]))
        << "step " << i << " after a restore before " << cut;
  }
}

TEST(TopNDifferential, RandomTopNMatchesTheReferenceAndRestoresExactly) {
  for (uint64_t seed = 1; seed <= 2000; ++seed) {
    run_case(seed);
    if (HasFailure()) break;  // the first failing seed is the one to read
  }
}

}  // namespace
}  // namespace sluice::dataflow
