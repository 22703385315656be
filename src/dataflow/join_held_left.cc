#include "dataflow/join_held_left.h"

#include <algorithm>

namespace sluice::dataflow {

namespace {

// The join as it was at capture(): the versions and waiting left rows (shared copy-on-write)
// and the scalars.
class HeldLeftImage final : public StateImage {
 public:
  HeldLeftImage(std::string_view tag, JoinVersions::Frozen versions,
                JoinPendingRows::Frozen waiting, std::vector<int64_t> scalars)
      : tag_(tag),
        versions_(std::move(versions)),
        waiting_(std::move(waiting)),
        scalars_(std::move(scalars)) {}

  void write(StateWriter& w) const override {
    w.str(tag_);
    for (const int64_t v : scalars_) w.i64(v);
    versions_.write(w);
    waiting_.write(w);
  }

 private:
  const std::string_view tag_;
  const JoinVersions::Frozen versions_;
  const JoinPendingRows::Frozen waiting_;
  const std::vector<int64_t> scalars_;
};

}  // namespace

HeldLeftJoin::HeldLeftJoin(std::shared_ptr<const sql::BoundJoin> join, std::string_view tag,
                           int right_trailing, bool with_ends)
    : join_(std::move(join)),
      left_codec_(JoinRowCodec::for_schema(*join_->left_schema)),
      right_codec_(JoinRowCodec::for_schema(*join_->right_schema, right_trailing)),
      left_keys_(join_->left_keys),
      right_keys_(join_->right_keys),
      pairs_(*join_, left_codec_, right_codec_),
      versions_(with_ends),
      tag_(tag) {}

Status HeldLeftJoin::process(int side, const RecordBatch& input, std::vector<RecordBatch>& out) {
  stats_.rows_in += input.num_rows();
  if (input.num_rows() == 0) return Status::Ok();
  return side == kLeftSide ? process_left(input, out) : process_right(input);
}

Status HeldLeftJoin::process_left(const RecordBatch& input, std::vector<RecordBatch>& out) {
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

void HeldLeftJoin::answer(std::string_view row, std::string_view key, uint64_t hash, bool null_key,
                          int64_t time) {
  if (!null_key) {
    const uint32_t k = versions_.find_key(key, hash);
    if (k != JoinVersions::kNone) {
      const uint32_t v = pick(k, time);
      if (v != JoinVersions::kNone) {
        pairs_.add_pair(row, versions_.row(v));
        return;
      }
    }
  }
  pairs_.add_unmatched(row);
}

Status HeldLeftJoin::on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) {
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

int64_t HeldLeftJoin::left_bound() const {
  return waiting_.empty() ? left_watermark_ : std::min(left_watermark_, waiting_.top().time);
}

void HeldLeftJoin::maybe_prune() {
  const int64_t bound = left_bound();
  if (bound == kNoWatermark || bound <= pruned_at_) return;
  if (bound == kFinalWatermark) {
    versions_.clear();  // the left side ended and every left row is answered
  } else {
    // A prune walks every kept version: done once the versions added since the last one are
    // half as many as those kept, so its cost is amortized over those additions, and the state
    // stays within a constant factor of what the bound needs.
    if (added_since_prune_ * 2 < versions_.versions()) return;
    prune(bound);
  }
  pruned_at_ = bound;
  added_since_prune_ = 0;
}

std::unique_ptr<StateImage> HeldLeftJoin::capture() const {
  std::vector<int64_t> values = {left_watermark_, right_watermark_, left_seq_,
                                 right_seq_,      pruned_at_,       added_since_prune_};
  capture_scalars(values);
  return std::make_unique<HeldLeftImage>(tag_, versions_.capture(), waiting_.capture(),
                                         std::move(values));
}

Status HeldLeftJoin::restore(StateReader& reader) {
  std::string tag;
  SLC_RETURN_IF_ERROR(reader.str(tag));
  if (tag != tag_) {
    return Status(ErrorCode::kDataCorrupt, "the checkpoint's state for the " + describe() +
                                               " is not a '" + std::string(tag_) + "' state");
  }
  int64_t* scalars[] = {&left_watermark_, &right_watermark_, &left_seq_,
                        &right_seq_,      &pruned_at_,       &added_since_prune_};
  for (int64_t* v : scalars) SLC_RETURN_IF_ERROR(reader.i64(*v));
  SLC_RETURN_IF_ERROR(restore_scalars(reader));
  SLC_RETURN_IF_ERROR(versions_.read(reader, right_codec_));
  return waiting_.read(reader, left_codec_);
}

StateStats HeldLeftJoin::state_stats() const {
  return StateStats{versions_.versions() + waiting_.size(), versions_.bytes() + waiting_.bytes()};
}

}  // namespace sluice::dataflow
