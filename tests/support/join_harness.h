#pragma once
// Drives a JoinOperator (dataflow/join_operator.h) the way a join node does, for the join
// operators' tests: each side's rows become batches of random sizes, cut before a row behind
// its side's watermark as a source cuts them (so every row sees the watermark of the rows
// before it), each batch followed by its side's watermark (the newest time so far minus a
// delay); the two sides' batches interleave at random; both sides end with the final
// watermark. A run may capture the state at a random point, write it, and go on in a new
// operator restored from it. Rows of both sides have the columns
//   k BIGINT, ts TIMESTAMP, v BIGINT, name VARCHAR [, _op VARCHAR when the side updates].
// The output is compared as a multiset of text lines (one per row, `_op` left out) or, for a
// changelog, as what it adds up to.
//
// Thread: the test's.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dataflow/join_operator.h"
#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"
#include "sluice/record_batch.h"
#include "sql/bound_expr.h"
#include "sql/bound_plan.h"

namespace sluice::dataflow::join_harness {

// One input row: k, ts, v, name; `del` for a delete of an updating input.
struct Row {
  std::vector<Value> values;
  bool del = false;
};

inline SchemaPtr side_schema(bool updating) {
  std::vector<Field> f = {{"k", DataType::kInt64, true},
                          {"ts", DataType::kTimestamp, true},
                          {"v", DataType::kInt64, true},
                          {"name", DataType::kVarchar, true}};
  if (updating) f.push_back({"_op", DataType::kVarchar, false});
  return make_schema(std::move(f));
}

inline SchemaPtr output_schema(bool with_op) {
  std::vector<Field> f = {{"k", DataType::kInt64, true},   {"ts", DataType::kTimestamp, true},
                          {"v", DataType::kInt64, true},   {"name", DataType::kVarchar, true},
                          {"k_2", DataType::kInt64, true}, {"ts_2", DataType::kTimestamp, true},
                          {"v_2", DataType::kInt64, true}, {"name_2", DataType::kVarchar, true}};
  if (with_op) f.push_back({"_op", DataType::kVarchar, false});
  return make_schema(std::move(f));
}

// Which equi-join keys a test uses.
enum class Keys { kColumn, kComputed, kTwo };

// A BoundJoin over side_schema()s: keys per `keys` (k = k; lower(name) = lower(name); both),
// and with `residual`, ON's rest: left.v <= right.v.
inline std::shared_ptr<sql::BoundJoin> make_join(sql::JoinKind kind, sql::JoinType type, Keys keys,
                                                 bool residual, bool left_updating = false,
                                                 bool right_updating = false,
                                                 bool with_op = false) {
  auto j = std::make_shared<sql::BoundJoin>();
  j->kind = kind;
  j->type = type;
  j->left_updating = left_updating;
  j->right_updating = right_updating;
  j->left_schema = side_schema(left_updating);
  j->right_schema = side_schema(right_updating);
  j->output_schema = output_schema(with_op);
  auto lower_name = [] {
    return sql::make_call(sql::Fn::kLower, DataType::kVarchar,
                          {sql::make_column(3, DataType::kVarchar, "name")},
                          sql::SqlText("lower(name)"));
  };
  if (keys == Keys::kColumn || keys == Keys::kTwo) {
    j->left_keys.push_back(sql::make_column(0, DataType::kInt64, "k"));
    j->right_keys.push_back(sql::make_column(0, DataType::kInt64, "k"));
  }
  if (keys == Keys::kComputed || keys == Keys::kTwo) {
    j->left_keys.push_back(lower_name());
    j->right_keys.push_back(lower_name());
  }
  if (residual) {
    j->residual = sql::make_call(
        sql::Fn::kLe, DataType::kBoolean,
        {sql::make_column(2, DataType::kInt64, "v"), sql::make_column(6, DataType::kInt64, "v_2")},
        sql::SqlText("v <= v_2"));
  }
  j->left_time = 1;
  j->right_time = 1;
  j->sql = "test join";
  return j;
}

inline std::string line_of(const std::vector<Value>& values) {
  std::string line;
  for (const Value& v : values) line += v.to_string() + "|";
  return line;
}

inline Value null_of(DataType t) {
  return Value::Null(t);
}

// NULL-padded right half.
inline std::vector<Value> nulls() {
  return {null_of(DataType::kInt64), null_of(DataType::kTimestamp), null_of(DataType::kInt64),
          null_of(DataType::kVarchar)};
}

inline std::vector<Value> joined(const std::vector<Value>& l, const std::vector<Value>& r) {
  std::vector<Value> out = l;
  out.insert(out.end(), r.begin(), r.end());
  return out;
}

// Key equality as `keys` says (NULL never matches).
inline bool keys_match(Keys keys, const std::vector<Value>& l, const std::vector<Value>& r) {
  if (keys == Keys::kColumn || keys == Keys::kTwo) {
    if (l[0].null || r[0].null || l[0].i != r[0].i) return false;
  }
  if (keys == Keys::kComputed || keys == Keys::kTwo) {
    if (l[3].null || r[3].null || l[3].s.size() != r[3].s.size()) return false;
    for (size_t c = 0; c < l[3].s.size(); ++c) {
      if (std::tolower(static_cast<unsigned char>(l[3].s[c])) !=
          std::tolower(static_cast<unsigned char>(r[3].s[c]))) {
        return false;
      }
    }
  }
  return true;
}

inline int64_t int_of(const Value& v) {
  return v.i;
}

// left.v <= right.v, NULL as not TRUE.
inline bool residual_holds(const std::vector<Value>& l, const std::vector<Value>& r) {
  if (l[2].null || r[2].null) return false;
  return int_of(l[2]) <= int_of(r[2]);
}

// Random rows of one side: keys in [0, keys), some NULL; times moving forward with some
// disorder (`late` of them well behind); names of both cases, some long, some NULL.
inline std::vector<Row> random_rows(std::mt19937_64& rng, int n, int keys, int64_t step,
                                    int64_t disorder, int64_t late_every, int64_t grain = 1) {
  static const char* kNames[] = {
      "alpha", "Alpha", "BETA", "beta", "a much longer name here", "A MUCH LONGER NAME HERE", "g"};
  std::vector<Row> rows;
  int64_t now = 1'000'000;
  for (int i = 0; i < n; ++i) {
    now += static_cast<int64_t>(rng() % static_cast<uint64_t>(step + 1));
    int64_t ts = now - static_cast<int64_t>(rng() % static_cast<uint64_t>(disorder + 1));
    if (late_every > 0 && rng() % static_cast<uint64_t>(late_every) == 0) ts -= 20 * disorder + 100;
    ts -= ((ts % grain) + grain) % grain;  // window bounds are multiples of the grain
    Row r;
    r.values.push_back(rng() % 17 == 0 ? null_of(DataType::kInt64)
                                       : Value::Int64(static_cast<int64_t>(rng() % keys)));
    r.values.push_back(rng() % 97 == 0 ? null_of(DataType::kTimestamp) : Value::Timestamp(ts));
    r.values.push_back(rng() % 13 == 0 ? null_of(DataType::kInt64)
                                       : Value::Int64(static_cast<int64_t>(rng() % 10)));
    r.values.push_back(rng() % 19 == 0 ? null_of(DataType::kVarchar)
                                       : Value::Varchar(kNames[rng() % 7]));
    rows.push_back(std::move(r));
  }
  return rows;
}

// One side's input: batches and the watermark after each; and which rows were behind the
// watermark of the rows before them (late by `shift`: t + shift < watermark).
struct SideInput {
  std::vector<RecordBatch> batches;
  std::vector<int64_t> watermarks;
  std::vector<bool> late;
};

inline SideInput make_input(std::mt19937_64& rng, const std::vector<Row>& rows, bool updating,
                            int64_t delay, int64_t shift, int max_batch) {
  SideInput in;
  const SchemaPtr schema = side_schema(updating);
  BatchBuilder b(schema);
  int64_t newest = INT64_MIN;
  int64_t watermark = kNoWatermark;
  int64_t target = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(max_batch));
  auto cut = [&] {
    if (b.num_rows() == 0) return;
    in.batches.push_back(b.finish());
    in.watermarks.push_back(watermark);
    target = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(max_batch));
  };
  for (const Row& r : rows) {
    const bool has_time = !r.values[1].null;
    const int64_t t = has_time ? r.values[1].i : 0;
    // A row the watermark has passed starts a batch, as a source cuts it (shift >= -1).
    if (has_time && watermark != kNoWatermark && t <= watermark) cut();
    in.late.push_back(!has_time ||
                      (watermark != kNoWatermark && static_cast<__int128>(t) + shift < watermark));
    for (int c = 0; c < 4; ++c) append_value(b.column(c), r.values[static_cast<size_t>(c)]);
    if (updating) b.column(4).append_string(r.del ? "delete" : "insert");
    if (has_time && t > newest) {
      newest = t;
      watermark = std::max(watermark, newest - delay);
    }
    if (b.num_rows() >= target) cut();
  }
  cut();
  return in;
}

