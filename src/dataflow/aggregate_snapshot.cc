#include "dataflow/aggregate_operator.h"

#include <algorithm>

// AggregateOperator's checkpoint state, written and read back (a file of its own: the
// operator's logic is in aggregate_operator.cc).

namespace sluice::dataflow {

namespace {

// Variance and standard deviation carry a second moment; other aggregates have none, so
// their state reads as before these aggregates existed.
bool has_m2(const sql::AggregateCall& call) {
  return call.kind == sql::AggKind::kVarSamp || call.kind == sql::AggKind::kVarPop ||
         call.kind == sql::AggKind::kStddevSamp || call.kind == sql::AggKind::kStddevPop;
}

}  // namespace

void AggregateOperator::snapshot(StateWriter& w) const {
  w.i64(watermark_);
  w.i64(static_cast<int64_t>(next_order_));
  int64_t live = 0;
  for (const Group& g : groups_) live += g.live;
  w.i64(live);
  for (const Group& g : groups_) {
    if (!g.live) continue;
    w.str(g.key);
    w.i64(static_cast<int64_t>(g.key_values.size()));
    for (const Value& v : g.key_values) w.value(v);
    w.i64(g.window_start);
    w.i64(g.window_end);
    w.i64(static_cast<int64_t>(g.order));
    w.u8(g.emitted);
    w.i64(static_cast<int64_t>(g.last_output.size()));
    for (const Value& v : g.last_output) w.value(v);
    for (size_t a = 0; a < g.aggs.size(); ++a) {
      const AggState& s = g.aggs[a];
      w.i64(s.count);
      w.i64(s.i);
      w.f64(s.d);
      if (has_m2(query_->aggregates[a])) w.f64(s.m2);
      w.u8(s.has);
      w.value(s.v);
      w.i64(s.distinct ? static_cast<int64_t>(s.distinct->size()) : -1);
      if (s.distinct) {
        for (const std::string& d : *s.distinct) w.str(d);
      }
    }
  }
}

Status AggregateOperator::restore(StateReader& r) {
  groups_.clear();
  free_slots_.clear();
  index_.clear();
  sessions_.clear();
  session_groups_ = 0;
  dirty_.clear();
  min_open_end_ = kFinalWatermark;
  int64_t order, live;
  SLC_RETURN_IF_ERROR(r.i64(watermark_));
  SLC_RETURN_IF_ERROR(r.i64(order));
  next_order_ = static_cast<uint64_t>(order);
  // Every count is checked against the bytes left before anything is sized by it: a damaged
  // state is an error, not an allocation of whatever its bytes say (a group takes at least
  // its key's length; a value its type and null flag; a distinct item its length).
  SLC_RETURN_IF_ERROR(r.count(live, 8));
  for (int64_t n = 0; n < live; ++n) {
    Group g;
    g.live = true;
    int64_t count, group_order;
    SLC_RETURN_IF_ERROR(r.str(g.key));
    SLC_RETURN_IF_ERROR(r.count(count, 2));
    g.key_values.resize(static_cast<size_t>(count));
    for (Value& v : g.key_values) SLC_RETURN_IF_ERROR(r.value(v));
    SLC_RETURN_IF_ERROR(r.i64(g.window_start));
    SLC_RETURN_IF_ERROR(r.i64(g.window_end));
    SLC_RETURN_IF_ERROR(r.i64(group_order));
    g.order = static_cast<uint64_t>(group_order);
    uint8_t emitted;
    SLC_RETURN_IF_ERROR(r.u8(emitted));
    g.emitted = emitted != 0;
    SLC_RETURN_IF_ERROR(r.count(count, 2));
    g.last_output.resize(static_cast<size_t>(count));
    for (Value& v : g.last_output) SLC_RETURN_IF_ERROR(r.value(v));
    g.aggs.resize(query_->aggregates.size());
    for (size_t a = 0; a < g.aggs.size(); ++a) {
      AggState& s = g.aggs[a];
      uint8_t has;
      int64_t distinct;
      SLC_RETURN_IF_ERROR(r.i64(s.count));
      SLC_RETURN_IF_ERROR(r.i64(s.i));
      SLC_RETURN_IF_ERROR(r.f64(s.d));
      if (has_m2(query_->aggregates[a])) SLC_RETURN_IF_ERROR(r.f64(s.m2));
      SLC_RETURN_IF_ERROR(r.u8(has));
      s.has = has != 0;
      SLC_RETURN_IF_ERROR(r.value(s.v));
      SLC_RETURN_IF_ERROR(r.i64(distinct));
      if (distinct < -1 || (distinct >= 0 && static_cast<uint64_t>(distinct) > r.remaining() / 8)) {
        return Status(ErrorCode::kDataCorrupt, "state is damaged: " + std::to_string(distinct) +
                                                   " distinct values with " +
                                                   std::to_string(r.remaining()) + " bytes left");
      }
      if (distinct >= 0) {
        s.distinct = std::make_unique<std::unordered_set<std::string>>();
        for (int64_t d = 0; d < distinct; ++d) {
          std::string item;
          SLC_RETURN_IF_ERROR(r.str(item));
          s.distinct->insert(std::move(item));
        }
      }
    }
    const auto slot = static_cast<uint32_t>(groups_.size());
    if (query_->window) min_open_end_ = std::min(min_open_end_, g.window_end);
    if (query_->window && query_->window->kind == sql::WindowKind::kSession) {
      sessions_[g.key].push_back(slot);
      ++session_groups_;
    } else {
      std::string key;
      if (query_->window) key.append(reinterpret_cast<const char*>(&g.window_start), 8);
      key += g.key;
      index_.emplace(std::move(key), slot);
    }
    groups_.push_back(std::move(g));
  }
  for (auto& [key, list] : sessions_) {
    std::sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) {
      return groups_[a].window_start < groups_[b].window_start;
    });
  }
  if (!r.done()) return Status(ErrorCode::kDataCorrupt, "operator state has trailing bytes");
  return Status::Ok();
}

}  // namespace sluice::dataflow
