// The OVER-frame operator against a reference that recomputes every partition from its current
// multiset of rows. Random queries (no partition, or by k or g; ORDER BY v or k, either
// direction, NULLs first or last; one to three of COUNT(*), COUNT(v), SUM(v), AVG(v), MIN(k),
// MAX(v), each over 0 to 3 or 12 preceding rows; a WHERE or not) over random batches of inserts and
// deletes (`_op`, of rows held) with NULLs, ties and duplicates. Applying the emitted changes
// must leave exactly the reference's output. Each case also restores a snapshot at a random
// point, which must then emit exactly what the uninterrupted operator emits; and one case runs
// on the watermark (append-only), checked the same way against the reference at the end.
//
// Seeded and bounded: a fixed number of cases, each a few dozen small batches.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dataflow/over_operator.h"
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
  bool operator==(const Row&) const = default;
};

SchemaPtr input_schema(bool watermark) {
  if (watermark) {
    return make_schema({{"k", DataType::kVarchar},
                        {"g", DataType::kInt64},
                        {"v", DataType::kInt64},
                        {"ts", DataType::kTimestamp, false}});
  }
  return make_schema({{"k", DataType::kVarchar},
                      {"g", DataType::kInt64},
                      {"v", DataType::kInt64},
                      {"_op", DataType::kVarchar, false}});
}

struct Change {
  Row row;
  bool insert = true;
};

RecordBatch to_batch(const std::vector<Change>& rows, bool watermark) {
  BatchBuilder b(input_schema(watermark));
  for (const Change& c : rows) {
    const Row& r = c.row;
    r.k ? b.column(0).append_string(*r.k) : b.column(0).append_null();
    b.column(1).append_int64(r.g);
    r.v ? b.column(2).append_int64(*r.v) : b.column(2).append_null();
    if (watermark) {
      b.column(3).append_int64(r.g);  // the row's time: g µs
    } else {
      b.column(3).append_string(c.insert ? "insert" : "delete");
    }
  }
  return b.finish();
}

enum class Fn { kCountStar, kCount, kSum, kAvg, kMin, kMax };
struct Call {
  Fn fn;
  int64_t preceding;
};

struct Case {
  int partition = -1;  // -1 none, 0 k, 1 g
  int order = 2;       // 0 k, 2 v; 3 ts (the time, equal to g) on the watermark
  bool descending = false;
  bool nulls_first = false;
  std::vector<Call> calls;
  bool where = false;  // v IS NULL OR v > 1
  bool watermark = false;
  std::string sql;
};

const char* const kNames[] = {"k", "g", "v", "ts"};

Case random_case(std::mt19937_64& rng, bool watermark) {
  Case c;
  c.watermark = watermark;
  c.partition = static_cast<int>(rng() % 3) - 1;
  if (watermark) {
    c.order = 3;
  } else {
    c.order = rng() % 2 ? 2 : 0;
    c.descending = rng() % 2;
  }
  const int nulls = static_cast<int>(rng() % 3);  // default, FIRST, LAST
  c.nulls_first = nulls == 0 ? c.descending : nulls == 1;
  const int calls = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < calls; ++i) {
    const auto fn = static_cast<Fn>(rng() % 6);
    // Mostly short frames (edges everywhere), some wider than a batch's run of one partition.
    const int64_t preceding = rng() % 5 == 0 ? 12 : static_cast<int64_t>(rng() % 4);
    c.calls.push_back(Call{fn, preceding});
  }
  c.where = rng() % 3 == 0;
  std::string window = "(";
  if (c.partition >= 0) window += std::string("PARTITION BY ") + kNames[c.partition] + " ";
  window += std::string("ORDER BY ") + kNames[c.order] + (c.descending ? " DESC" : " ASC");
  if (!watermark && nulls != 0) window += c.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  c.sql = "SELECT k, g, v";
  for (size_t i = 0; i < c.calls.size(); ++i) {
    static const char* const kFns[] = {"COUNT(*)", "COUNT(v)", "SUM(v)",
                                       "AVG(v)",   "MIN(k)",   "MAX(v)"};
    c.sql += std::string(", ") + kFns[static_cast<int>(c.calls[i].fn)] + " OVER " + window +
             " ROWS BETWEEN " + std::to_string(c.calls[i].preceding) +
             " PRECEDING AND CURRENT ROW) AS c" + std::to_string(i);
  }
  c.sql += " FROM t";
  if (c.where) c.sql += " WHERE v IS NULL OR v > 1";
  return c;
}

