#include "dataflow/join_keys.h"

#include "dataflow/aggregate_operator.h"
#include "dataflow/key_bytes.h"
#include "dataflow/value_slots.h"
#include "sql/expr_eval.h"

namespace sluice::dataflow {

Status JoinKeys::compute(const RecordBatch& batch) {
  const int64_t n = batch.num_rows();
  columns_.clear();
  for (const auto& e : exprs_) {
    SLC_ASSIGN_OR_RETURN(Column c, sql::evaluate_column(*e, batch));
    columns_.push_back(std::move(c));
  }
  bytes_.clear();
  offsets_.assign(1, 0);
  hashes_.resize(static_cast<size_t>(n));
  nulls_.assign(static_cast<size_t>(n), 0);
  for (int64_t r = 0; r < n; ++r) {
    const size_t from = bytes_.size();
    for (const Column& c : columns_) {
      if (c.is_null(r)) nulls_[static_cast<size_t>(r)] = 1;
      append_key(bytes_, c, r);
    }
    offsets_.push_back(bytes_.size());
    hashes_[static_cast<size_t>(r)] =
        hash_string(std::string_view(bytes_).substr(from, bytes_.size() - from));
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
