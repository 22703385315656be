#pragma once
// JoinKeys: a batch's equi-join keys (BoundJoin::left_keys or right_keys evaluated over it),
// per row as comparable bytes (append_key's encoding, column after column: -0.0 equals 0.0,
// one NaN) with their hash, and whether any key column is NULL (a NULL key never matches).
// Computed a batch at a time into buffers reused across batches.
//
// Thread: the owning operator's (the compute thread).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sql/bound_expr.h"

namespace sluice::dataflow {

class JoinKeys {
 public:
  explicit JoinKeys(std::vector<sql::BoundExprPtr> exprs) : exprs_(std::move(exprs)) {}

  // Evaluates the keys over `batch`.
  Status compute(const RecordBatch& batch);
  std::string_view bytes(int64_t row) const {
    const auto r = static_cast<size_t>(row);
    return std::string_view(bytes_).substr(offsets_[r], offsets_[r + 1] - offsets_[r]);
  }
  uint64_t hash(int64_t row) const { return hashes_[static_cast<size_t>(row)]; }
  bool null(int64_t row) const { return nulls_[static_cast<size_t>(row)] != 0; }

 private:
  std::vector<sql::BoundExprPtr> exprs_;
  std::vector<Column> columns_;
  std::string bytes_;
  std::vector<size_t> offsets_;
  std::vector<uint64_t> hashes_;
  std::vector<uint8_t> nulls_;
};

}  // namespace sluice::dataflow