std::unique_ptr<OverOperator> make(const Case& c) {
  auto q = bind_over_source(c.sql, input_schema(c.watermark), c.watermark ? 3 : -1);
  if (!q) return nullptr;
  EXPECT_EQ(q->over->on_watermark, c.watermark) << c.sql;
  if (!c.watermark) {
    // The source stands for an updating input: its last column is the change column.
    q->over->change_column = 3;
  }
  return std::make_unique<OverOperator>(std::move(q));
}

// The frame's order: the ORDER BY key, then the selected values k, g, v (ascending, NULLs last).
bool before(const Case& c, const Row& a, const Row& b) {
  int r = 0;
  if (c.order == 0) r = compare_optional(a.k, b.k, c.descending, c.nulls_first);
  if (c.order == 3) r = (a.g > b.g) - (a.g < b.g);
  if (c.order == 2) r = compare_optional(a.v, b.v, c.descending, c.nulls_first);
  if (r == 0) r = compare_optional(a.k, b.k, false, false);
  if (r == 0) r = (a.g > b.g) - (a.g < b.g);
  if (r == 0) r = compare_optional(a.v, b.v, false, false);
  return r < 0;
}

// One output row as text (k|g|v|c0|…|, as row_text writes the operator's).
std::string reference_row(const Case& c, const std::vector<Row>& rows, size_t i) {
  const Row& r = rows[i];
  std::string out = (r.k ? *r.k : "NULL") + "|" + std::to_string(r.g) + "|" +
                    (r.v ? std::to_string(*r.v) : "NULL") + "|";
  for (const Call& call : c.calls) {
    const size_t lo = i >= static_cast<size_t>(call.preceding) ? i - call.preceding : 0;
    int64_t count = 0, rows_in = 0;
    __int128 sum = 0;
    std::optional<std::string> min_k;
    std::optional<int64_t> max_v;
    for (size_t j = lo; j <= i; ++j) {
      ++rows_in;
      if (rows[j].v) {
        ++count;
        sum += *rows[j].v;
        if (!max_v || *rows[j].v > *max_v) max_v = rows[j].v;
      }
      if (rows[j].k && (!min_k || *rows[j].k < *min_k)) min_k = rows[j].k;
    }
    Value v;
    switch (call.fn) {
      case Fn::kCountStar:
        v = Value::Int64(rows_in);
        break;
      case Fn::kCount:
        v = Value::Int64(count);
        break;
      case Fn::kSum:
        v = count ? Value::Int64(static_cast<int64_t>(sum)) : Value::Null(DataType::kInt64);
        break;
      case Fn::kAvg:
        v = count ? Value::Double(static_cast<double>(sum) / static_cast<double>(count))
                  : Value::Null(DataType::kDouble);
        break;
      case Fn::kMin:
        v = min_k ? Value::Varchar(*min_k) : Value::Null(DataType::kVarchar);
        break;
      case Fn::kMax:
        v = max_v ? Value::Int64(*max_v) : Value::Null(DataType::kInt64);
        break;
    }
    out += value_text(v) + "|";
  }
  return out;
}

