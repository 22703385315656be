#include "dataflow/join_lookup_event.h"

#include "sql/join_change_column.h"

namespace sluice::dataflow {

namespace {

// The view's rows end with `_op` ('insert' / 'delete').
bool has_op(const sql::BoundJoin& join) {
  return sql::change_column(*join.right_schema, join.right_updating) >= 0;
}

}  // namespace

EventLookupJoinOperator::EventLookupJoinOperator(std::shared_ptr<const sql::BoundJoin> join)
    : HeldLeftJoin(join, "lookup-join-event/1", /*right_trailing=*/has_op(*join) ? 1 : 0,
                   /*with_ends=*/true),
      right_has_op_(has_op(*join_)) {}

Status EventLookupJoinOperator::process_right(const RecordBatch& input) {
  SLC_RETURN_IF_ERROR(right_keys_.compute(input));
  const Column& time = input.column(join_->right_time);
  const Column* op = right_has_op_ ? &input.column(input.num_columns() - 1) : nullptr;
  const int64_t bound = left_bound();
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    if (op != nullptr && sql::is_delete_row(*op, r)) {
      // Ends the version it deletes once the next version comes (join_lookup_event.h).
      if (right_keys_.null(r)) continue;  // never kept, as its insert was not
      // Nothing is kept once the left side has ended: no delete can match (the retention's
      // case, not the changelog's).
      if (bound == kFinalWatermark) continue;
      const uint32_t k = versions_.find_key(right_keys_.bytes(r), right_keys_.hash(r));
      bool ended = false;
      if (k != JoinVersions::kNone) {
        row_.clear();
        right_codec_.encode(input, r, row_);
        ended = versions_.end_row(k, row_);
      }
      // A delete that ends no version held without an end: its insert never reached the join
      // (an inconsistent changelog, a row inserted before the query was created, or a version
      // dropped as late) or was deleted already. Counted, as every operator's.
      if (!ended) ++stats_.unmatched_deletes;
      continue;
    }
    if (time.is_null(r) || time.int64_value(r) < right_watermark_) {
      ++stats_.late_rows_dropped;  // a late version
      continue;
    }
    const int64_t t = time.int64_value(r);
    version_clock_ = std::max(version_clock_, t);
    if (versions_.has_pending()) versions_.end_pending(version_clock_);
    if (right_keys_.null(r)) continue;
    // No left row will ever ask (the left side ended and none waits).
    if (bound == kFinalWatermark) continue;
    row_.clear();
    right_codec_.encode(input, r, row_);
    versions_.add(right_keys_.bytes(r), right_keys_.hash(r), t, right_seq_++, row_);
    ++added_since_prune_;
  }
  return Status::Ok();
}

uint32_t EventLookupJoinOperator::pick(uint32_t key, int64_t time) const {
  return versions_.newest_valid_at(key, time);
}

void EventLookupJoinOperator::prune(int64_t bound) {
  if (right_has_op_) {
    versions_.prune_ended(bound);
  } else {
    versions_.prune(bound, /*keep_one=*/true);  // no deletes: versions never end
  }
}

void EventLookupJoinOperator::capture_scalars(std::vector<int64_t>& values) const {
  values.push_back(version_clock_);
}

Status EventLookupJoinOperator::restore_scalars(StateReader& reader) {
  return reader.i64(version_clock_);
}

std::string EventLookupJoinOperator::describe() const {
  std::string s = join_->type == sql::JoinType::kLeftOuter ? "lookup left join" : "lookup join";
  s += " on " + std::to_string(join_->left_keys.size()) +
       " key(s), the view's version valid at each left row's time";
  if (join_->residual != nullptr) s += ", residual";
  return s;
}

}  // namespace sluice::dataflow
