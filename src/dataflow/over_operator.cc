#include "dataflow/over_operator.h"

#include <algorithm>

#include "columnar/decimal.h"
#include "dataflow/project_operator.h"
#include "dataflow/value_order.h"
#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"
#include "sql/expr_eval.h"
#include "sql/join_change_column.h"

namespace sluice::dataflow {
namespace {

std::vector<OrderedColumn> row_columns(const sql::BoundQuery& q) {
  const sql::BoundOver& over = *q.over;
  std::vector<OrderedColumn> columns;
  for (const sql::TopNSortKey& k : over.sort_keys) {
    columns.push_back(OrderedColumn{k.expr->type, k.descending, k.nulls_first});
  }
  std::vector<bool> is_call(q.projection.size(), false);
  for (const sql::OverCall& c : over.calls) is_call[static_cast<size_t>(c.column)] = true;
  for (size_t i = 0; i < q.projection.size(); ++i) {
    if (!is_call[i]) columns.push_back(OrderedColumn{q.projection[i]->type, false, false});
  }
  for (const sql::OverCall& c : over.calls) {
    if (c.arg) columns.push_back(OrderedColumn{c.arg->type, false, false});
  }
  return columns;
}

Status damaged(const std::string& what) {
  return Status(ErrorCode::kDataCorrupt, "OVER frame state is damaged: " + what);
}

// The state's format: 2 since the compact layout. Before it the state began with the watermark
// (no format byte) and kept its rows in maps.
constexpr uint8_t kFormat = 2;

// The state at a capture: the watermark and a copy of OverPartitions sharing its chunks and
// arena blocks with the live one.
class OverImage final : public StateImage {
 public:
  OverImage(int64_t watermark, OverPartitions::Frozen state)
      : watermark_(watermark), state_(std::move(state)) {}
  void write(StateWriter& w) const override {
    w.u8(kFormat);
    w.i64(watermark_);
    state_.write(w);
  }

 private:
  const int64_t watermark_;
  const OverPartitions::Frozen state_;
};

}  // namespace

OverOperator::OverOperator(std::shared_ptr<const sql::BoundQuery> query)
    : query_(std::move(query)), over_(*query_->over), codec_(row_columns(*query_)) {
  changes_ = query_->emit == sql::EmitMode::kChanges;
  call_at_.assign(query_->projection.size(), -1);
  for (size_t c = 0; c < over_.calls.size(); ++c) {
    call_at_[static_cast<size_t>(over_.calls[c].column)] = static_cast<int>(c);
  }
  for (size_t i = 0; i < query_->projection.size(); ++i) {
    if (call_at_[i] < 0) value_items_.push_back(static_cast<int>(i));
  }
  first_value_ = over_.sort_keys.size();
  int next = static_cast<int>(first_value_ + value_items_.size());
  for (const sql::OverCall& c : over_.calls) {
    arg_of_.push_back(c.arg ? next++ : -1);
    running_.emplace_back().on = c.arg != nullptr && runs(c);
  }
}

Status OverOperator::process(const RecordBatch& input, std::vector<RecordBatch>& out) {
  SLC_ASSIGN_OR_RETURN(RecordBatch rows, filter_batch(query_->where, input, selection_));
  const int64_t n = rows.num_rows();
  if (n == 0) return Status::Ok();
  std::vector<Column> keys, values;  // values: in the codec's order
  for (const sql::BoundExprPtr& e : over_.partition_keys) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*e, rows));
    keys.push_back(std::move(c));
  }
  for (const sql::TopNSortKey& k : over_.sort_keys) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*k.expr, rows));
    values.push_back(std::move(c));
  }
  for (const int i : value_items_) {
    SLC_ASSIGN_OR_RETURN(Column c,
                         sql::evaluate_column(*query_->projection[static_cast<size_t>(i)], rows));
    values.push_back(std::move(c));
  }
  for (const sql::OverCall& call : over_.calls) {
    if (!call.arg) continue;
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*call.arg, rows));
    values.push_back(std::move(c));
  }
  const Column* op = over_.change_column >= 0 ? &rows.column(over_.change_column) : nullptr;
  for (int64_t r = 0; r < n; ++r) {
    key_writer_.clear();
    for (const Column& k : keys) key_writer_.value(Value::from_column(k, r));
    row_scratch_.clear();
    for (size_t c = 0; c < values.size(); ++c) {
      codec_.append(c, Value::from_column(values[c], r), row_scratch_);
    }
    if (over_.on_watermark) {
      const Column& time = values[0];
      if (time.is_null(r) || time.int64_value(r) < watermark_) {
        ++stats_.late_rows_dropped;
        continue;
      }
      partitions_.wait(key_writer_.bytes(), row_scratch_);
      continue;
    }
    const bool insert = op == nullptr || !sql::is_delete_row(*op, r);
    Status s = change(key_writer_.bytes(), row_scratch_, insert);
    if (!s.ok()) return flush_output(s, out);
  }
  partitions_.maybe_compact();
  return flush_output(Status::Ok(), out);
}

