#pragma once
// JoinSide: what a join needs to know of one input, fixed when the join is made — which of
// its columns are stored and emitted (all but an updating input's `_op`), its event-time
// column, its equi-join keys (and which of them are plain columns, compared in place) — and,
// per batch, the keys evaluated and hashed a column at a time (JoinSide::Batch).
//
// Thread: immutable once made; a Batch belongs to the compute thread.

#include <cstdint>
#include <memory>
#include <vector>

#include "dataflow/join_rows.h"
#include "sluice/record_batch.h"
#include "sluice/schema.h"
#include "sluice/status.h"
#include "sql/bound_plan.h"

namespace sluice::dataflow {

struct JoinSide {
  std::vector<int> columns;  // the input's stored columns, in output order
  std::vector<DataType> types;
  int time_column = -1;  // -1: none
  int op_column = -1;    // an updating input's `_op`, else -1
  std::vector<sql::BoundExprPtr> keys;
  std::vector<int> key_columns;  // per key: its place in `columns` when it is one, else -1
  std::vector<DataType> key_types;

  // One batch of this side, prepared.
  struct Batch {
    const RecordBatch* batch = nullptr;
    std::vector<const Column*> columns;  // the stored columns
    std::vector<Column> keys;
    std::vector<uint64_t> hashes;
    std::vector<uint8_t> null_key;  // a key is NULL: the row matches nothing
    int64_t rows() const { return batch->num_rows(); }
  };

  // The side of `join` (kLeftSide or kRightSide); `updating` inputs must have an `_op` column.
  static Result<JoinSide> make(const sql::BoundJoin& join, int side);
  Status prepare(const RecordBatch& batch, Batch& out) const;
  // Whether row `row` of `batch` is a delete (an updating input's `_op` says 'delete').
  bool is_delete(const RecordBatch& batch, int64_t row) const;
  JoinRows make_rows() const;
};

// The limit L with t < L exactly when t + shift < watermark (a row at t is then behind it),
// saturated to the range (no watermark yet gives INT64_MIN: nothing is behind it).
int64_t time_limit(int64_t watermark, __int128 shift);

}  // namespace sluice::dataflow
