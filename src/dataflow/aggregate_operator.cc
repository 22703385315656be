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
      emit_on_update_(query_->emit != EmitMode::kOnWindowClose),
      sessions_mode_(query_->window && query_->window->kind == WindowKind::kSession),
      panes_(HopSlices::plan(*query_, changelog_)) {
  std::vector<Field> fields = query_->output_schema->fields();
  if (query_->emit == EmitMode::kChanges) fields.pop_back();  // the query's own _op
  plain_schema_ = make_schema(fields);
  auto layout = std::make_shared<GroupLayout>();
  layout->query = query_;
  for (const sql::BoundExprPtr& k : query_->keys) layout->key_types.push_back(k->type);
  if (changelog_) {
    for (const Field& f : fields) layout->output_types.push_back(f.type);
    fields.push_back(Field{sql::kChangeOpColumn, DataType::kVarchar, false});
    output_schema_ = make_schema(std::move(fields));
  } else {
    output_schema_ = plain_schema_;
  }
  layout->sessions = sessions_mode_;
  layout->panes = panes_.has_value();
  layout->retracting = query_->input_change_column >= 0;  // never windowed: the binder refuses it
  layout_ = std::move(layout);
  const auto& aggs = query_->aggregates;
  for (size_t a = 0; a < aggs.size(); ++a) {
    int of = -1;
    if (aggs[a].filter) {
      of = static_cast<int>(a);
      // The same text over the same input is the same condition (no function is volatile).
      const std::string text = aggs[a].filter->sql.str();
      for (size_t b = 0; b < a && of == static_cast<int>(a); ++b) {
        if (filter_of_[b] == static_cast<int>(b) && aggs[b].filter->sql.str() == text) {
          of = static_cast<int>(b);
        }
      }
    }
    filter_of_.push_back(of);
  }
}

AggregateOperator::Partition& AggregateOperator::all_groups() {
  if (!all_) all_ = std::make_unique<Partition>(layout_, 0, 0);
  return *all_;
}

AggregateOperator::Partition& AggregateOperator::window(int64_t start, int64_t end) {
  const int64_t step = panes_ ? panes_->width : query_->window->slide;
  CachedWindow& cached = window_cache_[static_cast<uint64_t>(floor_div(start, step)) & 7];
  if (cached.start == start && cached.part) return *cached.part;
  std::unique_ptr<Partition>& p = windows_[start];
  if (!p) p = std::make_unique<Partition>(layout_, start, end);
  cached = {start, p.get()};
  return *p;
}

uint32_t AggregateOperator::find_or_add(Partition& p, const std::vector<Column>& keys, int64_t row,
                                        uint64_t hash, bool& created) {
  const uint32_t g = lookup(p, keys, row, hash, created);
  if (!created) return g;
  if (panes_) p.store.order.mut(g) = next_order_;
  ++next_order_;
  ++live_groups_;
  return g;
}

uint32_t AggregateOperator::find_group(Partition& p, const std::vector<Column>& keys, int64_t row,
                                       uint64_t hash) const {
  const GroupStore& store = p.store;
  if (keys.size() == 1) {  // the common case, without the loop
    const ValueSlots& slots = store.keys[0];
    return p.table.find(hash,
                        [&](uint32_t g) { return slots.key_equals(keys[0], row, g, store.arena); });
  }
  return p.table.find(hash, [&](uint32_t g) {
    for (size_t c = 0; c < keys.size(); ++c) {
      if (!store.keys[c].key_equals(keys[c], row, g, store.arena)) return false;
    }
    return true;
  });
}

uint32_t AggregateOperator::lookup(Partition& p, const std::vector<Column>& keys, int64_t row,
                                   uint64_t hash, bool& created) {
  const uint32_t found = find_group(p, keys, row, hash);
  created = found == GroupTable::kNotFound;
  if (!created) return found;
  GroupStore& store = p.store;
  // Slots are freed only by an aggregate over changes (a SESSION query's never come here).
  uint32_t g;
  if (free_slots_.empty()) {
    g = store.add_group();
    if (emit_on_update_) p.dirty.push_back(0);
  } else {
    g = free_slots_.back();
    free_slots_.pop_back();
    store.live.mut(g) = 1;
  }
  for (size_t c = 0; c < keys.size(); ++c) store.keys[c].set(g, keys[c], row, store.arena);
  p.table.insert(hash, g);
  return g;
}