// What the output holds for the rows held: each partition sorted and its frames computed.
std::multiset<std::string> reference(const Case& c, const std::vector<Row>& held) {
  std::map<std::string, std::vector<Row>> partitions;
  for (const Row& r : held) {
    if (c.where && r.v && *r.v <= 1) continue;
    std::string key;
    if (c.partition == 0) key = r.k ? "v" + *r.k : "NULL";
    if (c.partition == 1) key = std::to_string(r.g);
    partitions[key].push_back(r);
  }
  std::multiset<std::string> out;
  for (auto& [key, rows] : partitions) {
    std::stable_sort(rows.begin(), rows.end(),
                     [&](const Row& a, const Row& b) { return before(c, a, b); });
    for (size_t i = 0; i < rows.size(); ++i) out.insert(reference_row(c, rows, i));
  }
  return out;
}

Row random_row(std::mt19937_64& rng) {
  Row r;
  if (rng() % 8) r.k = std::string(1, static_cast<char>('a' + rng() % 3));
  r.g = static_cast<int64_t>(rng() % 3);
  if (rng() % 6) r.v = static_cast<int64_t>(rng() % 7) - 1;
  return r;
}

TEST(OverDifferential, UpdatingInputMatchesRecomputedPartitions) {
  std::mt19937_64 rng(20261130);
  for (int n = 0; n < 300; ++n) {
    const Case c = random_case(rng, false);
    SCOPED_TRACE(c.sql);
    auto op = make(c);
    ASSERT_NE(op, nullptr);
    std::vector<Row> held;
    std::multiset<std::string> applied;
    std::vector<std::vector<Change>> steps;
    const int batches = 5 + static_cast<int>(rng() % 20);
    for (int b = 0; b < batches; ++b) {
      std::vector<Change> batch;
      const int rows = 1 + static_cast<int>(rng() % 6);
      for (int i = 0; i < rows; ++i) {
        if (!held.empty() && rng() % 3 == 0) {
          const size_t at = rng() % held.size();
          batch.push_back(Change{held[at], false});
          held.erase(held.begin() + static_cast<std::ptrdiff_t>(at));
        } else {
          batch.push_back(Change{random_row(rng), true});
          held.push_back(batch.back().row);
        }
      }
      steps.push_back(batch);
    }
    // Uninterrupted, with a snapshot taken before step `cut`.
    const size_t cut = rng() % (steps.size() + 1);
    std::string image;
    std::vector<std::string> outputs;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (i == cut) {
        StateWriter w;
        op->snapshot(w);
        image = w.take();
      }
      std::vector<RecordBatch> out;
      ASSERT_TRUE(op->process(to_batch(steps[i], false), out).ok());
      apply_changes(out, applied);
      outputs.push_back(batches_text(out));
    }
    if (cut == steps.size()) {
      StateWriter w;
      op->snapshot(w);
      image = w.take();
    }
    ASSERT_EQ(applied, reference(c, held));
    // Restored at the cut, it goes on exactly as the uninterrupted one.
    auto restored = make(c);
    StateReader reader(image);
    ASSERT_TRUE(restored->restore(reader).ok());
    for (size_t i = cut; i < steps.size(); ++i) {
      std::vector<RecordBatch> out;
      ASSERT_TRUE(restored->process(to_batch(steps[i], false), out).ok());
      ASSERT_EQ(batches_text(out), outputs[i]) << "step " << i << " after a restore before " << cut;
    }
    EXPECT_EQ(restored->state_stats().groups, op->state_stats().groups);
    EXPECT_EQ(restored->state_stats().bytes, op->state_stats().bytes);
  }
}

