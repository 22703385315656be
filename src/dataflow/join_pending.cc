#include "dataflow/join_pending.h"

#include "dataflow/join_arena.h"

namespace sluice::dataflow {

void JoinPendingRows::push(int64_t time, int64_t seq, std::string_view row, std::string_view key,
                           uint64_t hash, bool null_key) {
  maybe_compact();
  Entry e{time, seq, d_.arena.add(row), d_.arena.add(key), hash, null_key ? 1u : 0u};
  uint32_t at = d_.size++;
  if (at == d_.heap.size()) {
    d_.heap.push_back(e);
  } else {
    d_.heap.mut(at) = e;
  }
  while (at > 0) {
    const uint32_t parent = (at - 1) / 2;
    if (!before(e, d_.heap[parent])) break;
    d_.heap.mut(at) = d_.heap[parent];
    at = parent;
  }
  d_.heap.mut(at) = e;
}

void JoinPendingRows::pop() {
  d_.arena.release(d_.heap[0].row);
  d_.arena.release(d_.heap[0].key);
  const uint32_t n = --d_.size;
  if (n == 0) {
    d_.heap.clear();
    return;
  }
  const Entry last = d_.heap[n];
  d_.heap.mut(n) = Entry{};  // spare: no stale references past the heap
  uint32_t at = 0;
  for (;;) {
    uint32_t child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && before(d_.heap[child + 1], d_.heap[child])) ++child;
    if (!before(d_.heap[child], last)) break;
    d_.heap.mut(at) = d_.heap[child];
    at = child;
  }
  d_.heap.mut(at) = last;
}

void JoinPendingRows::maybe_compact() {
  constexpr size_t kMinGarbage = 256 * 1024;
  if (d_.size == 0 && d_.arena.used() > 0) {
    d_.arena = StringArena();
    return;
  }
  if (d_.arena.garbage() < kMinGarbage || d_.arena.garbage() < d_.arena.used() / 2) return;
  compact_arena(d_.arena, [&](auto&& move) {
    for (uint32_t i = 0; i < d_.size; ++i) {
      Entry& e = d_.heap.mut(i);
      move(e.row);
      move(e.key);
    }
  });
}

void JoinPendingRows::Frozen::write(StateWriter& w) const {
  w.i64(heap.size());
  heap.write(w);
  arena.write(w);
  w.i64(size);
}

Status JoinPendingRows::read(StateReader& r, const JoinRowCodec& codec) {
  d_ = Frozen{};
  std::string scratch;
  int64_t n, size;
  SLC_RETURN_IF_ERROR(r.count(n, sizeof(Entry)));
  if (n >= UINT32_MAX) return Status(ErrorCode::kDataCorrupt, "temporal join state is damaged");
  SLC_RETURN_IF_ERROR(d_.heap.read(r, static_cast<uint32_t>(n), scratch));
  SLC_RETURN_IF_ERROR(d_.arena.read(r));
  SLC_RETURN_IF_ERROR(r.i64(size));
  bool ok = size >= 0 && size <= n;
  for (int64_t i = 0; ok && i < size; ++i) {
    const Entry& e = d_.heap[static_cast<uint32_t>(i)];
    ok = d_.arena.valid(e.row) && d_.arena.valid(e.key) && codec.valid(d_.arena.get(e.row)) &&
         (i == 0 || !before(e, d_.heap[static_cast<uint32_t>((i - 1) / 2)]));
  }
  if (!ok) {
    d_ = Frozen{};
    return Status(ErrorCode::kDataCorrupt,
                  "temporal join state is damaged: its waiting left rows do not read back");
  }
  d_.size = static_cast<uint32_t>(size);
  // The arena's garbage as it was when captured (maybe_compact's live references).
  size_t held = 0;
  for (uint32_t i = 0; i < d_.size; ++i) {
    held += StringArena::live_bytes(d_.heap[i].row) + StringArena::live_bytes(d_.heap[i].key);
  }
  d_.arena.recount_garbage(held);
  return Status::Ok();
}

}  // namespace sluice::dataflow