void AggregateOperator::mark_dirty(GroupRef ref) {
  uint8_t& d = ref.part->dirty[ref.group];
  if (!d) {
    d = 1;
    dirty_.push_back(ref);
  }
}

void AggregateOperator::free_session(uint32_t g) {
  GroupStore& store = all_->store;
  store.reset_group(g);
  store.live.mut(g) = 0;
  free_slots_.push_back(g);
  --live_groups_;
}

Status AggregateOperator::assign_session(const std::vector<Column>& keys, int64_t row,
                                         uint64_t hash, int64_t ts,
                                         std::vector<uint32_t>& merged_away, uint32_t& slot) {
  const int64_t gap = query_->window->gap;
  Partition& p = all_groups();
  GroupStore& store = p.store;
  uint32_t list_index = p.table.find(hash, [&](uint32_t l) {
    const uint32_t g = sessions_[l].front();
    for (size_t c = 0; c < keys.size(); ++c) {
      if (!store.keys[c].key_equals(keys[c], row, g, store.arena)) return false;
    }
    return true;
  });
  static const std::vector<uint32_t> kNoSessions;
  const std::vector<uint32_t>& list =
      list_index == GroupTable::kNotFound ? kNoSessions : sessions_[list_index];
  // Sessions of one key are disjoint and sorted by start; the new row's interval
  // [ts, ts + gap) joins every session it overlaps.
  int64_t row_end;
  if (__builtin_add_overflow(ts, gap, &row_end)) return window_out_of_range(ts);
  int64_t start = ts, end = row_end;
  size_t first = list.size(), last = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const uint32_t g = list[i];
    if (store.starts[g] < row_end && ts < store.ends[g]) {
      first = std::min(first, i);
      last = i;
      start = std::min(start, store.starts[g]);
      end = std::max(end, store.ends[g]);
    }
  }
  if (first == list.size()) {
    if (end <= close_limit()) {
      slot = UINT32_MAX;  // late: its session would already be closed
      return Status::Ok();
    }
    if (free_slots_.empty()) {
      slot = store.add_group();
      if (emit_on_update_) p.dirty.push_back(0);
      session_list_of_.push_back(0);
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
      store.live.mut(slot) = 1;
    }
    for (size_t c = 0; c < keys.size(); ++c) store.keys[c].set(slot, keys[c], row, store.arena);
    store.starts.mut(slot) = start;
    store.ends.mut(slot) = end;
    store.order.mut(slot) = next_order_++;
    ++live_groups_;
    if (list_index == GroupTable::kNotFound) {
      if (free_session_lists_.empty()) {
        list_index = static_cast<uint32_t>(sessions_.size());
        sessions_.emplace_back();
      } else {
        list_index = free_session_lists_.back();
        free_session_lists_.pop_back();
      }
      p.table.insert(hash, list_index);
    }
    std::vector<uint32_t>& sessions = sessions_[list_index];
    auto pos = std::lower_bound(sessions.begin(), sessions.end(), start,
                                [&](uint32_t s, int64_t v) { return store.starts[s] < v; });
    sessions.insert(pos, slot);
    session_list_of_[slot] = list_index;
    min_open_end_ = std::min(min_open_end_, end);
    return Status::Ok();
  }
  std::vector<uint32_t>& sessions = sessions_[list_index];
  slot = sessions[first];
  for (size_t i = first + 1; i <= last; ++i) {
    const uint32_t other = sessions[i];
    for (AggColumns& a : store.aggs) SLC_RETURN_IF_ERROR(a.merge(slot, other, store.arena));
    merged_away.push_back(other);
  }
  sessions.erase(sessions.begin() + static_cast<ptrdiff_t>(first) + 1,
                 sessions.begin() + static_cast<ptrdiff_t>(last) + 1);
  store.starts.mut(slot) = start;
  store.ends.mut(slot) = end;
  min_open_end_ = std::min(min_open_end_, end);
  return Status::Ok();
}

