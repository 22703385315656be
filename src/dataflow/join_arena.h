#pragma once
// compact_arena: rewrites a StringArena with only the strings still referred to, for the join
// states that release strings as rows leave (JoinVersions, JoinPendingRows). `visit(move)`
// calls move(ref) on every live reference (a mutable StringRef&, fetched through the owning
// ChunkedArray's mut()), which re-adds its bytes to the new arena and points it there. An
// image still holding the old arena keeps its blocks; they are freed when it drops them.
//
// Thread: the arena owner's.

#include "dataflow/string_arena.h"

namespace sluice::dataflow {

template <typename Visit>
void compact_arena(StringArena& arena, Visit&& visit) {
  StringArena fresh;
  visit([&](StringRef& ref) { ref = fresh.add(arena.get(ref)); });
  arena = std::move(fresh);
}

}  // namespace sluice::dataflow
