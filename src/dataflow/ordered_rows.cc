#include "dataflow/ordered_rows.h"

#include "dataflow/join_arena.h"

namespace sluice::dataflow {

namespace {

Status damaged(const std::string& what, const std::string& detail) {
  return Status(ErrorCode::kDataCorrupt, what + " is damaged: " + detail);
}

}  // namespace

uint32_t OrderedRows::priority(uint32_t n) {
  // murmur3's finalizer: a bijection, so no two nodes tie.
  uint32_t x = n + 0x9e3779b9u;
  x ^= x >> 16;
  x *= 0x85ebca6bu;
  x ^= x >> 13;
  x *= 0xc2b2ae35u;
  x ^= x >> 16;
  return x;
}

int OrderedRows::compare(uint32_t n, std::string_view s) const {
  return bytes(n).compare(s);
}

uint32_t OrderedRows::find(const Tree& t, std::string_view s) const {
  uint32_t at = t.root;
  while (at != kNone) {
    const int c = compare(at, s);
    if (c == 0) return at;
    at = c > 0 ? d_.nodes[at].left : d_.nodes[at].right;
  }
  return kNone;
}

uint32_t OrderedRows::upper_bound(const Tree& t, std::string_view s) const {
  uint32_t best = kNone;
  for (uint32_t at = t.root; at != kNone;) {
    if (compare(at, s) > 0) {
      best = at;
      at = d_.nodes[at].left;
    } else {
      at = d_.nodes[at].right;
    }
  }
  return best;
}

uint32_t OrderedRows::end(const Tree& t, uint32_t Node::*side) const {
  uint32_t at = t.root;
  if (at == kNone) return kNone;
  while (d_.nodes[at].*side != kNone) at = d_.nodes[at].*side;
  return at;
}

uint32_t OrderedRows::step(uint32_t n, uint32_t Node::*ahead, uint32_t Node::*back) const {
  // The nearest node ahead: the far end of the subtree ahead, else the first ancestor n is
  // behind.
  if (d_.nodes[n].*ahead != kNone) {
    n = d_.nodes[n].*ahead;
    while (d_.nodes[n].*back != kNone) n = d_.nodes[n].*back;
    return n;
  }
  uint32_t p = d_.nodes[n].parent;
  while (p != kNone && d_.nodes[p].*ahead == n) {
    n = p;
    p = d_.nodes[p].parent;
  }
  return p;
}

void OrderedRows::replace_child(Tree& t, uint32_t parent, uint32_t from, uint32_t to) {
  if (parent == kNone) {
    t.root = to;
  } else if (d_.nodes[parent].left == from) {
    d_.nodes.mut(parent).left = to;
  } else {
    d_.nodes.mut(parent).right = to;
  }
}

void OrderedRows::rotate_up(Tree& t, uint32_t x) {
  const uint32_t p = d_.nodes[x].parent;
  const uint32_t g = d_.nodes[p].parent;
  uint32_t moved;  // x's inner subtree, which changes sides
  if (d_.nodes[p].left == x) {
    moved = d_.nodes[x].right;
    d_.nodes.mut(p).left = moved;
    d_.nodes.mut(x).right = p;
  } else {
    moved = d_.nodes[x].left;
    d_.nodes.mut(p).right = moved;
    d_.nodes.mut(x).left = p;
  }
  if (moved != kNone) d_.nodes.mut(moved).parent = p;
  d_.nodes.mut(p).parent = x;
  d_.nodes.mut(x).parent = g;
  replace_child(t, g, p, x);
}

void OrderedRows::add(Tree& t, std::string_view s) {
  uint32_t parent = kNone;
  bool left = false;
  for (uint32_t at = t.root; at != kNone;) {
    const int c = compare(at, s);
    if (c == 0) {
      ++d_.nodes.mut(at).copies;
      ++t.copies;
      return;
    }
    parent = at;
    left = c > 0;
    at = left ? d_.nodes[at].left : d_.nodes[at].right;
  }
  const Node node{d_.arena.add(s), 1, kNone, kNone, parent};
  uint32_t n;
  if (d_.free != kNone) {
    n = d_.free;
    d_.free = d_.nodes[n].left;
    d_.nodes.mut(n) = node;
  } else {
    n = d_.nodes.size();
    d_.nodes.push_back(node);
  }
  if (parent == kNone) {
    t.root = n;
  } else if (left) {
    d_.nodes.mut(parent).left = n;
  } else {
    d_.nodes.mut(parent).right = n;
  }
  ++t.distinct;
  ++t.copies;
  ++d_.live;
  while (d_.nodes[n].parent != kNone && priority(n) > priority(d_.nodes[n].parent)) {
    rotate_up(t, n);
  }
}

void OrderedRows::remove(Tree& t, uint32_t n, uint32_t count) {
  t.copies -= count;
  Node& node = d_.nodes.mut(n);
  node.copies -= count;
  if (node.copies > 0) return;
  // Down to a leaf, the higher-priority child rotated up each time (the heap order holds).
  for (;;) {
    const uint32_t l = d_.nodes[n].left, r = d_.nodes[n].right;
    if (l == kNone && r == kNone) break;
    const uint32_t up = l == kNone ? r : r == kNone ? l : priority(l) > priority(r) ? l : r;
    rotate_up(t, up);
  }
  replace_child(t, d_.nodes[n].parent, n, kNone);
  d_.arena.release(d_.nodes[n].bytes);
  d_.nodes.mut(n) = Node{StringRef{}, 0, d_.free, kNone, kNone};
  d_.free = n;
  --t.distinct;
  --d_.live;
}

void OrderedRows::maybe_compact() {
  // Amortized over the removals that made the garbage: the rewrite costs the live bytes.
  constexpr size_t kMinGarbage = 256 * 1024;
  if (d_.arena.garbage() < kMinGarbage || d_.arena.garbage() < d_.arena.used() / 2) return;
  compact_arena(d_.arena, [&](auto&& move) {
    for (uint32_t n = 0; n < d_.nodes.size(); ++n) {
      if (d_.nodes[n].copies != 0) move(d_.nodes.mut(n).bytes);
    }
  });
}

void OrderedRows::Frozen::write(StateWriter& w) const {
  w.i64(nodes.size());
  nodes.write(w);
  arena.write(w);
  w.i64(free == kNone ? -1 : static_cast<int64_t>(free));
  w.i64(live);
}

Status OrderedRows::read(StateReader& r) {
  clear();
  std::string scratch;
  int64_t n, free, live;
  SLC_RETURN_IF_ERROR(r.count(n, sizeof(Node)));
  if (n >= kNone) return damaged("an ordered row set", "too many nodes");
  SLC_RETURN_IF_ERROR(d_.nodes.read(r, static_cast<uint32_t>(n), scratch));
  SLC_RETURN_IF_ERROR(d_.arena.read(r));
  SLC_RETURN_IF_ERROR(r.i64(free));
  SLC_RETURN_IF_ERROR(r.i64(live));
  if (free < -1 || free >= n || live < 0 || live > n) {
    clear();
    return damaged("an ordered row set", "its free list or count is out of range");
  }
  d_.free = free < 0 ? kNone : static_cast<uint32_t>(free);
  d_.live = live;
  // The removed nodes' bytes are garbage until compaction, as they were before the capture.
  size_t held = 0;
  for (uint32_t i = 0; i < d_.nodes.size(); ++i) {
    if (d_.nodes[i].copies != 0) held += StringArena::live_bytes(d_.nodes[i].bytes);
  }
  d_.arena.recount_garbage(held);
  return Status::Ok();
}

Status OrderedRows::check(const std::vector<Tree>& trees,
                          const std::function<bool(size_t, std::string_view)>& valid,
                          const std::string& what) const {
  const uint32_t nv = d_.nodes.size();
  std::vector<uint8_t> seen(nv, 0);
  std::vector<uint32_t> stack;
  // A link from `parent` to `child` is sound: in range, linked back, below it in the heap.
  auto link_ok = [&](uint32_t parent, uint32_t child) {
    return child == kNone ||
           (child < nv && d_.nodes[child].parent == parent && priority(child) < priority(parent));
  };
  uint32_t listed = 0;
  for (size_t ti = 0; ti < trees.size(); ++ti) {
    const Tree& t = trees[ti];
    if (t.root != kNone && (t.root >= nv || d_.nodes[t.root].parent != kNone)) {
      return damaged(what, "a tree's root is out of range");
    }
    // In order, with a stack (no recursion: a damaged tree may be deep); each node is pushed
    // at most once, so a cycle stops at the second visit.
    uint32_t distinct = 0;
    int64_t copies = 0;
    std::string_view before;
    stack.clear();
    for (uint32_t at = t.root; at != kNone || !stack.empty();) {
      while (at != kNone) {
        if (seen[at] || d_.nodes[at].copies == 0) return damaged(what, "a node in two places");
        seen[at] = 1;
        if (!link_ok(at, d_.nodes[at].left) || !link_ok(at, d_.nodes[at].right)) {
          return damaged(what, "a broken link between rows");
        }
        stack.push_back(at);
        at = d_.nodes[at].left;
      }
      const uint32_t n = stack.back();
      stack.pop_back();
      const Node& node = d_.nodes[n];
      if (!d_.arena.valid(node.bytes)) return damaged(what, "a row outside its arena");
      const std::string_view s = d_.arena.get(node.bytes);
      if (distinct > 0 && !(before < s)) return damaged(what, "rows out of order");
      if (!valid(ti, s)) return damaged(what, "a row that does not read back");
      before = s;
      ++distinct;
      copies += node.copies;
      at = node.right;
    }
    if (distinct != t.distinct || copies != t.copies) {
      return damaged(what, "a tree's counts do not match its rows");
    }
    listed += distinct;
  }
  if (listed != d_.live) return damaged(what, "the rows listed do not match the rows counted");
  for (uint32_t at = d_.free; at != kNone; at = d_.nodes[at].left) {
    if (at >= nv || seen[at] || d_.nodes[at].copies != 0) {
      return damaged(what, "a broken free list");
    }
    seen[at] = 1;
    ++listed;
  }
  if (listed != nv) return damaged(what, "nodes in no tree and not free");
  return Status::Ok();
}

}  // namespace sluice::dataflow