Status AggregateOperator::update(const std::vector<Datum>& args,
                                 const std::vector<Datum>& filters) {
  for (size_t a = 0; a < query_->aggregates.size(); ++a) {
    const AggregateCall& call = query_->aggregates[a];
    const Datum& arg = args[a];
    const Datum* filter = call.filter ? &filters[static_cast<size_t>(filter_of_[a])] : nullptr;
    // Every group's aggregate a gets `fold` for each of its rows that passes FILTER (WHERE ...)
    // and, but for COUNT(*), has a non-null argument.
    auto each = [&](bool skip_nulls, auto&& fold) -> Status {
      Partition* part = nullptr;  // rows of a batch mostly go to one window: looked up once
      AggColumns* agg = nullptr;
      if (!filter && !arg.scalar && (!skip_nulls || arg.column.null_count() == 0)) {
        // No FILTER and no NULL to skip (the common case): every row folds, unchecked.
        for (size_t k = 0; k < refs_.size(); ++k) {
          if (refs_[k].part != part) {
            part = refs_[k].part;
            agg = &part->store.aggs[a];
          }
          const uint32_t row = ref_rows_[k];
          SLC_RETURN_IF_ERROR(fold(part->store, *agg, refs_[k].group, row, row));
        }
        return Status::Ok();
      }
      for (size_t k = 0; k < refs_.size(); ++k) {
        const uint32_t row = ref_rows_[k];
        if (filter && !passes(*filter, row)) continue;
        const int64_t r = arg.index(row);
        if (skip_nulls && arg.column.is_null(r)) continue;
        if (refs_[k].part != part) {
          part = refs_[k].part;
          agg = &part->store.aggs[a];
        }
        SLC_RETURN_IF_ERROR(fold(part->store, *agg, refs_[k].group, row, r));
      }
      return Status::Ok();
    };
    const DataType type = call.arg ? call.arg->type : DataType(DataType::kInt64);
    const bool sum = call.kind == AggKind::kSum;
    if (call.kind == AggKind::kCountStar || (call.kind == AggKind::kCount && !call.distinct)) {
      SLC_RETURN_IF_ERROR(each(call.kind == AggKind::kCount,
                               [](GroupStore&, AggColumns& agg, uint32_t g, uint32_t, int64_t) {
                                 agg.add_count_star(g);
                                 return Status::Ok();
                               }));
    } else if (sum && (type == DataType::kInt64 || type == DataType::kInterval)) {
      SLC_RETURN_IF_ERROR(
          each(true, [&](GroupStore&, AggColumns& agg, uint32_t g, uint32_t, int64_t r) {
            if (agg.add_int64(g, arg.column.int64_value(r))) return Status::Ok();
            return Status(ErrorCode::kOutOfRange, call.sql + " overflowed BIGINT");
          }));
    } else if ((sum || call.kind == AggKind::kAvg) && type == DataType::kDouble) {
      SLC_RETURN_IF_ERROR(
          each(true, [&](GroupStore&, AggColumns& agg, uint32_t g, uint32_t, int64_t r) {
            agg.add_double(g, arg.column.double_value(r));
            return Status::Ok();
          }));
    } else {
      SLC_RETURN_IF_ERROR(
          each(false, [&](GroupStore& store, AggColumns& agg, uint32_t g, uint32_t row, int64_t) {
            return agg.add(g, arg, row, store.arena, scratch_);
          }));
    }
  }
  return Status::Ok();
}

