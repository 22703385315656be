#include "dataflow/join_lookup.h"

#include "sql/bound_query.h"
#include "sql/join_change_column.h"

namespace sluice::dataflow {

namespace {

constexpr std::string_view kStateTag = "lookup-join/1";

// Whether the right input's rows carry the view's changelog operation (its last column, `_op`:
// an EMIT CHANGES view's output; sql/join_change_column.h); without it every row is an insert.
bool has_change_op(const sql::BoundJoin& join) {
  return join.right_updating && sql::join_change_column(*join.right_schema) >= 0;
}

class LookupImage final : public StateImage {
 public:
  LookupImage(JoinVersions::Frozen view, int64_t left_watermark, int64_t right_seq)
      : view_(std::move(view)), left_watermark_(left_watermark), right_seq_(right_seq) {}

  void write(StateWriter& w) const override {
    w.str(kStateTag);
    w.i64(left_watermark_);
    w.i64(right_seq_);
    view_.write(w);
  }

 private:
  const JoinVersions::Frozen view_;
  const int64_t left_watermark_;
  const int64_t right_seq_;
};

}  // namespace

LookupJoinOperator::LookupJoinOperator(std::shared_ptr<const sql::BoundJoin> join)
    : join_(std::move(join)),
      right_has_op_(has_change_op(*join_)),
      left_codec_(JoinRowCodec::for_schema(*join_->left_schema)),
      right_codec_(JoinRowCodec::for_schema(*join_->right_schema, right_has_op_ ? 1 : 0)),
      left_keys_(join_->left_keys),
      right_keys_(join_->right_keys),
      pairs_(*join_, left_codec_, right_codec_) {}

Status LookupJoinOperator::process(int side, const RecordBatch& input,
                                   std::vector<RecordBatch>& out) {
  stats_.rows_in += input.num_rows();
  if (input.num_rows() == 0) return Status::Ok();
  return side == kLeftSide ? process_left(input, out) : process_right(input);
}

Status LookupJoinOperator::process_left(const RecordBatch& input, std::vector<RecordBatch>& out) {
  SLC_RETURN_IF_ERROR(left_keys_.compute(input));
  const Column* time = join_->left_time >= 0 ? &input.column(join_->left_time) : nullptr;
  const bool outer = join_->type == sql::JoinType::kLeftOuter;
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    if (time != nullptr && (time->is_null(r) || time->int64_value(r) < left_watermark_)) {
      ++stats_.late_rows_dropped;
      continue;
    }
    const bool null_key = left_keys_.null(r);
    const uint32_t k =
        null_key ? JoinVersions::kNone : view_.find_key(left_keys_.bytes(r), left_keys_.hash(r));
    if (k == JoinVersions::kNone && !outer) continue;
    row_.clear();
    left_codec_.encode(input, r, row_);
    pairs_.next_left();
    if (k == JoinVersions::kNone) {
      pairs_.add_unmatched(row_);
      continue;
    }
    for (uint32_t v = view_.head(k); v != JoinVersions::kNone; v = view_.version(v).next) {
      pairs_.add_pair(row_, view_.row(v));
    }
  }
  return pairs_.finish(out, stats_.rows_out);
}

Status LookupJoinOperator::process_right(const RecordBatch& input) {
  SLC_RETURN_IF_ERROR(right_keys_.compute(input));
  const Column* op = right_has_op_ ? &input.column(input.num_columns() - 1) : nullptr;
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    if (right_keys_.null(r)) continue;  // a view row with a NULL key is never looked up
    row_.clear();
    right_codec_.encode(input, r, row_);
    const bool insert = op == nullptr || !sql::is_delete_row(*op, r);
    if (insert) {
      view_.add(right_keys_.bytes(r), right_keys_.hash(r), 0, right_seq_++, row_);
      continue;
    }
    // A delete of a row the view holds (one copy); one of a row it lacks is counted.
    const uint32_t k = view_.find_key(right_keys_.bytes(r), right_keys_.hash(r));
    if (k == JoinVersions::kNone || !view_.remove_row(k, row_)) ++stats_.unmatched_deletes;
  }
  return Status::Ok();
}

Status LookupJoinOperator::on_watermark(int side, int64_t watermark,
                                        std::vector<RecordBatch>& out) {
  (void)out;  // a lookup join holds no rows back: nothing completes with time
  if (side == kLeftSide) left_watermark_ = std::max(left_watermark_, watermark);
  return Status::Ok();
}

std::unique_ptr<StateImage> LookupJoinOperator::capture() const {
  return std::make_unique<LookupImage>(view_.capture(), left_watermark_, right_seq_);
}

Status LookupJoinOperator::restore(StateReader& reader) {
  std::string tag;
  SLC_RETURN_IF_ERROR(reader.str(tag));
  if (tag != kStateTag) {
    return Status(ErrorCode::kDataCorrupt,
                  "the checkpoint's state of a lookup join is not a lookup join's (" +
                      std::string(kStateTag) + " expected)");
  }
  SLC_RETURN_IF_ERROR(reader.i64(left_watermark_));
  SLC_RETURN_IF_ERROR(reader.i64(right_seq_));
  return view_.read(reader, right_codec_);
}

StateStats LookupJoinOperator::state_stats() const {
  return StateStats{view_.versions(), view_.bytes()};
}

std::string LookupJoinOperator::describe() const {
  std::string s = join_->type == sql::JoinType::kLeftOuter ? "lookup left join" : "lookup join";
  s += " on " + std::to_string(join_->left_keys.size()) +
       " key(s), the view's rows as of each left row's arrival (PROCTIME)";
  if (join_->residual != nullptr) s += ", residual";
  return s;
}

}  // namespace sluice::dataflow