// On the watermark: rows out of order within the watermark's delay, late rows dropped; the
// output is append-only and, at the end, the reference's; batches and a restore change nothing.
TEST(OverDifferential, OnWatermarkMatchesRecomputedPartitions) {
  std::mt19937_64 rng(7);
  for (int n = 0; n < 200; ++n) {
    const Case c = random_case(rng, true);
    SCOPED_TRACE(c.sql);
    auto op = make(c);
    ASSERT_NE(op, nullptr);
    std::vector<Row> kept;  // rows not late
    std::vector<std::vector<Change>> steps;
    std::vector<int64_t> watermarks;
    int64_t watermark = 0, late = 0, time = 10;  // no row late before the first watermark
    const int batches = 5 + static_cast<int>(rng() % 20);
    for (int b = 0; b < batches; ++b) {
      std::vector<Change> batch;
      const int rows = 1 + static_cast<int>(rng() % 6);
      for (int i = 0; i < rows; ++i) {
        Row r = random_row(rng);
        time += static_cast<int64_t>(rng() % 3);
        r.g = time - static_cast<int64_t>(rng() % 4);  // up to 3 µs out of order
        if (r.g < watermark) {
          if (!c.where || !r.v || *r.v > 1) ++late;  // WHERE comes first
        } else {
          kept.push_back(r);
        }
        batch.push_back(Change{r, true});
      }
      steps.push_back(batch);
      watermark = std::max(watermark, time - 2);
      watermarks.push_back(watermark);
    }
    const size_t cut = rng() % steps.size();
    std::string image;
    std::vector<std::string> outputs;
    std::multiset<std::string> applied;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (i == cut) {
        StateWriter w;
        op->snapshot(w);
        image = w.take();
      }
      std::vector<RecordBatch> out;
      ASSERT_TRUE(op->process(to_batch(steps[i], true), out).ok());
      ASSERT_TRUE(op->on_watermark(watermarks[i], out).ok());
      apply_changes(out, applied, false);
      outputs.push_back(batches_text(out));
    }
    std::vector<RecordBatch> last;
    ASSERT_TRUE(op->on_watermark(kFinalWatermark, last).ok());
    apply_changes(last, applied, false);
    EXPECT_EQ(op->stats().late_rows_dropped, late);
    ASSERT_EQ(applied, reference(c, kept));
    auto restored = make(c);
    StateReader reader(image);
    ASSERT_TRUE(restored->restore(reader).ok());
    for (size_t i = cut; i < steps.size(); ++i) {
      std::vector<RecordBatch> out;
      ASSERT_TRUE(restored->process(to_batch(steps[i], true), out).ok());
      ASSERT_TRUE(restored->on_watermark(watermarks[i], out).ok());
      ASSERT_EQ(batches_text(out), outputs[i]) << "step " << i << " after a restore before " << cut;
    }
  }
}

// A snapshot cut short anywhere or with a byte flipped anywhere: restore is an error
// (SLC-4001) or some state, never a crash.
TEST(OverDifferential, RestoreRefusesADamagedState) {
  std::mt19937_64 rng(99);
  for (const bool watermark : {false, true}) {
    const Case c = random_case(rng, watermark);
    SCOPED_TRACE(c.sql);
    auto op = make(c);
    ASSERT_NE(op, nullptr);
    std::vector<Change> rows;
    for (int i = 0; i < 12; ++i) {
      Row r = random_row(rng);
      r.g = 100 + i;
      rows.push_back(Change{r, true});
    }
    std::vector<RecordBatch> out;
    ASSERT_TRUE(op->process(to_batch(rows, watermark), out).ok());
    ASSERT_TRUE(op->on_watermark(105, out).ok());
    StateWriter w;
    op->snapshot(w);
    const std::string image = w.take();
    for (size_t len = 0; len < image.size(); ++len) {
      auto restored = make(c);
      StateReader r(std::string_view(image).substr(0, len));
      EXPECT_EQ(restored->restore(r).code(), ErrorCode::kDataCorrupt) << "cut at " << len;
    }
    for (size_t i = 0; i < image.size(); ++i) {
      std::string flipped = image;
      flipped[i] = static_cast<char>(flipped[i] ^ 0x21);
      auto restored = make(c);
      StateReader r(flipped);
      const Status s = restored->restore(r);
      EXPECT_TRUE(s.ok() || s.code() == ErrorCode::kDataCorrupt) << s.to_string();
    }
  }
}

}  // namespace
}  // namespace sluice::dataflow