Status AggregateOperator::process(const RecordBatch& input, std::vector<RecordBatch>& out) {
  stats_.rows_in += input.num_rows();
  SLC_ASSIGN_OR_RETURN(RecordBatch kept, filter_batch(query_->where, input, selection_));
  const int64_t n = kept.num_rows();
  if (n == 0) return Status::Ok();

  std::vector<Column> keys;
  keys.reserve(query_->keys.size());
  hashes_.assign(static_cast<size_t>(n), kKeySeed);
  for (const sql::BoundExprPtr& k : query_->keys) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*k, kept));
    hash_column(c, hashes_);
    keys.push_back(std::move(c));
  }
  std::vector<Datum> args(query_->aggregates.size());
  std::vector<Datum> filters(query_->aggregates.size());
  for (size_t a = 0; a < query_->aggregates.size(); ++a) {
    if (query_->aggregates[a].arg) {
      SLC_ASSIGN_OR_RETURN(args[a], sql::evaluate(*query_->aggregates[a].arg, kept));
    }
    if (filter_of_[a] == static_cast<int>(a)) {  // a condition no earlier aggregate has
      SLC_ASSIGN_OR_RETURN(filters[a], sql::evaluate(*query_->aggregates[a].filter, kept));
    }
  }
  if (query_->input_change_column >= 0) return process_changes(kept, keys, args, filters, out);

  refs_.clear();
  ref_rows_.clear();
  created_.clear();
  const auto& win = query_->window;
  std::vector<uint32_t> merged_away;
  BatchBuilder retractions(output_schema_);
  const int64_t limit = close_limit();
  // Rows are placed in their partitions first and looked up after, in the same order, so
  // that each lookup can prefetch the table slot of one a few places ahead.
  auto place = [&](Partition& p, int64_t row) {
    refs_.push_back({&p, 0});
    ref_rows_.push_back(static_cast<uint32_t>(row));
  };
  // (A query by panes is uniform: HopSlices::plan asks for it, and a pane is then a slide.)
  const bool uniform = win && !sessions_mode_ && win->size % win->slide == 0;
  int64_t cached_from = 1, cached_to = 0;  // the slide row_windows_ holds the windows of
  for (int64_t row = 0; row < n; ++row) {
    if (!win) {
      place(all_groups(), row);
      continue;
    }
    const Column& time = kept.column(win->time_column);
    if (time.is_null(row)) {
      ++stats_.late_rows_dropped;
      continue;
    }
    const int64_t ts = time.int64_value(row);
    if (sessions_mode_) {
      uint32_t slot;
      merged_away.clear();
      SLC_RETURN_IF_ERROR(
          assign_session(keys, row, hashes_[static_cast<size_t>(row)], ts, merged_away, slot));
      if (slot == UINT32_MAX) {
        ++stats_.late_rows_dropped;
        continue;
      }
      Partition& p = *all_;
      if (!merged_away.empty()) {
        if (changelog_) {
          std::vector<GroupRef> gone;
          for (uint32_t m : merged_away) gone.push_back({&p, m});
          retract(gone, retractions);
        }
        for (uint32_t m : merged_away) {
          if (emit_on_update_ && p.dirty[m]) {
            p.dirty[m] = 0;
            std::erase_if(dirty_, [&](const GroupRef& r) { return r.group == m; });
          }
          free_session(m);
        }
      }
      // Sessions update one row at a time: a later row may merge this session away.
      refs_.assign(1, GroupRef{&p, slot});
      ref_rows_.assign(1, static_cast<uint32_t>(row));
      SLC_RETURN_IF_ERROR(update(args, filters));
      if (emit_on_update_) mark_dirty({&p, slot});
      continue;
    }
    // TUMBLE and HOP: every window [start, start + size) with start a multiple of slide that
    // holds ts, latest first. When size is a multiple of slide, every ts of one slide falls in
    // the same windows: the last row's are reused (rows of a batch have nearby times).
    if (uniform && ts >= cached_from && ts < cached_to) {
      for (Partition* p : row_windows_) place(*p, row);
      if (row_windows_.empty()) ++stats_.late_rows_dropped;
      continue;
    }
    bool placed = false;
    const int64_t slide = win->slide, size = win->size;
    int64_t start;
    if (__builtin_mul_overflow(floor_div(ts, slide), slide, &start)) return window_out_of_range(ts);
    row_windows_.clear();
    cached_from = start;
    if (__builtin_add_overflow(start, slide, &cached_to)) cached_to = cached_from;  // no reuse
    for (;;) {
      int64_t end;
      if (__builtin_add_overflow(start, size, &end)) return window_out_of_range(ts);
      if (end <= ts) break;          // this window and the earlier ones end before ts
      if (end > limit && !panes_) {  // not closed
        Partition& p = window(start, end);
        row_windows_.push_back(&p);
        place(p, row);
      }
      placed = placed || end > limit;
      if (__builtin_sub_overflow(start, slide, &start)) {
        // The next window would start before the range: an error if it holds ts, that is if
        // its end (end - slide, in the range) is past ts.
        if (end - slide > ts) return window_out_of_range(ts);
        break;
      }
    }
    if (panes_ && placed) {  // the one pane holding ts (a pane is a slide) for its open windows
      Partition& p = window(cached_from, cached_to);
      row_windows_.push_back(&p);
      place(p, row);
    }
    if (!placed) ++stats_.late_rows_dropped;
  }
  if (!sessions_mode_ && !refs_.empty()) {
    constexpr size_t kAhead = 8;
    const size_t m = refs_.size();
    created_.resize(m);
    for (size_t k = 0; k < m; ++k) {
      if (k + kAhead < m) refs_[k + kAhead].part->table.prefetch(hashes_[ref_rows_[k + kAhead]]);
      bool created;
      refs_[k].group =
          find_or_add(*refs_[k].part, keys, ref_rows_[k], hashes_[ref_rows_[k]], created);
      created_[k] = created;
    }
    SLC_RETURN_IF_ERROR(update(args, filters));
    if (emit_on_update_) {
      // A group without aggregates (GROUP BY alone, SELECT DISTINCT) has the same row for as
      // long as it lives: only a new one has an update to emit.
      const bool fixed_rows = query_->aggregates.empty();
      for (size_t k = 0; k < refs_.size(); ++k) {
        if (!fixed_rows || created_[k]) mark_dirty(refs_[k]);
      }
    }
  }
  if (all_) all_->store.compact_strings();
  for (auto& [start, p] : windows_) p->store.compact_strings();
  if (retractions.num_rows() > 0) {
    RecordBatch r = retractions.finish();
    stats_.rows_out += r.num_rows();
    out.push_back(std::move(r));
  }
  if (emit_on_update_ && !dirty_.empty()) {
    std::vector<GroupRef> refs;
    refs.swap(dirty_);
    for (const GroupRef& r : refs) r.part->dirty[r.group] = 0;
    SLC_RETURN_IF_ERROR(emit(refs, out));
    refs.clear();
    if (dirty_.empty()) dirty_.swap(refs);  // keep the capacity
  }
  return Status::Ok();
}

