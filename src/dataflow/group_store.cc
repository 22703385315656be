#include "dataflow/group_store.h"

namespace sluice::dataflow {

GroupStore::GroupStore(std::shared_ptr<const GroupLayout> layout) : layout_(std::move(layout)) {
  for (DataType t : layout_->key_types) keys.emplace_back(t);
  for (const sql::AggregateCall& call : layout_->query->aggregates) {
    aggs.emplace_back(call, layout_->retracting);
  }
  for (DataType t : layout_->output_types) last_output.emplace_back(t);
}

uint32_t GroupStore::add_group() {
  for (ValueSlots& k : keys) k.push_back();
  for (AggColumns& a : aggs) a.push_back();
  if (!layout_->output_types.empty()) {
    emitted.push_back(0);
    for (ValueSlots& o : last_output) o.push_back();
  }
  if (layout_->sessions) {
    starts.push_back(0);
    ends.push_back(0);
    order.push_back(0);
    live.push_back(1);
  } else if (layout_->panes) {
    order.push_back(0);
  }
  if (layout_->retracting) {
    live.push_back(1);
    rows.push_back(0);
  }
  return size_++;
}

void GroupStore::reset_group(uint32_t g) {
  for (ValueSlots& k : keys) k.reset(g, arena);
  for (AggColumns& a : aggs) a.reset(g, arena);
  if (!layout_->output_types.empty()) {
    emitted.mut(g) = 0;
    for (ValueSlots& o : last_output) o.reset(g, arena);
  }
  if (layout_->retracting) rows.mut(g) = 0;
}

uint64_t GroupStore::key_hash(uint32_t g) const {
  uint64_t h = kKeySeed;
  for (const ValueSlots& k : keys) h = k.hash(g, h, arena);
  return h;
}

size_t GroupStore::bytes() const {
  size_t n = sizeof(*this) + arena.bytes() + emitted.bytes() + starts.bytes() + ends.bytes() +
             order.bytes() + live.bytes() + rows.bytes();
  for (const ValueSlots& k : keys) n += k.bytes();
  for (const AggColumns& a : aggs) n += a.bytes();
  for (const ValueSlots& o : last_output) n += o.bytes();
  return n;
}

void GroupStore::compact_strings() {
  constexpr size_t kMinGarbage = 256;  // small arenas are not worth the pass
  if (arena.garbage() < kMinGarbage || arena.garbage() * 2 < arena.used()) return;
  StringArena fresh;
  for (ValueSlots& k : keys) k.move_strings(arena, fresh);
  for (AggColumns& a : aggs) a.move_strings(arena, fresh);
  for (ValueSlots& o : last_output) o.move_strings(arena, fresh);
  arena = std::move(fresh);  // an image still holding the old blocks keeps them
}

void GroupStore::write(StateWriter& w) const {
  w.i64(size_);
  arena.write(w);
  for (const ValueSlots& k : keys) k.write(w);
  for (const AggColumns& a : aggs) a.write(w);
  if (!layout_->output_types.empty()) {
    emitted.write(w);
    for (const ValueSlots& o : last_output) o.write(w);
  }
  if (layout_->sessions) {
    starts.write(w);
    ends.write(w);
    order.write(w);
    live.write(w);
  } else if (layout_->panes) {
    order.write(w);
  }
  if (layout_->retracting) {
    live.write(w);
    rows.write(w);
  }
}

Status GroupStore::read(StateReader& r) {
  int64_t n;
  // Every group takes at least a byte of each array: a damaged count fails here.
  SLC_RETURN_IF_ERROR(r.count(n, 1));
  if (n > INT32_MAX) {
    return Status(ErrorCode::kDataCorrupt,
                  "aggregate state is damaged: " + std::to_string(n) + " groups in one store");
  }
  size_ = static_cast<uint32_t>(n);
  std::string scratch;
  SLC_RETURN_IF_ERROR(arena.read(r));
  for (ValueSlots& k : keys) SLC_RETURN_IF_ERROR(k.read(r, size_, arena, scratch));
  for (AggColumns& a : aggs) SLC_RETURN_IF_ERROR(a.read(r, size_, arena, scratch));
  if (!layout_->output_types.empty()) {
    SLC_RETURN_IF_ERROR(emitted.read(r, size_, scratch));
    for (ValueSlots& o : last_output) SLC_RETURN_IF_ERROR(o.read(r, size_, arena, scratch));
  }
  if (layout_->sessions) {
    SLC_RETURN_IF_ERROR(starts.read(r, size_, scratch));
    SLC_RETURN_IF_ERROR(ends.read(r, size_, scratch));
    SLC_RETURN_IF_ERROR(order.read(r, size_, scratch));
    SLC_RETURN_IF_ERROR(live.read(r, size_, scratch));
  } else if (layout_->panes) {
    SLC_RETURN_IF_ERROR(order.read(r, size_, scratch));
  }
  if (layout_->retracting) {
    SLC_RETURN_IF_ERROR(live.read(r, size_, scratch));
    SLC_RETURN_IF_ERROR(rows.read(r, size_, scratch));
  }
  // The arena's garbage as it was when captured (compact_strings' live strings), so a restored
  // store compacts when the uninterrupted one does.
  size_t held = 0;
  for (const ValueSlots& k : keys) held += k.string_bytes();
  for (const AggColumns& a : aggs) held += a.string_bytes();
  for (const ValueSlots& o : last_output) held += o.string_bytes();
  arena.recount_garbage(held);
  return Status::Ok();
}

}  // namespace sluice::dataflow
