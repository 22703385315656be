#include "dataflow/join_versions.h"

#include "dataflow/join_arena.h"

namespace sluice::dataflow {

namespace {

Status damaged(const std::string& what) {
  return Status(ErrorCode::kDataCorrupt, "temporal join state is damaged: " + what);
}

}  // namespace

uint32_t JoinVersions::find_key(std::string_view key, uint64_t hash) const {
  const uint32_t k = index_.find(hash, [&](uint32_t i) {
    return d_.keys[i].hash == hash && d_.arena.get(d_.keys[i].bytes) == key;
  });
  return k == GroupTable::kNotFound ? kNone : k;
}

uint32_t JoinVersions::add(std::string_view key, uint64_t hash, int64_t time, int64_t seq,
                           std::string_view row) {
  uint32_t k = find_key(key, hash);
  if (k == kNone) {
    const Key entry{hash, d_.arena.add(key), kNone, 0};
    if (d_.free_key != kNone) {
      k = d_.free_key;
      d_.free_key = d_.keys[k].head;
      d_.keys.mut(k) = entry;
    } else {
      k = d_.keys.size();
      d_.keys.push_back(entry);
    }
    index_.insert(hash, k);
    ++d_.live_keys;
  }
  Version v{time, seq, d_.arena.add(row), kNone, k};
  // Newest first: in-order arrivals go to the head at once.
  uint32_t prev = kNone;
  for (uint32_t at = d_.keys[k].head; at != kNone; at = d_.versions[at].next) {
    const Version& x = d_.versions[at];
    if (x.time < time || (x.time == time && x.seq < seq)) break;
    prev = at;
  }
  v.next = prev == kNone ? d_.keys[k].head : d_.versions[prev].next;
  uint32_t id;
  if (d_.free_version != kNone) {
    id = d_.free_version;
    d_.free_version = d_.versions[id].next;
    d_.versions.mut(id) = v;
  } else {
    id = d_.versions.size();
    d_.versions.push_back(v);
  }
  if (prev == kNone) {
    d_.keys.mut(k).head = id;
  } else {
    d_.versions.mut(prev).next = id;
  }
  ++d_.keys.mut(k).versions;
  ++d_.live_versions;
  if (d_.with_ends) {
    if (id == d_.ends.size()) {
      d_.ends.push_back(kForever);
    } else {
      d_.ends.mut(id) = kForever;
    }
  }
  return id;
}

bool JoinVersions::end_row(uint32_t key, std::string_view row) {
  for (uint32_t at = d_.keys[key].head; at != kNone; at = d_.versions[at].next) {
    if (d_.ends[at] == kForever && d_.arena.get(d_.versions[at].row) == row) {
      d_.ends.mut(at) = kPending;
      d_.pending.push_back(at);
      return true;
    }
  }
  return false;
}

void JoinVersions::end_pending(int64_t time) {
  for (uint32_t i = 0; i < d_.pending.size(); ++i) {
    const uint32_t v = d_.pending[i];
    if (d_.versions[v].time < time) {
      d_.ends.mut(v) = time;
      continue;
    }
    // Valid at no time: unlinked from its key's list now.
    const uint32_t k = d_.versions[v].key;
    uint32_t prev = kNone;
    for (uint32_t at = d_.keys[k].head; at != v; at = d_.versions[at].next) prev = at;
    unlink(k, prev, v);
    if (d_.keys[k].versions == 0) free_key(k);
  }
  d_.pending.clear();
  maybe_compact();
}

uint32_t JoinVersions::newest_valid_at(uint32_t key, int64_t time) const {
  for (uint32_t at = d_.keys[key].head; at != kNone; at = d_.versions[at].next) {
    if (d_.versions[at].time > time) continue;
    const int64_t e = d_.ends[at];
    if (e == kPending || e > time) return at;
  }
  return kNone;
}

void JoinVersions::prune_ended(int64_t bound) {
  for (uint32_t k = 0; k < d_.keys.size(); ++k) {
    if (d_.keys[k].versions == 0) continue;
    uint32_t prev = kNone;
    uint32_t at = d_.keys[k].head;
    while (at != kNone) {
      const uint32_t next = d_.versions[at].next;
      const int64_t e = d_.ends[at];
      if (e != kPending && e <= bound) {
        unlink(k, prev, at);
      } else {
        prev = at;
      }
      at = next;
    }
    if (d_.keys[k].versions == 0) free_key(k);
  }
  maybe_compact();
}

bool JoinVersions::remove_row(uint32_t key, std::string_view row) {
  uint32_t prev = kNone;
  for (uint32_t at = d_.keys[key].head; at != kNone; prev = at, at = d_.versions[at].next) {
    if (d_.arena.get(d_.versions[at].row) == row) {
      unlink(key, prev, at);
      if (d_.keys[key].versions == 0) free_key(key);
      maybe_compact();
      return true;
    }
  }
  return false;
}

uint32_t JoinVersions::newest_at_or_before(uint32_t key, int64_t time) const {
  for (uint32_t at = d_.keys[key].head; at != kNone; at = d_.versions[at].next) {
    if (d_.versions[at].time <= time) return at;
  }
  return kNone;
}

void JoinVersions::unlink(uint32_t k, uint32_t prev, uint32_t v) {
  Version& x = d_.versions.mut(v);
  if (prev == kNone) {
    d_.keys.mut(k).head = x.next;
  } else {
    d_.versions.mut(prev).next = x.next;
  }
  d_.arena.release(x.row);
  x.row = StringRef{};
  x.key = kNone;
  x.next = d_.free_version;
  d_.free_version = v;
  --d_.keys.mut(k).versions;
  --d_.live_versions;
}

void JoinVersions::drop_from(uint32_t k, uint32_t prev, uint32_t v) {
  while (v != kNone) {
    const uint32_t next = d_.versions[v].next;
    unlink(k, prev, v);
    v = next;
  }
}

void JoinVersions::free_key(uint32_t k) {
  Key& key = d_.keys.mut(k);
  index_.erase(key.hash, k);
  d_.arena.release(key.bytes);
  key.bytes = StringRef{};
  key.head = d_.free_key;
  d_.free_key = k;
  --d_.live_keys;
}

void JoinVersions::prune(int64_t bound, bool keep_one) {
  for (uint32_t k = 0; k < d_.keys.size(); ++k) {
    if (d_.keys[k].versions == 0) continue;
    uint32_t prev = kNone;
    uint32_t at = d_.keys[k].head;
    while (at != kNone && d_.versions[at].time >= bound) {
      if (keep_one && d_.versions[at].time == bound) break;
      prev = at;
      at = d_.versions[at].next;
    }
    if (at == kNone) continue;
    // `at` is the newest version below the bound (or at it): the first to go, or with
    // keep_one the one kept, and everything older goes.
    if (keep_one) {
      prev = at;
      at = d_.versions[at].next;
    }
    drop_from(k, prev, at);
    if (d_.keys[k].versions == 0) free_key(k);
  }
  maybe_compact();
}

void JoinVersions::clear() {
  const bool with_ends = d_.with_ends;
  d_ = Frozen{};
  d_.with_ends = with_ends;
  index_.clear();
}

void JoinVersions::maybe_compact() {
  // Amortized over the removals that made the garbage: the rewrite costs the live bytes.
  constexpr size_t kMinGarbage = 256 * 1024;
  if (d_.arena.garbage() < kMinGarbage || d_.arena.garbage() < d_.arena.used() / 2) return;
  compact_arena(d_.arena, [&](auto&& move) {
    for (uint32_t k = 0; k < d_.keys.size(); ++k) {
      if (d_.keys[k].versions != 0) move(d_.keys.mut(k).bytes);
    }
    for (uint32_t v = 0; v < d_.versions.size(); ++v) {
      if (d_.versions[v].key != kNone) move(d_.versions.mut(v).row);
    }
  });
}

int64_t JoinVersions::bytes() const {
  return static_cast<int64_t>(d_.versions.bytes() + d_.keys.bytes() + d_.arena.bytes() +
                              d_.ends.bytes() + d_.pending.bytes() + index_.bytes());
}

void JoinVersions::Frozen::write(StateWriter& w) const {
  w.i64(versions.size());
  versions.write(w);
  w.i64(keys.size());
  keys.write(w);
  arena.write(w);
  w.i64(free_version);
  w.i64(free_key);
  w.i64(live_versions);
  w.i64(live_keys);
  if (!with_ends) return;
  w.i64(ends.size());
  ends.write(w);
  w.i64(pending.size());
  pending.write(w);
}

Status JoinVersions::read(StateReader& r, const JoinRowCodec& codec) {
  clear();
  std::string scratch;
  int64_t n;
  SLC_RETURN_IF_ERROR(r.count(n, sizeof(Version)));
  if (n >= kNone) return damaged("too many versions");
  SLC_RETURN_IF_ERROR(d_.versions.read(r, static_cast<uint32_t>(n), scratch));
  SLC_RETURN_IF_ERROR(r.count(n, sizeof(Key)));
  if (n >= kNone) return damaged("too many keys");
  SLC_RETURN_IF_ERROR(d_.keys.read(r, static_cast<uint32_t>(n), scratch));
  SLC_RETURN_IF_ERROR(d_.arena.read(r));
  int64_t free_version, free_key, live_versions, live_keys;
  SLC_RETURN_IF_ERROR(r.i64(free_version));
  SLC_RETURN_IF_ERROR(r.i64(free_key));
  SLC_RETURN_IF_ERROR(r.i64(live_versions));
  SLC_RETURN_IF_ERROR(r.i64(live_keys));
  d_.free_version = static_cast<uint32_t>(free_version);
  d_.free_key = static_cast<uint32_t>(free_key);
  d_.live_versions = live_versions;
  d_.live_keys = live_keys;
  if (d_.with_ends) {
    SLC_RETURN_IF_ERROR(r.count(n, sizeof(int64_t)));
    if (n != d_.versions.size()) return damaged("version ends that do not match its versions");
    SLC_RETURN_IF_ERROR(d_.ends.read(r, static_cast<uint32_t>(n), scratch));
    SLC_RETURN_IF_ERROR(r.count(n, sizeof(uint32_t)));
    if (n > d_.versions.size()) return damaged("more pending ends than versions");
    SLC_RETURN_IF_ERROR(d_.pending.read(r, static_cast<uint32_t>(n), scratch));
  }
  Status s = check();
  if (s.ok() && d_.with_ends) s = check_ends();
  if (s.ok()) {
    for (uint32_t v = 0; v < d_.versions.size() && s.ok(); ++v) {
      if (d_.versions[v].key != kNone && !codec.valid(d_.arena.get(d_.versions[v].row))) {
        s = damaged("a row that does not match the join's columns");
      }
    }
  }
  if (!s.ok()) {
    clear();
    return s;
  }
  index_.reserve(static_cast<uint32_t>(d_.live_keys));
  // The arena's garbage as it was when captured (maybe_compact's live references), so a
  // restored join compacts when the uninterrupted one does.
  size_t held = 0;
  for (uint32_t k = 0; k < d_.keys.size(); ++k) {
    if (d_.keys[k].versions == 0) continue;
    index_.insert(d_.keys[k].hash, k);
    held += StringArena::live_bytes(d_.keys[k].bytes);
  }
  for (uint32_t v = 0; v < d_.versions.size(); ++v) {
    if (d_.versions[v].key != kNone) held += StringArena::live_bytes(d_.versions[v].row);
  }
  d_.arena.recount_garbage(held);
  return Status::Ok();
}

Status JoinVersions::check_ends() const {
  // Pending: live versions, each once, and exactly those whose end says so.
  const uint32_t nv = d_.versions.size();
  std::vector<uint8_t> listed(nv, 0);
  for (uint32_t i = 0; i < d_.pending.size(); ++i) {
    const uint32_t v = d_.pending[i];
    if (v >= nv || listed[v] || d_.versions[v].key == kNone || d_.ends[v] != kPending) {
      return damaged("a broken list of pending ends");
    }
    listed[v] = 1;
  }
  for (uint32_t v = 0; v < nv; ++v) {
    if (d_.versions[v].key != kNone && d_.ends[v] == kPending && !listed[v]) {
      return damaged("a pending end not listed");
    }
  }
  return Status::Ok();
}

Status JoinVersions::check() const {
  const uint32_t nv = d_.versions.size();
  const uint32_t nk = d_.keys.size();
  // Every link in range and every list finite: a version is on at most one list.
  std::vector<uint8_t> seen(nv, 0);
  int64_t live_versions = 0, live_keys = 0;
  for (uint32_t k = 0; k < nk; ++k) {
    const Key& key = d_.keys[k];
    if (key.versions == 0) continue;
    ++live_keys;
    if (!d_.arena.valid(key.bytes)) return damaged("a key outside its arena");
    uint32_t count = 0;
    for (uint32_t at = key.head; at != kNone; at = d_.versions[at].next) {
      if (at >= nv || seen[at] || d_.versions[at].key != k) return damaged("a broken version list");
      if (!d_.arena.valid(d_.versions[at].row)) return damaged("a row outside its arena");
      seen[at] = 1;
      ++count;
    }
    if (count != key.versions) return damaged("a key's version count");
    live_versions += count;
  }
  for (uint32_t at = d_.free_version; at != kNone; at = d_.versions[at].next) {
    if (at >= nv || seen[at] || d_.versions[at].key != kNone) return damaged("a broken free list");
    seen[at] = 1;
  }
  std::vector<uint8_t> free_keys(nk, 0);
  for (uint32_t k = d_.free_key; k != kNone; k = d_.keys[k].head) {
    if (k >= nk || free_keys[k] || d_.keys[k].versions != 0) return damaged("a broken key list");
    free_keys[k] = 1;
  }
  if (live_versions != d_.live_versions || live_keys != d_.live_keys) {
    return damaged("counts that do not match its entries");
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