Status OverOperator::change(std::string_view key, std::string_view row, bool insert) {
  const auto n = static_cast<size_t>(over_.max_preceding);
  const uint32_t p = insert ? partitions_.get(key) : partitions_.find(key);
  // A delete of a row not held cannot come from an input that emits its changes in order;
  // there is no output of it to take back: counted.
  if (!insert && (p == OverPartitions::kNone || partitions_.copies(p, row) == 0)) {
    ++stats_.unmatched_deletes;
    return Status::Ok();
  }
  partitions_.around(p, row, insert ? 0 : 1, n, around_);
  SLC_RETURN_IF_ERROR(load(around_, row));
  // The rows after the place, over their frames without the row (old outputs when it is
  // inserted, new ones when deleted), and the row with them over frames that hold it.
  const size_t from = around_.before.size();
  SLC_RETURN_IF_ERROR(emit_from(insert ? without_ : with_, from, false));
  SLC_RETURN_IF_ERROR(emit_from(insert ? with_ : without_, from, true));
  if (insert) {
    partitions_.add(p, row);
  } else {
    partitions_.remove(p, row);
  }
  return Status::Ok();
}

Status OverOperator::load(const OverPartitions::Around& around, std::string_view middle) {
  const size_t size = around.before.size() + 1 + around.after.size();
  if (seq_.size() < size) seq_.resize(size);
  with_.clear();
  without_.clear();
  size_t i = 0;
  for (const std::string_view r : around.before) {
    without_.push_back(static_cast<uint32_t>(i));
    with_.push_back(static_cast<uint32_t>(i));
    SLC_RETURN_IF_ERROR(codec_.decode(r, seq_[i++]));
  }
  with_.push_back(static_cast<uint32_t>(i));
  SLC_RETURN_IF_ERROR(codec_.decode(middle, seq_[i++]));
  for (const std::string_view r : around.after) {
    without_.push_back(static_cast<uint32_t>(i));
    with_.push_back(static_cast<uint32_t>(i));
    SLC_RETURN_IF_ERROR(codec_.decode(r, seq_[i++]));
  }
  return Status::Ok();
}

Status OverOperator::emit_from(const std::vector<uint32_t>& order, size_t from, bool insert) {
  if (from >= order.size()) return Status::Ok();
  prepare_running(order);
  for (size_t i = from; i < order.size(); ++i) {
    const std::vector<Value>& row = seq_[order[i]];
    size_t v = first_value_;
    for (size_t col = 0; col < call_at_.size(); ++col) {
      const int c = call_at_[col];
      if (c < 0) {
        out_values_.push_back(row[v++]);
        continue;
      }
      const auto back = static_cast<size_t>(over_.calls[static_cast<size_t>(c)].preceding);
      const size_t lo = i >= back ? i - back : 0;
      const Running& run = running_[static_cast<size_t>(c)];
      if (run.on) {
        // A running total: the frame's count and sum as two differences, exact for integers.
        SLC_ASSIGN_OR_RETURN(Value value,
                             frame_result(static_cast<size_t>(c), run.count[i + 1] - run.count[lo],
                                          nullptr, 0, run.sum[i + 1] - run.sum[lo]));
        out_values_.push_back(std::move(value));
        continue;
      }
      SLC_ASSIGN_OR_RETURN(Value value, frame_value(static_cast<size_t>(c), order, lo, i));
      out_values_.push_back(std::move(value));
    }
    out_inserts_.push_back(insert);
  }
  return Status::Ok();
}