Status AggregateOperator::emit_empty_global_group(std::vector<RecordBatch>& out) {
  if (!query_->keys.empty() || query_->window || live_groups_ > 0) return Status::Ok();
  bool created;
  Partition& p = all_groups();
  const uint32_t g = find_or_add(p, {}, 0, kKeySeed, created);
  return emit({GroupRef{&p, g}}, out);
}

void AggregateOperator::retract(const std::vector<GroupRef>& refs, BatchBuilder& changes) {
  for (const GroupRef& ref : refs) {
    GroupStore& store = ref.part->store;
    if (!store.emitted[ref.group]) continue;
    for (size_t c = 0; c < store.last_output.size(); ++c) {
      store.last_output[c].append_to(changes.column(static_cast<int>(c)), ref.group, store.arena);
    }
    changes.column(static_cast<int>(store.last_output.size())).append_string("delete");
    store.emitted.mut(ref.group) = 0;
  }
}

Status AggregateOperator::emit(const std::vector<GroupRef>& refs, std::vector<RecordBatch>& out) {
  if (refs.empty()) return Status::Ok();
  // The group rows: keys, window bounds, aggregate results.
  BatchBuilder rows(query_->group_schema);
  for (int c = 0; c < query_->group_schema->num_fields(); ++c) {
    rows.column(c).reserve(static_cast<int64_t>(refs.size()));
  }
  for (const GroupRef& ref : refs) {
    const GroupStore& store = ref.part->store;
    const uint32_t g = ref.group;
    int c = 0;
    for (const ValueSlots& k : store.keys) k.append_to(rows.column(c++), g, store.arena);
    if (query_->window) {
      rows.column(c++).append_int64(sessions_mode_ ? store.starts[g] : ref.part->start);
      rows.column(c++).append_int64(sessions_mode_ ? store.ends[g] : ref.part->end);
    }
    for (const AggColumns& a : store.aggs) a.finalize_into(rows.column(c++), g, store.arena);
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
  for (size_t i = 0; i < refs.size(); ++i) {
    GroupStore& store = refs[i].part->store;
    const uint32_t g = refs[i].group;
    const auto r = static_cast<int64_t>(i);
    const bool pass = passed(r);
    if (store.emitted[g] && pass) {
      bool same = true;
      for (int c = 0; c < ncols && same; ++c) {
        same = Value::from_column(projected.column(c), r) ==
               store.last_output[static_cast<size_t>(c)].value(g, store.arena);
      }
      if (same) continue;  // unchanged
    }
    if (store.emitted[g]) retract({refs[i]}, changes);
    if (pass) {
      for (int c = 0; c < ncols; ++c) {
        changes.column(c).append_from(projected.column(c), r);
        store.last_output[static_cast<size_t>(c)].set(g, projected.column(c), r, store.arena);
      }
      changes.column(ncols).append_string("insert");
      store.emitted.mut(g) = 1;
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
  const int64_t prev_limit = close_limit();
  watermark_ = watermark;
  if (!query_->window) return Status::Ok();
  const int64_t limit = close_limit();
  const bool final = watermark_ == kFinalWatermark;
  if (panes_) return close_pane_windows(prev_limit, limit, final, out);
  std::vector<GroupRef> closing;
  if (!sessions_mode_) {
    // Windows by start are windows by end (one size): the closed ones come first. Each is
    // emitted, its groups in arrival order, a bounded batch at a time (kEmitBatch), then
    // dropped whole, so that closing many groups at once holds neither their rows nor their
    // state twice.
    bool closed = false;
    for (auto it = windows_.begin(); it != windows_.end() && (final || it->second->end <= limit);) {
      Partition& p = *it->second;
      for (uint32_t first = 0; !emit_on_update_ && first < p.store.size(); first += kEmitBatch) {
        closing.clear();
        const uint32_t last = std::min(p.store.size(), first + kEmitBatch);
        for (uint32_t g = first; g < last; ++g) closing.push_back({&p, g});
        SLC_RETURN_IF_ERROR(emit(closing, out));
      }
      live_groups_ -= p.store.size();
      it = windows_.erase(it);
      closed = true;
    }
    if (closed) {
      for (CachedWindow& c : window_cache_) c = {};
    }
    return Status::Ok();
  }
  // Nothing to close until the earliest open session's end passes.
  if (min_open_end_ > limit && !final) return Status::Ok();
  if (!all_) return Status::Ok();
  Partition& p = *all_;
  GroupStore& store = p.store;
  int64_t next_min = kFinalWatermark;
  for (uint32_t g = 0; g < store.size(); ++g) {
    if (!store.live[g]) continue;
    if (final || store.ends[g] <= limit) {
      closing.push_back({&p, g});
    } else {
      next_min = std::min(next_min, store.ends[g]);
    }
  }
  min_open_end_ = next_min;
  std::sort(closing.begin(), closing.end(), [&](const GroupRef& a, const GroupRef& b) {
    const uint32_t x = a.group, y = b.group;
    if (store.ends[x] != store.ends[y]) return store.ends[x] < store.ends[y];
    if (store.starts[x] != store.starts[y]) return store.starts[x] < store.starts[y];
    return store.order[x] < store.order[y];
  });
  if (!emit_on_update_) SLC_RETURN_IF_ERROR(emit(closing, out));
  for (const GroupRef& ref : closing) {
    const uint32_t list_index = session_list_of_[ref.group];
    std::vector<uint32_t>& list = sessions_[list_index];
    std::erase(list, ref.group);
    if (list.empty()) {
      p.table.erase(store.key_hash(ref.group), list_index);
      free_session_lists_.push_back(list_index);
      list.shrink_to_fit();
    }
    free_session(ref.group);
  }
  return Status::Ok();
}

StateStats AggregateOperator::state_stats() const {
  size_t bytes = sizeof(*this) + dirty_.capacity() * sizeof(GroupRef) +
                 session_list_of_.capacity() * 4 + free_slots_.capacity() * 4 +
                 sessions_.capacity() * sizeof(std::vector<uint32_t>);
  for (const auto& list : sessions_) bytes += list.capacity() * 4;
  auto add = [&](const Partition& p) {
    bytes += sizeof(p) + 64 + p.store.bytes() + p.table.bytes() + p.dirty.capacity();
  };
  if (all_) add(*all_);
  for (const auto& [start, p] : windows_) add(*p);
  return StateStats{live_groups_, static_cast<int64_t>(bytes)};
}

std::string AggregateOperator::describe() const {
  std::string out;
  if (query_->where) out += "filter " + query_->where->sql.str() + " → ";
  out += query_->input_change_column >= 0 ? "aggregate of changes" : "aggregate";
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
