#include "dataflow/join_interval.h"

#include <string>

namespace sluice::dataflow {

namespace {

// Pairs gathered before they are emitted: bounds the batch a probe builds.
constexpr size_t kMaxPairs = 16 * 1024;

// What each row of a batch turned out to be.
enum RowKind : uint8_t { kDropped = 0, kProbed = 1, kNullKey = 2 };

}  // namespace

Result<std::unique_ptr<JoinOperator>> IntervalJoinOperator::make(
    std::shared_ptr<const sql::BoundJoin> join) {
  SLC_ASSIGN_OR_RETURN(JoinSide left, JoinSide::make(*join, kLeftSide));
  SLC_ASSIGN_OR_RETURN(JoinSide right, JoinSide::make(*join, kRightSide));
  const char* kind = sql::join_kind_name(join->kind);
  if (left.op_column >= 0 || right.op_column >= 0) {
    return Status(ErrorCode::kUnsupported, std::string("an ") + kind +
                                               " join reads append-only inputs; one of its "
                                               "inputs emits changes (use a regular join)");
  }
  if (left.time_column < 0 || right.time_column < 0) {
    return Status(ErrorCode::kInvalidArgument,
                  std::string("an ") + kind + " join needs a time column on each side");
  }
  if (static_cast<__int128>(join->lower) + join->upper < 0) {
    return Status(ErrorCode::kInvalidArgument, std::string("an ") + kind +
                                                   " join's time bounds leave no interval "
                                                   "(lower + upper < 0)");
  }
  SLC_ASSIGN_OR_RETURN(bool with_op, join_output_has_op(*join, left, right));
  return std::unique_ptr<JoinOperator>(
      new IntervalJoinOperator(std::move(join), std::move(left), std::move(right), with_op));
}

IntervalJoinOperator::IntervalJoinOperator(std::shared_ptr<const sql::BoundJoin> join,
                                           JoinSide left, JoinSide right, bool with_op)
    : join_(std::move(join)),
      sides_{std::move(left), std::move(right)},
      left_rows_(sides_[kLeftSide].make_rows()),
      right_rows_(sides_[kRightSide].make_rows()),
      pairs_(join_->output_schema, static_cast<int>(sides_[kLeftSide].columns.size()),
             static_cast<int>(sides_[kRightSide].columns.size()), with_op),
      padded_(join_->output_schema, static_cast<int>(sides_[kLeftSide].columns.size()),
              static_cast<int>(sides_[kRightSide].columns.size()), with_op) {
  if (join_->kind == sql::JoinKind::kWindow) {
    // A window's row is behind its side's watermark once the window has closed there
    // (end <= watermark, as an aggregate closes it): t + end_offset - 1 < watermark.
    shift_[kLeftSide] = join_->left_end_offset - 1;
    shift_[kRightSide] = join_->right_end_offset - 1;
  }
  reach_[kLeftSide] = join_->upper;
  reach_[kRightSide] = join_->lower;
  // A side whose rows are probed rarely (most of them leave unmatched) is never indexed.
  left_rows_.set_deferred_index();
  right_rows_.set_deferred_index();
}

Status IntervalJoinOperator::emit(JoinOutput& output, std::vector<RecordBatch>& out) {
  if (output.size() == 0) return Status::Ok();
  SLC_ASSIGN_OR_RETURN(RecordBatch batch, output.finish(nullptr, nullptr));
  stats_.rows_out += batch.num_rows();
  out.push_back(std::move(batch));
  return Status::Ok();
}

Status IntervalJoinOperator::flush_pairs(int side, std::vector<RecordBatch>& out) {
  if (pairs_.size() == 0) return Status::Ok();
  SLC_ASSIGN_OR_RETURN(RecordBatch batch, pairs_.finish(join_->residual, &kept_));
  if (outer()) {
    for (uint32_t k : kept_) {
      if (side == kLeftSide) {
        matched_[static_cast<size_t>(pairs_.row_at(k))] = 1;
      } else {
        left_rows_.set_matches(pairs_.stored_at(k), 1);
      }
    }
  }
  pairs_.begin(side, &batch_, &rows(1 - side));
  if (batch.num_rows() == 0) return Status::Ok();
  stats_.rows_out += batch.num_rows();
  out.push_back(std::move(batch));
  return Status::Ok();
}

Status IntervalJoinOperator::process(int side, const RecordBatch& input,
                                     std::vector<RecordBatch>& out) {
  const int64_t n = input.num_rows();
  stats_.rows_in += n;
  if (n == 0) return Status::Ok();
  const JoinSide& s = sides_[side];
  SLC_RETURN_IF_ERROR(s.prepare(input, batch_));
  const int other_side = 1 - side;
  JoinRows& own = rows(side);
  JoinRows& other = rows(other_side);
  other.before_probes(n);
  const Column& time = input.column(s.time_column);
  const int64_t late_limit = time_limit(watermarks_[side], shift_[side]);
  // A row before this can match no row the other side has yet to send: it is not kept.
  const int64_t keep_limit =
      time_limit(watermarks_[other_side], static_cast<__int128>(reach_[side]) + shift_[other_side]);
  matched_.assign(static_cast<size_t>(n), 0);
  pairs_.begin(side, &batch_, &other);
  std::vector<uint8_t>& kinds = kinds_;
  kinds.assign(static_cast<size_t>(n), kDropped);
  // For a left row at t the right times [t - lower, t + upper]; for a right row at s the
  // left times [s - upper, s + lower].
  const __int128 below = side == kLeftSide ? join_->lower : join_->upper;
  const __int128 above = side == kLeftSide ? join_->upper : join_->lower;
  for (int64_t r = 0; r < n; ++r) {
    if (time.is_null(r) || time.int64_value(r) < late_limit) {
      ++stats_.late_rows_dropped;
      continue;
    }
    if (batch_.null_key[static_cast<size_t>(r)]) {
      kinds[static_cast<size_t>(r)] = kNullKey;
      continue;
    }
    kinds[static_cast<size_t>(r)] = kProbed;
    const __int128 t = time.int64_value(r);
    other.for_each_with_key(batch_.keys, r, batch_.hashes[static_cast<size_t>(r)], [&](uint32_t i) {
      const int64_t o = other.time(i);
      if (o >= t - below && o <= t + above) pairs_.add(r, i);
    });
    if (pairs_.size() >= kMaxPairs) SLC_RETURN_IF_ERROR(flush_pairs(side, out));
  }
  SLC_RETURN_IF_ERROR(flush_pairs(side, out));
  const bool pad = outer() && side == kLeftSide;
  padded_.begin(kLeftSide, &batch_, &right_rows_);
  for (int64_t r = 0; r < n; ++r) {
    const auto k = static_cast<size_t>(r);
    if (kinds[k] == kDropped) continue;
    if (kinds[k] == kProbed && time.int64_value(r) >= keep_limit) {
      own.add(batch_.columns, batch_.keys, r, batch_.hashes[k], matched_[k]);
    } else if (pad && !matched_[k]) {
      padded_.add(r, JoinRows::kNone);
    }
  }
  return emit(padded_, out);
}

Status IntervalJoinOperator::on_watermark(int side, int64_t watermark,
                                          std::vector<RecordBatch>& out) {
  if (watermark <= watermarks_[side]) return Status::Ok();
  watermarks_[side] = watermark;
  const int other_side = 1 - side;
  JoinRows& other = rows(other_side);
  const int64_t limit =
      time_limit(watermark, static_cast<__int128>(reach_[other_side]) + shift_[side]);
  const bool pad = outer() && other_side == kLeftSide;
  padded_.begin(kRightSide, nullptr, &left_rows_);
  other.expire(limit, watermark == kFinalWatermark, [&](uint32_t i) {
    if (pad && other.matches(i) == 0) padded_.add(JoinOutput::kNulls, i);
  });
  SLC_RETURN_IF_ERROR(emit(padded_, out));
  other.reclaim();
  return Status::Ok();
}

std::unique_ptr<StateImage> IntervalJoinOperator::capture() const {
  return std::make_unique<JoinStateImage>(watermarks_, left_rows_, right_rows_);
}

Status IntervalJoinOperator::restore(StateReader& reader) {
  return read_join_state(reader, watermarks_, left_rows_, right_rows_);
}

StateStats IntervalJoinOperator::state_stats() const {
  StateStats s;
  s.groups = left_rows_.live_rows() + right_rows_.live_rows();
  s.bytes = left_rows_.bytes() + right_rows_.bytes();
  return s;
}

std::string IntervalJoinOperator::describe() const {
  std::string out = std::string(sql::join_kind_name(join_->kind)) + " join";
  out += outer() ? " (left outer)" : " (inner)";
  if (join_->kind == sql::JoinKind::kInterval) {
    out += ": right time in [left time - " + std::to_string(join_->lower) + "us, + " +
           std::to_string(join_->upper) + "us]";
  }
  if (!join_->sql.empty()) out += ", " + join_->sql;
  return out;
}

}  // namespace sluice::dataflow