// The output lines (without `_op`), each with +1 for an insert and -1 for a delete.
struct Output {
  std::map<std::string, int64_t> net;  // what the changes add up to
  std::vector<std::string> lines;      // every row as emitted, `_op` left out
  void add(const RecordBatch& b) {
    const int width = 8;
    const bool with_op = b.num_columns() > width;
    for (int64_t r = 0; r < b.num_rows(); ++r) {
      std::vector<Value> v;
      for (int c = 0; c < width; ++c) v.push_back(Value::from_column(b.column(c), r));
      const std::string line = line_of(v);
      lines.push_back(line);
      const bool del = with_op && b.column(width).string_value(r) == "delete";
      net[line] += del ? -1 : 1;
    }
  }
  std::vector<std::string> sorted() const {
    std::vector<std::string> s = lines;
    std::sort(s.begin(), s.end());
    return s;
  }
  // The net rows as a sorted multiset (a negative count is kept visible as "-line").
  std::vector<std::string> net_rows() const {
    std::vector<std::string> s;
    for (const auto& [line, n] : net) {
      for (int64_t i = 0; i < n; ++i) s.push_back(line);
      for (int64_t i = 0; i > n; --i) s.push_back("-" + line);
    }
    return s;
  }
};

inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Runs `join` over both inputs in a random interleaving; when `cut` >= 0, the state is
// captured after that many steps, written, and restored into a new operator that goes on.
// Returns the output, or a failure.
inline Result<Output> run(const std::shared_ptr<sql::BoundJoin>& join, const SideInput& left,
                          const SideInput& right, std::mt19937_64& rng, int64_t cut = -1) {
  SLC_ASSIGN_OR_RETURN(std::unique_ptr<JoinOperator> op, make_join_operator(join));
  Output output;
  std::vector<RecordBatch> out;
  size_t next[2] = {0, 0};
  const SideInput* inputs[2] = {&left, &right};
  int64_t step = 0;
  auto maybe_cut = [&]() -> Status {
    if (step++ != cut) return Status::Ok();
    const std::unique_ptr<StateImage> image = op->capture();
    StateWriter w;
    image->write(w);
    SLC_ASSIGN_OR_RETURN(op, make_join_operator(join));
    StateReader r(w.bytes());
    return op->restore(r);
  };
  while (next[0] < left.batches.size() || next[1] < right.batches.size()) {
    int side = static_cast<int>(rng() % 2);
    if (next[side] >= inputs[side]->batches.size()) side = 1 - side;
    const size_t i = next[side]++;
    SLC_RETURN_IF_ERROR(op->process(side, inputs[side]->batches[i], out));
    SLC_RETURN_IF_ERROR(maybe_cut());
    SLC_RETURN_IF_ERROR(op->on_watermark(side, inputs[side]->watermarks[i], out));
    SLC_RETURN_IF_ERROR(maybe_cut());
  }
  const int first = static_cast<int>(rng() % 2);
  SLC_RETURN_IF_ERROR(op->on_watermark(first, kFinalWatermark, out));
  SLC_RETURN_IF_ERROR(maybe_cut());
  SLC_RETURN_IF_ERROR(op->on_watermark(1 - first, kFinalWatermark, out));
  for (const RecordBatch& b : out) output.add(b);
  return output;
}

}  // namespace sluice::dataflow::join_harness
