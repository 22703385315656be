#include "dataflow/aggregate_operator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "dataflow/project_operator.h"
#include "sluice/column_builder.h"

namespace sluice::dataflow {

using sql::AggKind;
using sql::AggregateCall;
using sql::Datum;
using sql::EmitMode;
using sql::WindowKind;

void append_key(std::string& out, const Column& column, int64_t row) {
  if (column.is_null(row)) {
    out.push_back('\0');
    return;
  }
  out.push_back('\1');
  switch (column.type()) {
    case DataType::kBoolean:
      out.push_back(column.bool_value(row) ? '\1' : '\0');
      break;
    case DataType::kInt32:
    case DataType::kDate: {
      const int32_t v = column.int32_value(row);
      out.append(reinterpret_cast<const char*>(&v), 4);
      break;
    }
    case DataType::kDecimal: {  // one type per column: equal values have equal units
      const __int128 v = column.decimal_value(row);
      out.append(reinterpret_cast<const char*>(&v), 16);
      break;
    }
    case DataType::kDouble: {
      double v = column.double_value(row);
      if (v == 0) v = 0;  // -0.0 and 0.0 are one group
      if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();  // one NaN
      out.append(reinterpret_cast<const char*>(&v), 8);
      break;
    }
    case DataType::kVarchar: {
      const std::string_view s = column.string_value(row);
      const auto n = static_cast<uint32_t>(s.size());
      out.append(reinterpret_cast<const char*>(&n), 4);
      out.append(s);
      break;
    }
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval: {
      const int64_t v = column.int64_value(row);
      out.append(reinterpret_cast<const char*>(&v), 8);
    }
  }
}

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Window bounds are event times plus or minus intervals. Near the ends of the int64 range of
// microseconds (about ±292,000 years from 1970) they cannot be represented: such a row is an
// error, as an integer overflow in an expression is, never a wrapped window.
Status window_out_of_range(int64_t ts) {
  return Status(ErrorCode::kOutOfRange, "event time " + std::to_string(ts) +
                                            " µs is out of range: its window would start or "
                                            "end beyond the range of TIMESTAMP");
}

}  // namespace

AggregateOperator::AggregateOperator(std::shared_ptr<const sql::BoundQuery> query, bool changelog)
    : query_(std::move(query)),
      changelog_(changelog || query_->emit == EmitMode::kChanges),
      emit_on_update_(query_->emit != EmitMode::kOnWindowClose) {
  std::vector<Field> fields = query_->output_schema->fields();
  if (query_->emit == EmitMode::kChanges) fields.pop_back();  // the query's own _op
  plain_schema_ = make_schema(fields);
  if (changelog_) {
    fields.push_back(Field{sql::kChangeOpColumn, DataType::kVarchar, false});
    output_schema_ = make_schema(std::move(fields));
  } else {
    output_schema_ = plain_schema_;
  }
}

uint32_t AggregateOperator::new_group(const std::string& key, const std::vector<Column>& keys,
                                      int64_t row, int64_t start, int64_t end) {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(groups_.size());
    groups_.emplace_back();
  }
  Group& g = groups_[slot];
  g.live = true;
  g.born = process_calls_;
  g.key = key;
  g.key_values.clear();
  for (const Column& k : keys) g.key_values.push_back(Value::from_column(k, row));
  g.window_start = start;
  g.window_end = end;
  g.aggs.clear();
  g.aggs.resize(query_->aggregates.size());
  g.dirty = false;
  g.emitted = false;
  g.last_output.clear();
  g.order = next_order_++;
  if (query_->window) min_open_end_ = std::min(min_open_end_, end);
  return slot;
}

uint32_t AggregateOperator::find_or_create(const std::vector<Column>& keys, int64_t row,
                                           int64_t start, int64_t end) {
  key_.clear();
  if (query_->window) key_.append(reinterpret_cast<const char*>(&start), 8);
  const size_t window_bytes = key_.size();
  for (const Column& k : keys) append_key(key_, k, row);
  if (auto it = index_.find(key_); it != index_.end()) return it->second;
  const uint32_t slot = new_group(key_.substr(window_bytes), keys, row, start, end);
  index_.emplace(key_, slot);
  return slot;
}

void AggregateOperator::free_group(uint32_t slot) {
  Group& g = groups_[slot];
  g.live = false;
  g.aggs.clear();
  g.last_output.clear();
  free_slots_.push_back(slot);
}

void AggregateOperator::mark_dirty(uint32_t slot) {
  if (!groups_[slot].dirty) {
    groups_[slot].dirty = true;
    dirty_.push_back(slot);
  }
}

