#pragma once
// JoinVersions: the right side of a temporal join, per key: rows in (time, arrival) order,
// newest first. An ASOF join picks a key's newest version at or before a left row's time; a
// lookup join by arrival keeps a view's current rows per key (time 0, so arrival order) and
// removes one when the view deletes it; a lookup join by event time (made `with_ends`) keeps
// a view's versions, each valid from its time until an end: none yet (kForever), not yet known
// (pending: a delete came, its time is set later, join_lookup_event.h says when), or a time.
//
// Layout (the aggregate's compact one): versions and keys are typed entries in ChunkedArrays,
// linked per key (a key's newest version first, each version to the next older); row and key
// bytes (JoinRowCodec's, JoinKeys') live in a StringArena. A removed entry goes on a free list
// and is reused, so steady state allocates nothing per row. A GroupTable maps a key's hash to
// its entry; it is an index only, rebuilt on restore. When removed rows' bytes outweigh the
// live ones the arena is rewritten without them.
//
// With ends, a version's end lives in a typed array beside the versions (same index) and the
// pending ones are listed; without, neither exists and the checkpoint is as it was.
//
// Checkpoints: capture() copies the arrays and the arena (their chunk and block pointers,
// shared copy-on-write): O(chunks), not O(rows); the frozen copy writes the arrays in bulk,
// and read() loads them back in bulk and checks every link and reference before use.
//
// Thread: the compute thread; a Frozen copy is written on any one thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "dataflow/chunked_array.h"
#include "dataflow/group_table.h"
#include "dataflow/join_row_codec.h"
#include "dataflow/operator.h"
#include "dataflow/state_codec.h"
#include "dataflow/string_arena.h"

namespace sluice::dataflow {

class JoinVersions {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  // A version's end (with_ends): none yet, or pending (a delete came; its time comes later).
  static constexpr int64_t kForever = INT64_MAX;
  static constexpr int64_t kPending = INT64_MIN;

  explicit JoinVersions(bool with_ends = false) { d_.with_ends = with_ends; }

  // Written to checkpoints as their bytes (ChunkedArray::write), so without padding: an
  // uninitialized byte would make two equal states write different images.
  struct Version {
    int64_t time;
    int64_t seq;    // arrival order on the right side: the later of two at one time wins
    StringRef row;  // JoinRowCodec bytes
    uint32_t next;  // the key's next older version; on the free list, the next free entry
    uint32_t key;   // kNone: free
    uint32_t unused = 0;
  };
  struct Key {
    uint64_t hash;
    StringRef bytes;
    uint32_t head;      // newest version; on the free list, the next free key
    uint32_t versions;  // 0: free
    uint32_t unused = 0;
  };
  static_assert(std::has_unique_object_representations_v<Version> &&
                std::has_unique_object_representations_v<Key>);

  // The state as it was at capture(), shared copy-on-write with the live one.
  struct Frozen {
    ChunkedArray<Version> versions;
    ChunkedArray<Key> keys;
    StringArena arena;
    uint32_t free_version = kNone;
    uint32_t free_key = kNone;
    int64_t live_versions = 0;
    int64_t live_keys = 0;
    bool with_ends = false;
    ChunkedArray<int64_t> ends;      // with_ends: per version (by index), its end
    ChunkedArray<uint32_t> pending;  // with_ends: the versions whose end is kPending
    void write(StateWriter& w) const;
  };

  // The key entry for these key bytes, or kNone.
  uint32_t find_key(std::string_view key, uint64_t hash) const;
  uint32_t head(uint32_t key) const { return d_.keys[key].head; }
  const Version& version(uint32_t v) const { return d_.versions[v]; }
  std::string_view row(uint32_t v) const { return d_.arena.get(d_.versions[v].row); }

  // Adds a version of the key (added if new), placed by (time, seq) among the key's; with
  // ends, it has none yet. Returns its index.
  uint32_t add(std::string_view key, uint64_t hash, int64_t time, int64_t seq,
               std::string_view row);
  // Removes the newest version of `key` whose row bytes are `row`; false when there is none.
  bool remove_row(uint32_t key, std::string_view row);
  // The newest version of `key` at or before `time` (ties: the latest arrival), or kNone.
  uint32_t newest_at_or_before(uint32_t key, int64_t time) const;
  // With ends: the end of version v (kForever, kPending or a time).
  int64_t end(uint32_t v) const { return d_.ends[v]; }
  // With ends: makes the end of the newest version of `key` whose row bytes are `row` and that
  // has no end yet pending; false when there is none.
  bool end_row(uint32_t key, std::string_view row);
  bool has_pending() const { return d_.pending.size() > 0; }
  // With ends: every pending version ends at `time`; one whose validity is then empty (its
  // time at or after `time`) is dropped at once.
  void end_pending(int64_t time);
  // With ends: the newest version of `key` at or before `time` still valid at `time` (its end
  // after it, or pending), or kNone.
  uint32_t newest_valid_at(uint32_t key, int64_t time) const;
  // With ends: drops the versions that ended at or before `bound`.
  void prune_ended(int64_t bound);
  // Drops, for every key, the versions older than `bound`; with `keep_one`, it keeps the
  // newest version at or before `bound` (the one a query at `bound` would pick) and drops
  // only those older than it.
  void prune(int64_t bound, bool keep_one);
  void clear();

  int64_t versions() const { return d_.live_versions; }
  int64_t keys() const { return d_.live_keys; }
  int64_t bytes() const;

  Frozen capture() const { return d_; }
  // Reads what Frozen::write wrote; every row is checked against `codec`. A damaged state is
  // SLC-4001 and leaves this empty.
  Status read(StateReader& r, const JoinRowCodec& codec);

 private:
  // Frees v (of key k, after `prev` in its list, or its head when prev is kNone).
  void unlink(uint32_t k, uint32_t prev, uint32_t v);
  // Frees v and every older version of its key.
  void drop_from(uint32_t k, uint32_t prev, uint32_t v);
  void free_key(uint32_t k);
  void maybe_compact();
  Status check() const;
  Status check_ends() const;

  Frozen d_;
  GroupTable index_;
};

}  // namespace sluice::dataflow
