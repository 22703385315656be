#include "dataflow/join_lookup_event.h"

#include "sql/join_change_column.h"

namespace sluice::dataflow {

namespace {

constexpr std::string_view kStateTag = "lookup-join-event/1";

// The join as it was at capture(): the versions and waiting left rows (shared copy-on-write)
// and the scalars.
class EventLookupImage final : public StateImage {
 public:
  EventLookupImage(JoinVersions::Frozen versions, JoinPendingRows::Frozen waiting,
                   std::vector<int64_t> scalars)
      : versions_(std::move(versions)),
        waiting_(std::move(waiting)),
        scalars_(std::move(scalars)) {}

  void write(StateWriter& w) const override {
    w.str(kStateTag);
    for (const int64_t v : scalars_) w.i64(v);
    versions_.write(w);
    waiting_.write(w);
  }

 private:
  const JoinVersions::Frozen versions_;
  const JoinPendingRows::Frozen waiting_;
  const std::vector<int64_t> scalars_;
};

}  // namespace

EventLookupJoinOperator::EventLookupJoinOperator(std::shared_ptr<const sql::BoundJoin> join)
    : join_(std::move(join)),
      right_has_op_(sql::change_column(*join_->right_schema, join_->right_updating) >= 0),
      left_codec_(JoinRowCodec::for_schema(*join_->left_schema)),
      right_codec_(JoinRowCodec::for_schema(*join_->right_schema, right_has_op_ ? 1 : 0)),
      left_keys_(join_->left_keys),
      right_keys_(join_->right_keys),
      pairs_(*join_, left_codec_, right_codec_) {}

Status EventLookupJoinOperator::process(int side, const RecordBatch& input,
                                        std::vector<RecordBatch>& out) {
  stats_.rows_in += input.num_rows();
  if (input.num_rows() == 0) return Status::Ok();
  return side == kLeftSide ? process_left(input, out) : process_right(input);
}

Status EventLookupJoinOperator::process_left(const RecordBatch& input,
                                             std::vector<RecordBatch>& out) {
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
      // No version at or before t can come any more: answered now.
      pairs_.next_left();
      answer(row_, left_keys_.bytes(r), left_keys_.hash(r), null_key, t);
    } else {
      waiting_.push(t, left_seq_, row_, left_keys_.bytes(r), left_keys_.hash(r), null_key);
    }
    ++left_seq_;
  }
  return pairs_.finish(out, stats_.rows_out);
}

Status EventLookupJoinOperator::process_right(const RecordBatch& input) {
  SLC_RETURN_IF_ERROR(right_keys_.compute(input));
  const Column& time = input.column(join_->right_time);
  const Column* op = right_has_op_ ? &input.column(input.num_columns() - 1) : nullptr;
  const int64_t bound = left_bound();
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    if (op != nullptr && sql::is_delete_row(*op, r)) {
      // Ends the version it deletes once the next version comes (join_lookup_event.h).
      if (right_keys_.null(r)) continue;
      const uint32_t k = versions_.find_key(right_keys_.bytes(r), right_keys_.hash(r));
      if (k == JoinVersions::kNone) continue;  // late, pruned, or never held
      row_.clear();
      right_codec_.encode(input, r, row_);
      versions_.end_row(k, row_);
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

void EventLookupJoinOperator::answer(std::string_view row, std::string_view key, uint64_t hash,
                                     bool null_key, int64_t time) {
  if (!null_key) {
    const uint32_t k = versions_.find_key(key, hash);
    if (k != JoinVersions::kNone) {
      const uint32_t v = versions_.newest_valid_at(k, time);
      if (v != JoinVersions::kNone) {
        pairs_.add_pair(row, versions_.row(v));
        return;
      }
    }
  }
  pairs_.add_unmatched(row);
}

Status EventLookupJoinOperator::on_watermark(int side, int64_t watermark,
                                             std::vector<RecordBatch>& out) {
  if (side == kLeftSide) {
    if (watermark <= left_watermark_) return Status::Ok();
    left_watermark_ = watermark;
    maybe_prune();
    return Status::Ok();
  }
  if (watermark <= right_watermark_) return Status::Ok();
  right_watermark_ = watermark;
  // Left rows no version to come can change the answer of, oldest first.
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

int64_t EventLookupJoinOperator::left_bound() const {
  return waiting_.empty() ? left_watermark_ : std::min(left_watermark_, waiting_.top().time);
}

void EventLookupJoinOperator::maybe_prune() {
  const int64_t bound = left_bound();
  if (bound == kNoWatermark || bound <= pruned_at_) return;
  if (bound == kFinalWatermark) {
    versions_.clear();  // the left side ended and every left row is answered
  } else {
    // A prune walks every kept version: done once the versions added since the last one are
    // half as many as those kept, so its cost is amortized over those additions.
    if (added_since_prune_ * 2 < versions_.versions()) return;
    if (right_has_op_) {
      versions_.prune_ended(bound);
    } else {
      versions_.prune(bound, /*keep_one=*/true);  // no deletes: versions never end
    }
  }
  pruned_at_ = bound;
  added_since_prune_ = 0;
}

std::unique_ptr<StateImage> EventLookupJoinOperator::capture() const {
  return std::make_unique<EventLookupImage>(
      versions_.capture(), waiting_.capture(),
      std::vector<int64_t>{left_watermark_, right_watermark_, version_clock_, left_seq_, right_seq_,
                           pruned_at_, added_since_prune_});
}

Status EventLookupJoinOperator::restore(StateReader& reader) {
  std::string tag;
  SLC_RETURN_IF_ERROR(reader.str(tag));
  if (tag != kStateTag) {
    return Status(ErrorCode::kDataCorrupt,
                  "the checkpoint's state of a lookup join by event time is not one's (" +
                      std::string(kStateTag) + " expected)");
  }
  int64_t* scalars[] = {&left_watermark_, &right_watermark_, &version_clock_,    &left_seq_,
                        &right_seq_,      &pruned_at_,       &added_since_prune_};
  for (int64_t* v : scalars) SLC_RETURN_IF_ERROR(reader.i64(*v));
  SLC_RETURN_IF_ERROR(versions_.read(reader, right_codec_));
  return waiting_.read(reader, left_codec_);
}

StateStats EventLookupJoinOperator::state_stats() const {
  return StateStats{versions_.versions() + waiting_.size(), versions_.bytes() + waiting_.bytes()};
}

std::string EventLookupJoinOperator::describe() const {
  std::string s = join_->type == sql::JoinType::kLeftOuter ? "lookup left join" : "lookup join";
  s += " on " + std::to_string(join_->left_keys.size()) +
       " key(s), the view's version valid at each left row's time";
  if (join_->residual != nullptr) s += ", residual";
  return s;
}

}  // namespace sluice::dataflow
