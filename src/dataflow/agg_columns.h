#pragma once
// AggColumns: one aggregate call's state for every group of a group store, as typed arrays:
//   COUNT(*), COUNT(x)            count
//   COUNT(DISTINCT x)             a DistinctSet per group (shared copy-on-write with images)
//   SUM, AVG                      count, and the sum: int64 (BIGINT, INT, INTERVAL SUM),
//                                 double (DOUBLE; AVG of integers), __int128 (DECIMAL)
//   VAR*, STDDEV*                 count, mean, m2 (Welford)
//   MIN, MAX, FIRST/LAST_VALUE    a ValueSlots of the argument's type
// Over an input that emits changes (`retracting`: sql/aggregate_changes.h) a row may also be
// taken back (remove(), agg_columns_retract.cc): MIN, MAX and COUNT(DISTINCT) then keep a
// ValueMultiset per group (each value with its rows), the others subtract what add() added.
// It folds rows into a group's state (FILTER is applied by the caller), merges two groups'
// states (sessions joining), and appends a group's result.
//
// Thread: as ChunkedArray (the compute thread writes; images are read anywhere).

#include <memory>
#include <string>

#include "dataflow/agg_multiset.h"
#include "dataflow/chunked_array.h"
#include "dataflow/distinct_set.h"
#include "dataflow/string_arena.h"
#include "dataflow/value_slots.h"
#include "sluice/column_builder.h"
#include "sql/bound_query.h"
#include "sql/expr_eval.h"

namespace sluice::dataflow {

class AggColumns {
 public:
  // `call` outlives this (its query is held by the operator and by every image).
  // `retracting`: rows may be removed too (FIRST/LAST_VALUE never are: the binder refuses them).
  AggColumns(const sql::AggregateCall& call, bool retracting);

  void push_back();
  void reset(uint32_t g, StringArena& arena);
  // Folds row `row` of the batch (its argument in `arg`) into group g. `scratch` is reused.
  Status add(uint32_t g, const sql::Datum& arg, int64_t row, StringArena& arena,
             std::string& scratch);
  // The common cases inline, for the caller's typed loops: COUNT(*) or COUNT(x) of a
  // non-null x; SUM of a non-null BIGINT (false on overflow); SUM or AVG of a non-null DOUBLE.
  void add_count_star(uint32_t g) { ++count_.mut(g); }
  bool add_int64(uint32_t g, int64_t v) {
    ++count_.mut(g);
    int64_t& sum = i_.mut(g);
    return !__builtin_add_overflow(sum, v, &sum);
  }
  void add_double(uint32_t g, double v) {
    ++count_.mut(g);
    d_.mut(g) += v;
  }
  // Takes row `row` (its argument in `arg`) back out of group g: the inverse of add(), for a
  // deleted row of an input that emits changes. False when the group does not hold the value (a
  // delete of a row this operator never saw): nothing changes, and the caller counts it
  // (OperatorStats::unmatched_deletes). Exact for integers, DECIMAL and the value sets; a DOUBLE
  // sum or moment subtracts in floating point (docs/sql.md).
  Result<bool> remove(uint32_t g, const sql::Datum& arg, int64_t row, std::string& scratch);
  // Folds group `from`'s state into group `into` (`into` is the earlier session).
  Status merge(uint32_t into, uint32_t from, StringArena& arena) {
    return merge_from(into, *this, from, arena, arena);
  }
  // The same for group `from` of `other` (the same call's state in another store, whose
  // strings are in `from_arena`): a HOP window's groups combined from its panes.
  Status merge_from(uint32_t into, const AggColumns& other, uint32_t from,
                    const StringArena& from_arena, StringArena& arena);
  // Whether merging partial states of `call` gives exactly what folding every row in arrival
  // order gives, errors included: COUNT, COUNT(DISTINCT), and MIN/MAX but of DOUBLE (-0.0 and
  // 0.0 tie, and the first to arrive is kept). Not SUM (an overflow depends on the order of
  // the additions; DOUBLE sums round differently), AVG, VAR/STDDEV, FIRST/LAST_VALUE.
  static bool combines_exactly(const sql::AggregateCall& call);
  // Appends group g's result (of the call's result type).
  void finalize_into(ColumnBuilder& out, uint32_t g, const StringArena& arena) const;

  // The strings this aggregate keeps (text MIN/MAX/FIRST/LAST), moved to another arena.
  void move_strings(const StringArena& from, StringArena& to) {
    if (shape_ == Shape::kValue) value_.move_strings(from, to);
  }
  size_t string_bytes() const { return shape_ == Shape::kValue ? value_.string_bytes() : 0; }

  size_t bytes() const;
  void write(StateWriter& w) const;
  Status read(StateReader& r, uint32_t n, const StringArena& arena, std::string& scratch);

 private:
  // kMultiset: MIN, MAX, COUNT(DISTINCT) over changes.
  enum class Shape {
    kCount,
    kDistinct,
    kSumInt,
    kSumDouble,
    kSumDecimal,
    kMoments,
    kValue,
    kMultiset
  };
  Status add_decimal(uint32_t g, __int128 units);
  // Row r of a numeric argument as add() and remove() fold it: an integer SUM's BIGINT, or the
  // DOUBLE a DOUBLE sum, AVG of integers or a moment takes.
  int64_t integer_at(const Column& column, int64_t r) const {
    return arg_type_ == DataType::kInt32 ? column.int32_value(r) : column.int64_value(r);
  }
  double double_at(const Column& column, int64_t r) const;

  const sql::AggregateCall* call_;
  Shape shape_;
  DataType arg_type_;
  ChunkedArray<int64_t> count_;
  ChunkedArray<int64_t> i_;                        // kSumInt
  ChunkedArray<double> d_;                         // kSumDouble: the sum; kMoments: the mean
  ChunkedArray<double> m2_;                        // kMoments: squared differences from the mean
  ChunkedArray<__int128> dec_;                     // kSumDecimal
  ChunkedArray<CowPtr<DistinctSet>> sets_;         // kDistinct (null: empty)
  ValueSlots value_;                               // kValue
  ChunkedArray<CowPtr<ValueMultiset>> multisets_;  // kMultiset (null: empty)
};

}  // namespace sluice::dataflow
