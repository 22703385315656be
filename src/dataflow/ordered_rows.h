#pragma once
// OrderedRows: ordered multisets of byte strings (OrderedRowCodec rows: their byte order is the
// rows' order), many of them in one pool — an OVER frame's partitions, each a tree. Each
// distinct string is one node with its count of copies; a tree finds the place of a string, and
// walks to the nodes before and after it, in O(log n) and O(1) per step.
//
// Layout (the aggregate's compact one, as JoinVersions): nodes are typed entries in a
// ChunkedArray, their bytes in a StringArena; a tree is a treap (a binary search tree by bytes,
// a heap by a priority hashed from the node's index: balanced in expectation whatever the
// order strings arrive in) linked by node indexes, with parent links for the walks. A removed
// node goes on a free list and is reused, so steady state allocates nothing per row; when
// removed strings' bytes outweigh the live ones, the arena is rewritten without them
// (maybe_compact). The caller keeps each tree's Tree (its root and counts).
//
// Checkpoints: capture() copies the array and the arena (chunk and block pointers, shared
// copy-on-write): O(chunks), not O(rows). Frozen::write writes them in bulk on any one thread;
// read() loads them back in bulk, and check() verifies every link and reference of the trees
// the caller names before anything follows them.
//
// Thread: the compute thread; a Frozen copy is written on any one thread.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dataflow/chunked_array.h"
#include "dataflow/state_codec.h"
#include "dataflow/string_arena.h"
#include "sluice/status.h"

namespace sluice::dataflow {

class OrderedRows {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Written to checkpoints as its bytes (ChunkedArray::write): no padding.
  struct Node {
    StringRef bytes;
    uint32_t copies;  // 0: free
    uint32_t left;    // on the free list: the next free node
    uint32_t right;
    uint32_t parent;
  };
  static_assert(std::has_unique_object_representations_v<Node>);

  // One multiset: its root and counts, kept by the caller (in its own typed arrays).
  struct Tree {
    uint32_t root = kNone;
    uint32_t distinct = 0;  // nodes
    int64_t copies = 0;     // copies of every node
  };

  // The pool as it was at capture(), shared copy-on-write with the live one.
  struct Frozen {
    ChunkedArray<Node> nodes;
    StringArena arena;
    uint32_t free = kNone;
    int64_t live = 0;  // nodes in trees
    void write(StateWriter& w) const;
  };

  std::string_view bytes(uint32_t n) const { return d_.arena.get(d_.nodes[n].bytes); }
  uint32_t copies(uint32_t n) const { return d_.nodes[n].copies; }

  // The node holding `s`, or kNone.
  uint32_t find(const Tree& t, std::string_view s) const;
  // The first node after every copy of `s` (kNone: none is).
  uint32_t upper_bound(const Tree& t, std::string_view s) const;
  uint32_t first(const Tree& t) const { return end(t, &Node::left); }
  uint32_t last(const Tree& t) const { return end(t, &Node::right); }
  // The node after (before) n in its tree, or kNone.
  uint32_t next(uint32_t n) const { return step(n, &Node::right, &Node::left); }
  uint32_t prev(uint32_t n) const { return step(n, &Node::left, &Node::right); }

  // One more copy of `s`.
  void add(Tree& t, std::string_view s);
  // `count` copies fewer of node n (at most its copies): the node is freed at 0.
  void remove(Tree& t, uint32_t n, uint32_t count);

  // Rewrites the arena without removed strings once they outweigh the live ones. Views of
  // strings taken before are no longer valid: call it between operations.
  void maybe_compact();
  void clear() { d_ = Frozen{}; }

  int64_t live_nodes() const { return d_.live; }
  // The nodes' entries (free ones included) and the bytes in the arena (removed ones included
  // until compaction): what a restore of this state holds too.
  int64_t held_bytes() const {
    return static_cast<int64_t>(d_.nodes.size() * sizeof(Node) + d_.arena.used());
  }

  Frozen capture() const { return d_; }
  // Reads what Frozen::write wrote. check() must follow before the trees are used.
  Status read(StateReader& r);
  // Checks the trees read (every node of them, none twice, links both ways, strictly
  // increasing bytes, each accepted by `valid`, the heap order of priorities, the counts in
  // each Tree) and the free list; every node must be in exactly one of them. SLC-4001 names
  // `what` when not.
  Status check(const std::vector<Tree>& trees,
               const std::function<bool(size_t tree, std::string_view bytes)>& valid,
               const std::string& what) const;

 private:
  // The node at the far `side` of the tree (kNone when empty).
  uint32_t end(const Tree& t, uint32_t Node::*side) const;
  // The node after n in the direction `ahead` (`back` the other way).
  uint32_t step(uint32_t n, uint32_t Node::*ahead, uint32_t Node::*back) const;
  // The heap order's priority of node n: a hash of its index (no field to store or check).
  static uint32_t priority(uint32_t n);
  // Rotates n above its parent.
  void rotate_up(Tree& t, uint32_t n);
  // Points what referred to `from` (its parent's child link, or the root) at `to`.
  void replace_child(Tree& t, uint32_t parent, uint32_t from, uint32_t to);
  int compare(uint32_t n, std::string_view s) const;

  Frozen d_;
};

}  // namespace sluice::dataflow
