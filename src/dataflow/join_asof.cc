#include "dataflow/join_asof.h"

namespace sluice::dataflow {

namespace {

// t - d, or the smallest time when that falls below it.
int64_t minus(int64_t t, int64_t d) {
  int64_t r;
  return __builtin_sub_overflow(t, d, &r) ? INT64_MIN : r;
}

}  // namespace

AsofJoinOperator::AsofJoinOperator(std::shared_ptr<const sql::BoundJoin> join)
    : HeldLeftJoin(std::move(join), "asof-join/1", /*right_trailing=*/0, /*with_ends=*/false) {}

Status AsofJoinOperator::process_right(const RecordBatch& input) {
  SLC_RETURN_IF_ERROR(right_keys_.compute(input));
  const Column& time = input.column(join_->right_time);
  const int64_t bound = left_bound();
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    if (time.is_null(r) || time.int64_value(r) < right_watermark_) {
      ++stats_.late_rows_dropped;
      continue;
    }
    if (right_keys_.null(r)) continue;
    const int64_t t = time.int64_value(r);
    // No left row will ever ask (the left side ended), or one that does finds it too old.
    if (bound == kFinalWatermark) continue;
    if (join_->tolerance >= 0 && t < minus(bound, join_->tolerance)) continue;
    row_.clear();
    right_codec_.encode(input, r, row_);
    versions_.add(right_keys_.bytes(r), right_keys_.hash(r), t, right_seq_++, row_);
    ++added_since_prune_;
  }
  return Status::Ok();
}

uint32_t AsofJoinOperator::pick(uint32_t key, int64_t time) const {
  const uint32_t v = versions_.newest_at_or_before(key, time);
  if (v == JoinVersions::kNone) return v;
  if (join_->tolerance >= 0 && versions_.version(v).time < minus(time, join_->tolerance)) {
    return JoinVersions::kNone;  // too old
  }
  return v;
}

void AsofJoinOperator::prune(int64_t bound) {
  if (join_->tolerance >= 0) {
    versions_.prune(minus(bound, join_->tolerance), /*keep_one=*/false);
  } else {
    versions_.prune(bound, /*keep_one=*/true);
  }
}

std::string AsofJoinOperator::describe() const {
  std::string s = join_->type == sql::JoinType::kLeftOuter ? "asof left join" : "asof join";
  s += " on " + std::to_string(join_->left_keys.size()) + " key(s)";
  if (join_->tolerance >= 0) s += ", tolerance " + std::to_string(join_->tolerance) + "us";
  if (join_->residual != nullptr) s += ", residual";
  return s;
}

}  // namespace sluice::dataflow
