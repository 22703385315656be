#pragma once
// Projection pushdown into joins: a join step keeps and emits only the columns of its inputs
// that something reads — the query above it (any clause: SELECT, WHERE, GROUP BY, HAVING, OVER,
// QUALIFY), a join above it (its ON, and what it keeps in turn), or the join itself (its ON, its
// time columns) — instead of every column of both (a row kept in a join's state, and each row
// it emits, costs in proportion to its columns: Nexmark q3, q6, q7 and q9 read a few of them).
//
// How, without renumbering bound trees by hand: the statement is bound once as written while
// every column of a join step's output that is named is recorded (ExprBinder marks what it
// resolves through Scope::reads; `*` marks the columns it expands to; a join marks its ON and
// time columns). settle() then decides, from the last step to the first, what each join keeps
// (what it and its reader need, passed on to a join below it), and the statement is bound
// again: Binder::bind_join narrows each join's output and relations to its kept columns, so
// every name resolves to its place in the narrowed rows. The second binding reads only columns
// the first one recorded, so it cannot fail where the first did not.
//
// The result does not change: the same rows, and every object's columns, names and order. A
// pushdown stops at an object's boundary: a stream, view or sink keeps its declared columns
// (other queries read them), only the steps of one statement narrow (bound_plan.h). ASOF and
// lookup joins keep every column (their operators store rows through JoinRowCodec over whole
// rows), and a join whose reader recorded nothing (a UNION ALL reading it) keeps every column.
//
// Thread: values, used by one binding at a time.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sql/bound_plan.h"
#include "sql/relations.h"

namespace sluice::sql {

// The output columns of one step that something reads.
class ColumnReads {
 public:
  void mark(int column) {
    if (column < 0) return;
    if (static_cast<size_t>(column) >= read_.size()) read_.resize(static_cast<size_t>(column) + 1);
    read_[static_cast<size_t>(column)] = true;
  }
  bool read(int column) const {
    return column >= 0 && static_cast<size_t>(column) < read_.size() &&
           read_[static_cast<size_t>(column)];
  }

 private:
  std::vector<bool> read_;
};

class ColumnUsage {
 public:
  // What join step `step` keeps, for the second binding.
  struct Kept {
    // The input columns it stores and emits, in output order, numbered as the second binding's
    // inputs are (a join below it narrowed first).
    std::vector<int> left;
    std::vector<int> right;
    // Its output columns' names (not `_op`), as the first binding named them: a right column
    // is renamed `<relation>.<name>` when the left side has its name, and a left column the
    // join drops must not change that.
    std::vector<std::string> names;
  };

  // First binding: the reads of join step `step`'s output by the query whose FROM it is (one
  // such reader a join); null once settled (the second binding records nothing).
  ColumnReads* reader(const std::string& step);
  // First binding: the columns join step `step` needs itself (its ON and time columns, over
  // its output); null once settled.
  ColumnReads* own(const std::string& step);

  // After the first binding of a statement whose steps are `steps` and whose query reads
  // `input`: what each join keeps. Whether any join keeps fewer columns than its inputs have
  // (then the statement is bound again).
  bool settle(const std::vector<PlanStep>& steps, const std::string& input);
  bool settled() const { return settled_; }
  // Second binding: what join step `step` keeps; null when it keeps every column.
  const Kept* kept(std::string_view step) const;

 private:
  std::map<std::string, ColumnReads, std::less<>> reads_;
  std::map<std::string, int, std::less<>> readers_;  // queries that recorded their reads
  std::map<std::string, Kept, std::less<>> kept_;
  bool settled_ = false;
};

// `relations` (a join's, numbered over its whole output) with only the output columns `keep`
// says are kept, each relation's columns moved up over the ones dropped before them.
std::vector<Relation> kept_relations(const std::vector<Relation>& relations,
                                     const std::vector<bool>& keep);

}  // namespace sluice::sql