bool OverOperator::runs(const sql::OverCall& call) {
  // COUNT of any type; SUM and AVG of integers, whose sums are exact in any order (a double's
  // depends on the order of its additions; a decimal's overflow on its partial sums).
  switch (call.kind) {
    case sql::AggKind::kCount:
      return true;
    case sql::AggKind::kSum:
    case sql::AggKind::kAvg:
      return call.arg->type != DataType::kDouble && call.arg->type != DataType::kDecimal;
    default:
      return false;
  }
}

void OverOperator::prepare_running(const std::vector<uint32_t>& order) {
  for (size_t c = 0; c < over_.calls.size(); ++c) {
    Running& run = running_[c];
    if (!run.on) continue;
    const auto arg = static_cast<size_t>(arg_of_[c]);
    run.count.resize(order.size() + 1);
    run.sum.resize(order.size() + 1);
    run.count[0] = 0;
    run.sum[0] = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      const Value& v = seq_[order[i]][arg];
      run.count[i + 1] = run.count[i] + (v.null ? 0 : 1);
      run.sum[i + 1] = run.sum[i] + (v.null ? 0 : v.i);  // at most 2 × 1001 64-bit values
    }
  }
}

Result<Value> OverOperator::frame_value(size_t c, const std::vector<uint32_t>& order, size_t lo,
                                        size_t hi) const {
  const sql::OverCall& call = over_.calls[c];
  if (call.kind == sql::AggKind::kCountStar) return Value::Int64(static_cast<int64_t>(hi - lo + 1));
  const auto arg = static_cast<size_t>(arg_of_[c]);
  const DataType type = call.arg->type;
  int64_t count = 0;
  const Value* best = nullptr;  // MIN, MAX
  double dsum = 0;
  __int128 isum = 0;
  for (size_t i = lo; i <= hi; ++i) {
    const Value& v = seq_[order[i]][arg];
    if (v.null) continue;
    ++count;
    switch (call.kind) {
      case sql::AggKind::kMin:
      case sql::AggKind::kMax: {
        const int cmp = best == nullptr ? 0 : compare_values(v, *best);
        if (best == nullptr || (call.kind == sql::AggKind::kMin ? cmp < 0 : cmp > 0)) best = &v;
        break;
      }
      case sql::AggKind::kSum:
      case sql::AggKind::kAvg:
        if (type == DataType::kDouble) {
          dsum += v.d;
        } else if (type == DataType::kDecimal) {
          if (__builtin_add_overflow(isum, v.dec, &isum) ||
              !decimal::fits(isum, DataType::kMaxDecimalPrecision)) {
            return decimal::overflow(call.sql, call.result_type);
          }
        } else {
          isum += v.i;  // at most kMaxRowsPreceding + 1 64-bit values: no overflow
        }
        break;
      default:
        break;
    }
  }
  return frame_result(c, count, best, dsum, isum);
}

Result<Value> OverOperator::frame_result(size_t c, int64_t count, const Value* best, double dsum,
                                         __int128 isum) const {
  const sql::OverCall& call = over_.calls[c];
  const DataType type = call.arg->type;
  switch (call.kind) {
    case sql::AggKind::kCount:
      return Value::Int64(count);
    case sql::AggKind::kMin:
    case sql::AggKind::kMax:
      return best == nullptr ? Value::Null(call.result_type) : *best;
    default:
      break;
  }
  if (count == 0) return Value::Null(call.result_type);
  const bool avg = call.kind == sql::AggKind::kAvg;
  if (type == DataType::kDouble)
    return Value::Double(avg ? dsum / static_cast<double>(count) : dsum);
  if (type == DataType::kDecimal) {
    if (!avg) return Value::Decimal(isum, call.result_type);
    // sum / count at the result's scale: the quotient shifted, the remainder's share rounded
    // (as a GROUP BY's AVG, agg_columns.cc).
    const int shift = call.result_type.scale() - type.scale();
    const __int128 q = isum / count, r = isum % count;
    __int128 shifted = 0;
    if (__builtin_mul_overflow(q, decimal::pow10(shift), &shifted) ||
        !decimal::fits(shifted, DataType::kMaxDecimalPrecision)) {
      return decimal::overflow(call.sql, call.result_type);
    }
    return Value::Decimal(shifted + decimal::divide_rounded(r * decimal::pow10(shift), count),
                          call.result_type);
  }
  if (avg) return Value::Double(static_cast<double>(isum) / static_cast<double>(count));
  if (isum > INT64_MAX || isum < INT64_MIN) return decimal::overflow(call.sql, DataType::kInt64);
  return Value::Int64(static_cast<int64_t>(isum));
}