Status AggregateOperator::assign_session(const std::vector<Column>& keys, int64_t row, int64_t ts,
                                         std::vector<uint32_t>& merged_away, uint32_t& slot) {
  const int64_t gap = query_->window->gap;
  key_.clear();
  for (const Column& k : keys) append_key(key_, k, row);
  std::vector<uint32_t>& list = sessions_[key_];
  // Sessions of one key are disjoint and sorted by start; the new row's interval
  // [ts, ts + gap) joins every session it overlaps.
  int64_t row_end;
  if (__builtin_add_overflow(ts, gap, &row_end)) return window_out_of_range(ts);
  int64_t start = ts, end = row_end;
  size_t first = list.size(), last = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const Group& g = groups_[list[i]];
    if (g.window_start < row_end && ts < g.window_end) {
      first = std::min(first, i);
      last = i;
      start = std::min(start, g.window_start);
      end = std::max(end, g.window_end);
    }
  }
  if (first == list.size()) {
    if (end <= close_limit()) {
      slot = UINT32_MAX;  // late: its session would already be closed
      return Status::Ok();
    }
    slot = new_group(key_, keys, row, start, end);
    ++session_groups_;
    auto pos = std::lower_bound(list.begin(), list.end(), start,
                                [&](uint32_t s, int64_t v) { return groups_[s].window_start < v; });
    list.insert(pos, slot);
    return Status::Ok();
  }
  slot = list[first];
  for (size_t i = first + 1; i <= last; ++i) {
    const uint32_t other = list[i];
    for (size_t a = 0; a < query_->aggregates.size(); ++a) {
      SLC_RETURN_IF_ERROR(
          merge(groups_[slot].aggs[a], groups_[other].aggs[a], query_->aggregates[a]));
    }
    merged_away.push_back(other);
  }
  list.erase(list.begin() + static_cast<ptrdiff_t>(first) + 1,
             list.begin() + static_cast<ptrdiff_t>(last) + 1);
  groups_[slot].window_start = start;
  groups_[slot].window_end = end;
  min_open_end_ = std::min(min_open_end_, end);
  return Status::Ok();
}

Status AggregateOperator::process(const RecordBatch& input, std::vector<RecordBatch>& out) {
  stats_.rows_in += input.num_rows();
  ++process_calls_;
  SLC_ASSIGN_OR_RETURN(RecordBatch kept, filter_batch(query_->where, input, selection_));
  const int64_t n = kept.num_rows();
  if (n == 0) return Status::Ok();

  std::vector<Column> keys;
  keys.reserve(query_->keys.size());
  for (const sql::BoundExprPtr& k : query_->keys) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*k, kept));
    keys.push_back(std::move(c));
  }
  std::vector<Datum> args(query_->aggregates.size());
  std::vector<Datum> filters(query_->aggregates.size());
  for (size_t a = 0; a < query_->aggregates.size(); ++a) {
    if (query_->aggregates[a].arg) {
      SLC_ASSIGN_OR_RETURN(args[a], sql::evaluate(*query_->aggregates[a].arg, kept));
    }
    if (query_->aggregates[a].filter) {
      SLC_ASSIGN_OR_RETURN(filters[a], sql::evaluate(*query_->aggregates[a].filter, kept));
    }
  }

  pair_rows_.clear();
  pair_slots_.clear();
  const auto& window = query_->window;
  std::vector<uint32_t> merged_away;
  BatchBuilder retractions(output_schema_);
  const int64_t limit = close_limit();
  for (int64_t row = 0; row < n; ++row) {
    if (!window) {
      pair_rows_.push_back(static_cast<uint32_t>(row));
      pair_slots_.push_back(find_or_create(keys, row, 0, 0));
      continue;
    }
    const Column& time = kept.column(window->time_column);
    if (time.is_null(row)) {
      ++stats_.late_rows_dropped;
      continue;
    }
    const int64_t ts = time.int64_value(row);
    if (window->kind == WindowKind::kSession) {
      uint32_t slot;
      merged_away.clear();
      SLC_RETURN_IF_ERROR(assign_session(keys, row, ts, merged_away, slot));
      if (slot == UINT32_MAX) {
        ++stats_.late_rows_dropped;
        continue;
      }
      if (!merged_away.empty()) {
        if (changelog_) retract(merged_away, retractions);
        for (uint32_t m : merged_away) {
          groups_[m].dirty = false;
          std::erase(dirty_, m);
          free_group(m);
          --session_groups_;
        }
      }
      // Sessions update one row at a time: a later row may merge this session away.
      const uint32_t r = static_cast<uint32_t>(row);
      SLC_RETURN_IF_ERROR(update(std::span(&r, 1), std::span(&slot, 1), args, filters));
      mark_dirty(slot);
      continue;
    }
    // TUMBLE and HOP: every window [start, start + size) with start a multiple of slide that
    // holds ts, latest first.
    bool placed = false;
    const int64_t slide = window->slide, size = window->size;
    int64_t start;
    if (__builtin_mul_overflow(floor_div(ts, slide), slide, &start)) return window_out_of_range(ts);
    for (;;) {
      int64_t end;
      if (__builtin_add_overflow(start, size, &end)) return window_out_of_range(ts);
      if (end <= ts) break;  // this window and the earlier ones end before ts
      if (end > limit) {     // not closed
        pair_rows_.push_back(static_cast<uint32_t>(row));
        pair_slots_.push_back(find_or_create(keys, row, start, end));
        placed = true;
      }
      if (__builtin_sub_overflow(start, slide, &start)) {
        // The next window would start before the range: an error if it holds ts, that is if
        // its end (end - slide, in the range) is past ts.
        if (end - slide > ts) return window_out_of_range(ts);
        break;
      }
    }
    if (!placed) ++stats_.late_rows_dropped;
  }
  if (!pair_rows_.empty()) {
    SLC_RETURN_IF_ERROR(update(pair_rows_, pair_slots_, args, filters));
    // A group without aggregates (GROUP BY alone, SELECT DISTINCT) has the same row for as
    // long as it lives: only a new one has an update to emit.
    const bool fixed_rows = query_->aggregates.empty();
    for (uint32_t slot : pair_slots_) {
      if (!fixed_rows || groups_[slot].born == process_calls_) mark_dirty(slot);
    }
  }
  if (retractions.num_rows() > 0) {
    RecordBatch r = retractions.finish();
    stats_.rows_out += r.num_rows();
    out.push_back(std::move(r));
  }
  if (emit_on_update_ && !dirty_.empty()) {
    std::vector<uint32_t> slots;
    slots.swap(dirty_);
    for (uint32_t s : slots) groups_[s].dirty = false;
    SLC_RETURN_IF_ERROR(emit(slots, out));
  }
  return Status::Ok();
}

