#include "dataflow/join_regular.h"

#include <string>

namespace sluice::dataflow {

namespace {

// Pairs evaluated by the residual at a time: bounds the batch a probe builds.
constexpr size_t kMaxPairs = 16 * 1024;

enum RowKind : uint8_t { kDropped = 0, kProbed = 1, kNullKey = 2 };

}  // namespace

Result<std::unique_ptr<JoinOperator>> RegularJoinOperator::make(
    std::shared_ptr<const sql::BoundJoin> join) {
  SLC_ASSIGN_OR_RETURN(JoinSide left, JoinSide::make(*join, kLeftSide));
  SLC_ASSIGN_OR_RETURN(JoinSide right, JoinSide::make(*join, kRightSide));
  if (join->retention < 0) {
    return Status(ErrorCode::kInvalidArgument, "a regular join's retention is negative");
  }
  if (join->retention > 0 && (left.time_column < 0 || right.time_column < 0)) {
    return Status(ErrorCode::kInvalidArgument,
                  "a regular join's retention needs a time column on each side (rows are "
                  "dropped as the watermarks pass their time)");
  }
  SLC_ASSIGN_OR_RETURN(bool with_op, join_output_has_op(*join, left, right));
  const bool changes =
      join->type == sql::JoinType::kLeftOuter || left.op_column >= 0 || right.op_column >= 0;
  if (changes && !with_op) {
    return Status(ErrorCode::kInvalidArgument,
                  "a regular join that emits changes (left outer, or over an input that "
                  "updates) needs `_op` as its output's last column");
  }
  return std::unique_ptr<JoinOperator>(
      new RegularJoinOperator(std::move(join), std::move(left), std::move(right), with_op));
}

RegularJoinOperator::RegularJoinOperator(std::shared_ptr<const sql::BoundJoin> join, JoinSide left,
                                         JoinSide right, bool with_op)
    : join_(std::move(join)),
      sides_{std::move(left), std::move(right)},
      left_rows_(sides_[kLeftSide].make_rows()),
      right_rows_(sides_[kRightSide].make_rows()),
      pairs_(join_->output_schema, static_cast<int>(sides_[kLeftSide].columns.size()),
             static_cast<int>(sides_[kRightSide].columns.size()), with_op),
      output_(join_->output_schema, static_cast<int>(sides_[kLeftSide].columns.size()),
              static_cast<int>(sides_[kRightSide].columns.size()), with_op) {}

Status RegularJoinOperator::find_pairs(int side, int64_t n) {
  const JoinSide& s = sides_[side];
  const JoinRows& other = rows(1 - side);
  const Column* time = s.time_column >= 0 ? &batch_.batch->column(s.time_column) : nullptr;
  const int64_t late_limit = retained() ? time_limit(watermarks_[side], 0) : INT64_MIN;
  const __int128 retention = join_->retention;
  pair_rows_.clear();
  pair_stored_.clear();
  passed_.clear();
  size_t evaluated = 0;  // pairs before this one have been through the residual
  auto evaluate = [&]() -> Status {
    if (evaluated == pair_rows_.size()) return Status::Ok();
    pairs_.begin(side, &batch_, &other);
    for (size_t p = evaluated; p < pair_rows_.size(); ++p)
      pairs_.add(pair_rows_[p], pair_stored_[p]);
    SLC_ASSIGN_OR_RETURN(RecordBatch ignored, pairs_.finish(join_->residual, &kept_));
    (void)ignored;
    passed_.resize(pair_rows_.size(), 0);
    for (uint32_t k : kept_) passed_[evaluated + k] = 1;
    evaluated = pair_rows_.size();
    return Status::Ok();
  };
  kinds_.assign(static_cast<size_t>(n), kDropped);
  for (int64_t r = 0; r < n; ++r) {
    const auto k = static_cast<size_t>(r);
    if (retained() && (time->is_null(r) || time->int64_value(r) < late_limit)) {
      ++stats_.late_rows_dropped;
      continue;
    }
    if (batch_.null_key[k]) {
      kinds_[k] = kNullKey;
      continue;
    }
    kinds_[k] = kProbed;
    const __int128 t = retained() ? time->int64_value(r) : 0;
    other.for_each_with_key(batch_.keys, r, batch_.hashes[k], [&](uint32_t i) {
      if (retained() && (other.time(i) < t - retention || other.time(i) > t + retention)) return;
      pair_rows_.push_back(static_cast<uint32_t>(r));
      pair_stored_.push_back(i);
    });
    if (pair_rows_.size() - evaluated >= kMaxPairs) SLC_RETURN_IF_ERROR(evaluate());
  }
  return evaluate();
}

Status RegularJoinOperator::process(int side, const RecordBatch& input,
                                    std::vector<RecordBatch>& out) {
  const int64_t n = input.num_rows();
  stats_.rows_in += n;
  if (n == 0) return Status::Ok();
  const JoinSide& s = sides_[side];
  SLC_RETURN_IF_ERROR(s.prepare(input, batch_));
  SLC_RETURN_IF_ERROR(find_pairs(side, n));
  const int other_side = 1 - side;
  JoinRows& own = rows(side);
  JoinRows& other = rows(other_side);
  const bool left = side == kLeftSide;
  const Column* time = s.time_column >= 0 ? &input.column(s.time_column) : nullptr;
  // With a retention, a row before this can match no row the other side has yet to send.
  const int64_t keep_limit =
      retained() ? time_limit(watermarks_[other_side], join_->retention) : INT64_MIN;
  // One output row: this batch's row `r` and the other side's stored row i (kNone: NULLs).
  output_.begin(side, &batch_, &other);
  auto emit = [&](int64_t r, uint32_t i, bool insert) { output_.add(r, i, insert); };
  // A stored left row with NULLs (this batch is the right side's).
  auto emit_padded_left = [&](uint32_t i, bool insert) {
    output_.add(JoinOutput::kNulls, i, insert);
  };
  size_t p = 0;
  for (int64_t r = 0; r < n; ++r) {
    const auto k = static_cast<size_t>(r);
    const bool insert = !s.is_delete(input, r);
    const size_t first = p;
    while (p < pair_rows_.size() && pair_rows_[p] == static_cast<uint32_t>(r)) ++p;
    if (kinds_[k] == kDropped) continue;
    if (kinds_[k] == kNullKey) {
      // Matches nothing, ever: kept nowhere; a left outer join passes it on with NULLs.
      if (outer() && left) emit(r, JoinRows::kNone, insert);
      continue;
    }
    int32_t matches = 0;
    for (size_t q = first; q < p; ++q) matches += passed_[q];
    if (insert) {
      const int64_t t = time != nullptr ? time->int64_value(r) : 0;
      if (t >= keep_limit) own.add(batch_.columns, batch_.keys, r, batch_.hashes[k], matches);
    } else {
      const uint32_t j = own.find_equal(batch_.columns, batch_.keys, r, batch_.hashes[k]);
      if (j == JoinRows::kNone) {
        // Never kept: dropped by the retention (as it says), or, when everything is kept, a
        // delete the changelog never inserted, counted.
        if (!retained()) ++stats_.unmatched_deletes;
        continue;
      }
      own.remove(j);
    }
    if (left) {
      if (outer() && matches == 0) emit(r, JoinRows::kNone, insert);
      for (size_t q = first; q < p; ++q) {
        if (passed_[q]) emit(r, pair_stored_[q], insert);
      }
      continue;
    }
    for (size_t q = first; q < p; ++q) {
      if (!passed_[q]) continue;
      const uint32_t i = pair_stored_[q];
      if (insert) {
        if (outer() && other.matches(i) == 0) emit_padded_left(i, false);
        other.set_matches(i, other.matches(i) + 1);
        emit(r, i, true);
      } else {
        emit(r, i, false);
        other.set_matches(i, other.matches(i) - 1);
        if (outer() && other.matches(i) == 0) emit_padded_left(i, true);
      }
    }
  }
  if (output_.size() > 0) {
    SLC_ASSIGN_OR_RETURN(RecordBatch batch, output_.finish(nullptr, nullptr));
    stats_.rows_out += batch.num_rows();
    out.push_back(std::move(batch));
  }
  own.reclaim();
  return Status::Ok();
}

Status RegularJoinOperator::on_watermark(int side, int64_t watermark,
                                         std::vector<RecordBatch>& out) {
  (void)out;  // dropping rows emits nothing: what they joined stays joined
  if (watermark <= watermarks_[side]) return Status::Ok();
  watermarks_[side] = watermark;
  if (!retained()) return Status::Ok();
  JoinRows& other = rows(1 - side);
  other.expire(time_limit(watermark, join_->retention), watermark == kFinalWatermark,
               [](uint32_t) {});
  other.reclaim();
  return Status::Ok();
}

std::unique_ptr<StateImage> RegularJoinOperator::capture() const {
  return std::make_unique<JoinStateImage>(watermarks_, left_rows_, right_rows_);
}

Status RegularJoinOperator::restore(StateReader& reader) {
  return read_join_state(reader, watermarks_, left_rows_, right_rows_);
}

StateStats RegularJoinOperator::state_stats() const {
  StateStats s;
  s.groups = left_rows_.live_rows() + right_rows_.live_rows();
  s.bytes = left_rows_.bytes() + right_rows_.bytes();
  return s;
}

std::string RegularJoinOperator::describe() const {
  std::string out = "regular join";
  out += outer() ? " (left outer)" : " (inner)";
  if (retained()) {
    out += ", retention " + std::to_string(join_->retention) + "us";
  } else {
    out += ", state unbounded";
  }
  if (!join_->sql.empty()) out += ", " + join_->sql;
  return out;
}

}  // namespace sluice::dataflow