Status OverOperator::release(int64_t watermark) {
  // In the frame's order (a row's bytes begin with its time); equal rows by partition.
  SLC_RETURN_IF_ERROR(partitions_.release(watermark, codec_, released_));
  const auto n = static_cast<size_t>(over_.max_preceding);
  for (size_t i = 0; i < released_.rows.size(); ++i) {
    const std::string_view row = released_.row(i);
    const uint32_t p = partitions_.get(released_.partition(i));
    // Every row kept is before this one: their times are behind an earlier watermark.
    partitions_.around(p, row, 0, n, around_);
    SLC_RETURN_IF_ERROR(load(around_, row));
    SLC_RETURN_IF_ERROR(emit_from(with_, around_.before.size(), true));
    partitions_.add(p, row);
    partitions_.keep_last(p, over_.max_preceding);
  }
  partitions_.maybe_compact();
  return Status::Ok();
}

Status OverOperator::on_watermark(int64_t watermark, std::vector<RecordBatch>& out) {
  watermark_ = watermark;
  if (!over_.on_watermark) return Status::Ok();
  return flush_output(release(watermark), out);
}

Status OverOperator::flush_output(Status status, std::vector<RecordBatch>& out) {
  if (!status.ok()) {
    out_values_.clear();
    out_inserts_.clear();
    return status;
  }
  if (!out_inserts_.empty()) {
    SLC_ASSIGN_OR_RETURN(RecordBatch batch, finish_output());
    out.push_back(std::move(batch));
  }
  return Status::Ok();
}

Result<RecordBatch> OverOperator::finish_output() {
  const SchemaPtr& schema = query_->output_schema;
  BatchBuilder builder(schema);
  const size_t width = call_at_.size();
  builder.reserve(static_cast<int64_t>(out_inserts_.size()));
  for (size_t i = 0; i < out_inserts_.size(); ++i) {
    for (size_t c = 0; c < width; ++c) {
      append_value(builder.column(static_cast<int>(c)), out_values_[i * width + c]);
    }
    if (changes_) {
      builder.column(static_cast<int>(width)).append_string(out_inserts_[i] ? "insert" : "delete");
    }
  }
  out_values_.clear();
  out_inserts_.clear();
  return builder.finish();
}

std::unique_ptr<StateImage> OverOperator::capture() const {
  return std::make_unique<OverImage>(watermark_, partitions_.capture());
}

void OverOperator::snapshot(StateWriter& writer) const {
  capture()->write(writer);
}

Status OverOperator::restore(StateReader& reader) {
  uint8_t format = 0;
  int64_t watermark = 0;
  SLC_RETURN_IF_ERROR(reader.u8(format));
  if (format != kFormat) {
    return damaged("format " + std::to_string(format) +
                   " is not 2 (a checkpoint from a sluice before the compact OVER frame state "
                   "cannot be restored by this one)");
  }
  SLC_RETURN_IF_ERROR(reader.i64(watermark));
  SLC_RETURN_IF_ERROR(partitions_.read(reader, codec_));
  if (partitions_.waiting() > 0 && !over_.on_watermark) {
    partitions_ = OverPartitions();
    return damaged("rows waiting for a watermark in a frame that does not wait for one");
  }
  if (!reader.done()) {
    partitions_ = OverPartitions();
    return damaged("bytes after its end");
  }
  watermark_ = watermark;
  return Status::Ok();
}

StateStats OverOperator::state_stats() const {
  StateStats s;
  s.groups = partitions_.rows() + partitions_.waiting();
  s.bytes = partitions_.bytes();
  return s;
}

std::string OverOperator::describe() const {
  std::string out;
  if (query_->where) out += "filter " + query_->where->sql.str() + " → ";
  out += over_.sql + (over_.on_watermark ? " on the watermark (a partition keeps its last " +
                                               std::to_string(over_.max_preceding) + " rows)"
                                         : " as changes (every row kept)");
  return out + " → " + describe_projection(*query_);
}

}  // namespace sluice::dataflow