Status AggregateOperator::emit_empty_global_group(std::vector<RecordBatch>& out) {
  if (!query_->keys.empty() || query_->window || !index_.empty()) return Status::Ok();
  const uint32_t slot = find_or_create({}, 0, 0, 0);
  return emit({slot}, out);
}

void AggregateOperator::retract(const std::vector<uint32_t>& slots, BatchBuilder& changes) {
  for (uint32_t slot : slots) {
    Group& g = groups_[slot];
    if (!g.emitted) continue;
    for (size_t c = 0; c < g.last_output.size(); ++c) {
      append_value(changes.column(static_cast<int>(c)), g.last_output[c]);
    }
    changes.column(static_cast<int>(g.last_output.size())).append_string("delete");
    g.emitted = false;
  }
}

Status AggregateOperator::emit(const std::vector<uint32_t>& slots, std::vector<RecordBatch>& out) {
  if (slots.empty()) return Status::Ok();
  // The group rows: keys, window bounds, aggregate results.
  BatchBuilder rows(query_->group_schema);
  for (uint32_t slot : slots) {
    const Group& g = groups_[slot];
    int c = 0;
    for (const Value& k : g.key_values) append_value(rows.column(c++), k);
    if (query_->window) {
      rows.column(c++).append_int64(g.window_start);
      rows.column(c++).append_int64(g.window_end);
    }
    for (size_t a = 0; a < g.aggs.size(); ++a) {
      append_value(rows.column(c++), finalize(g.aggs[a], query_->aggregates[a]));
    }
  }
  RecordBatch group_rows = rows.finish();
  Column passes;
  if (query_->having) {
    SLC_ASSIGN_OR_RETURN(passes, sql::evaluate_column(*query_->having, group_rows));
  }
  auto passed = [&](int64_t r) {
    return !query_->having || (!passes.is_null(r) && passes.bool_value(r));
  };
  SLC_ASSIGN_OR_RETURN(RecordBatch projected,
                       project_batch(query_->projection, group_rows, plain_schema_));

  if (!changelog_) {
    std::vector<uint32_t> keep;
    for (int64_t r = 0; r < projected.num_rows(); ++r) {
      if (passed(r)) keep.push_back(static_cast<uint32_t>(r));
    }
    if (keep.empty()) return Status::Ok();
    RecordBatch result = static_cast<int64_t>(keep.size()) == projected.num_rows()
                             ? projected
                             : projected.take(keep);
    stats_.rows_out += result.num_rows();
    out.push_back(std::move(result));
    return Status::Ok();
  }

  // Changelog: delete what downstream holds when it changed, insert the new row.
  BatchBuilder changes(output_schema_);
  const int ncols = projected.num_columns();
  std::vector<Value> row(static_cast<size_t>(ncols));
  for (size_t i = 0; i < slots.size(); ++i) {
    Group& g = groups_[slots[i]];
    const auto r = static_cast<int64_t>(i);
    for (int c = 0; c < ncols; ++c)
      row[static_cast<size_t>(c)] = Value::from_column(projected.column(c), r);
    const bool pass = passed(r);
    if (g.emitted && pass && row == g.last_output) continue;  // unchanged
    if (g.emitted) retract({slots[i]}, changes);
    if (pass) {
      for (int c = 0; c < ncols; ++c) append_value(changes.column(c), row[static_cast<size_t>(c)]);
      changes.column(ncols).append_string("insert");
      g.last_output = row;
      g.emitted = true;
    }
  }
  if (changes.num_rows() == 0) return Status::Ok();
  RecordBatch result = changes.finish();
  stats_.rows_out += result.num_rows();
  out.push_back(std::move(result));
  return Status::Ok();
}

