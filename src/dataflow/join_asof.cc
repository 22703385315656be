#include "dataflow/join_asof.h"

namespace sluice::dataflow {

namespace {

constexpr std::string_view kStateTag = "asof-join/1";

// t - d, or the smallest time when that falls below it.
int64_t minus(int64_t t, int64_t d) {
  int64_t r;
  return __builtin_sub_overflow(t, d, &r) ? INT64_MIN : r;
}

// The join as it was at capture(): the right rows and waiting left rows (shared
// copy-on-write) and the scalars.
class AsofImage final : public StateImage {
 public:
  AsofImage(JoinVersions::Frozen right, JoinPendingRows::Frozen waiting,
            std::vector<int64_t> scalars)
      : right_(std::move(right)), waiting_(std::move(waiting)), scalars_(std::move(scalars)) {}

  void write(StateWriter& w) const override {
    w.str(kStateTag);
    for (const int64_t v : scalars_) w.i64(v);
    right_.write(w);
    waiting_.write(w);
  }

 private:
  const JoinVersions::Frozen right_;
  const JoinPendingRows::Frozen waiting_;
  const std::vector<int64_t> scalars_;
};

}  // namespace

AsofJoinOperator::AsofJoinOperator(std::shared_ptr<const sql::BoundJoin> join)
    : join_(std::move(join)),
      left_codec_(JoinRowCodec::for_schema(*join_->left_schema)),
      right_codec_(JoinRowCodec::for_schema(*join_->right_schema)),
      left_keys_(join_->left_keys),
      right_keys_(join_->right_keys),
      pairs_(*join_, left_codec_, right_codec_) {}

Status AsofJoinOperator::process(int side, const RecordBatch& input,
                                 std::vector<RecordBatch>& out) {
  stats_.rows_in += input.num_rows();
  if (input.num_rows() == 0) return Status::Ok();
  return side == kLeftSide ? process_left(input, out) : process_right(input);
}

Status AsofJoinOperator::process_left(const RecordBatch& input, std::vector<RecordBatch>& out) {
  SLC_RETURN_IF_ERROR(left_keys_.compute(input));
  const Column& time = input.column(join_->left_time);
  const bool outer = join_->type == sql::JoinType::kLeftOuter;
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    if (time.is_null(r) || time.int64_value(r) < left_watermark_) {
      ++stats_.late_rows_dropped;
      continue;
    }
    const bool null_key = left_keys_.null(r);
    if (null_key && !outer) continue;  // matches nothing, ever
    const int64_t t = time.int64_value(r);
    row_.clear();
    left_codec_.encode(input, r, row_);
    if (t < right_watermark_) {
      // No right row at or before t can come any more: answered now.
      pairs_.next_left();
      answer(row_, left_keys_.bytes(r), left_keys_.hash(r), null_key, t);
    } else {
      waiting_.push(t, left_seq_, row_, left_keys_.bytes(r), left_keys_.hash(r), null_key);
    }
    ++left_seq_;
  }
  return pairs_.finish(out, stats_.rows_out);
}

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
    right_.add(right_keys_.bytes(r), right_keys_.hash(r), t, right_seq_++, row_);
    ++added_since_prune_;
  }
  return Status::Ok();
}

void AsofJoinOperator::answer(std::string_view row, std::string_view key, uint64_t hash,
                              bool null_key, int64_t time) {
  if (!null_key) {
    const uint32_t k = right_.find_key(key, hash);
    if (k != JoinVersions::kNone) {
      const uint32_t v = right_.newest_at_or_before(k, time);
      if (v != JoinVersions::kNone &&
          (join_->tolerance < 0 || right_.version(v).time >= minus(time, join_->tolerance))) {
        pairs_.add_pair(row, right_.row(v));
        return;
      }
    }
  }
  pairs_.add_unmatched(row);
}

Status AsofJoinOperator::on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) {
  if (side == kLeftSide) {
    if (watermark <= left_watermark_) return Status::Ok();
    left_watermark_ = watermark;
    maybe_prune();
    return Status::Ok();
  }
  if (watermark <= right_watermark_) return Status::Ok();
  right_watermark_ = watermark;
  // Left rows the right side can no longer change the answer of, oldest first.
  while (!waiting_.empty() && waiting_.top().time < right_watermark_) {
    const JoinPendingRows::Entry& e = waiting_.top();
    pairs_.next_left();
    answer(waiting_.row(e), waiting_.key(e), e.hash, e.null_key != 0, e.time);
    waiting_.pop();
  }
  SLC_RETURN_IF_ERROR(pairs_.finish(out, stats_.rows_out));
  maybe_prune();
  return Status::Ok();
}

int64_t AsofJoinOperator::left_bound() const {
  return waiting_.empty() ? left_watermark_ : std::min(left_watermark_, waiting_.top().time);
}

void AsofJoinOperator::maybe_prune() {
  const int64_t bound = left_bound();
  if (bound == kNoWatermark || bound <= pruned_at_) return;
  if (bound == kFinalWatermark) {
    right_.clear();  // the left side ended and every left row is answered
  } else {
    // A prune walks every kept row: done once the rows added since the last one are half as
    // many as those kept, so its cost is amortized over those additions, and the state stays
    // within a constant factor of what the bound needs.
    if (added_since_prune_ * 2 < right_.versions()) return;
    if (join_->tolerance >= 0) {
      right_.prune(minus(bound, join_->tolerance), /*keep_one=*/false);
    } else {
      right_.prune(bound, /*keep_one=*/true);
    }
  }
  pruned_at_ = bound;
  added_since_prune_ = 0;
}

std::unique_ptr<StateImage> AsofJoinOperator::capture() const {
  return std::make_unique<AsofImage>(
      right_.capture(), waiting_.capture(),
      std::vector<int64_t>{left_watermark_, right_watermark_, left_seq_, right_seq_, pruned_at_,
                           added_since_prune_});
}

Status AsofJoinOperator::restore(StateReader& reader) {
  std::string tag;
  SLC_RETURN_IF_ERROR(reader.str(tag));
  if (tag != kStateTag) {
    return Status(ErrorCode::kDataCorrupt,
                  "the checkpoint's state of an ASOF join is not an ASOF join's (" +
                      std::string(kStateTag) + " expected)");
  }
  int64_t* scalars[] = {&left_watermark_, &right_watermark_, &left_seq_,
                        &right_seq_,      &pruned_at_,       &added_since_prune_};
  for (int64_t* v : scalars) SLC_RETURN_IF_ERROR(reader.i64(*v));
  SLC_RETURN_IF_ERROR(right_.read(reader, right_codec_));
  return waiting_.read(reader, left_codec_);
}

StateStats AsofJoinOperator::state_stats() const {
  return StateStats{right_.versions() + waiting_.size(), right_.bytes() + waiting_.bytes()};
}

std::string AsofJoinOperator::describe() const {
  std::string s = join_->type == sql::JoinType::kLeftOuter ? "asof left join" : "asof join";
  s += " on " + std::to_string(join_->left_keys.size()) + " key(s)";
  if (join_->tolerance >= 0) s += ", tolerance " + std::to_string(join_->tolerance) + "us";
  if (join_->residual != nullptr) s += ", residual";
  return s;
}

}  // namespace sluice::dataflow