int64_t AggregateOperator::close_limit() const {
  const int64_t lateness = query_->lateness;
  if (watermark_ == kFinalWatermark) return kFinalWatermark;
  return watermark_ < INT64_MIN + lateness ? INT64_MIN : watermark_ - lateness;
}

Status AggregateOperator::on_watermark(int64_t watermark, std::vector<RecordBatch>& out) {
  if (watermark <= watermark_) return Status::Ok();
  watermark_ = watermark;
  if (!query_->window) return Status::Ok();
  // Nothing to close until the earliest open window's end passes.
  const int64_t limit = close_limit();
  if (min_open_end_ > limit && watermark_ != kFinalWatermark) return Status::Ok();
  std::vector<uint32_t> closing;
  int64_t next_min = kFinalWatermark;
  for (uint32_t slot = 0; slot < groups_.size(); ++slot) {
    const Group& g = groups_[slot];
    if (!g.live) continue;
    if (watermark_ == kFinalWatermark || g.window_end <= limit) {
      closing.push_back(slot);
    } else {
      next_min = std::min(next_min, g.window_end);
    }
  }
  min_open_end_ = next_min;
  std::sort(closing.begin(), closing.end(), [&](uint32_t a, uint32_t b) {
    const Group& x = groups_[a];
    const Group& y = groups_[b];
    if (x.window_end != y.window_end) return x.window_end < y.window_end;
    if (x.window_start != y.window_start) return x.window_start < y.window_start;
    return x.order < y.order;
  });
  if (!emit_on_update_) SLC_RETURN_IF_ERROR(emit(closing, out));
  for (uint32_t slot : closing) {
    Group& g = groups_[slot];
    if (query_->window->kind == WindowKind::kSession) {
      auto it = sessions_.find(g.key);
      if (it != sessions_.end()) {
        std::erase(it->second, slot);
        if (it->second.empty()) sessions_.erase(it);
      }
      --session_groups_;
    } else {
      std::string key(reinterpret_cast<const char*>(&g.window_start), 8);
      key += g.key;
      index_.erase(key);
    }
    free_group(slot);
  }
  return Status::Ok();
}

std::string AggregateOperator::describe() const {
  std::string out;
  if (query_->where) out += "filter " + query_->where->sql.str() + " → ";
  out += "aggregate";
  if (!query_->keys.empty()) {
    out += " by [";
    for (size_t i = 0; i < query_->keys.size(); ++i)
      out += (i ? ", " : "") + query_->keys[i]->sql.str();
    out += "]";
  }
  if (query_->window) out += " window " + query_->window->sql;
  out += " [";
  for (size_t i = 0; i < query_->aggregates.size(); ++i) {
    out += (i ? ", " : "") + query_->aggregates[i].sql;
  }
  out += "]";
  if (query_->lateness) out += " lateness " + std::to_string(query_->lateness / 1000) + "ms";
  if (query_->having) out += " → having " + query_->having->sql.str();
  out += " → " + describe_projection(*query_) + " emit " + sql::emit_mode_name(query_->emit);
  return out;
}

}  // namespace sluice::dataflow
