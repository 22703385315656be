#include "dataflow/ordered_input.h"

#include <algorithm>

#include "columnar/timestamp.h"

namespace sluice::dataflow {

namespace {

// The state's first word: a checkpoint of the wrapped operator alone (made before its input was
// held) starts otherwise, and is refused rather than read as something it is not.
constexpr int64_t kOrderedInputFormat = 0x3144524f5f434c53;  // "SLC_ORD1"

// Rows applied to the wrapped operator per batch: a long release is cut, not built whole.
constexpr int64_t kReleaseBatchRows = 8192;

class OrderedInputImage final : public StateImage {
 public:
  OrderedInputImage(JoinPendingRows::Frozen held, int64_t next_arrival, int64_t watermark,
                    std::unique_ptr<StateImage> inner)
      : held_(std::move(held)),
        next_arrival_(next_arrival),
        watermark_(watermark),
        inner_(std::move(inner)) {}

  void write(StateWriter& w) const override {
    w.i64(kOrderedInputFormat);
    w.i64(next_arrival_);
    w.i64(watermark_);
    held_.write(w);
    inner_->write(w);
  }

 private:
  JoinPendingRows::Frozen held_;
  int64_t next_arrival_;
  int64_t watermark_;
  std::unique_ptr<StateImage> inner_;
};

}  // namespace

OrderedInput::OrderedInput(std::shared_ptr<const sql::BoundQuery> query,
                           std::unique_ptr<Operator> inner)
    : query_(std::move(query)),
      inner_(std::move(inner)),
      time_column_(query_->input_order.time_column),
      trail_(query_->input_order.trail),
      complete_at_trail_(query_->input_order.complete_at_trail),
      codec_(JoinRowCodec::for_schema(*query_->input_schema)),
      batch_(query_->input_schema) {}

bool OrderedInput::final(int64_t time) const {
  if (watermark_ == kFinalWatermark) return true;
  // time + trail < watermark (<= when the rows are complete there), without overflow (a
  // watermark near the start of the range).
  int64_t bound = 0;
  if (watermark_ == kNoWatermark || __builtin_sub_overflow(watermark_, trail_, &bound)) {
    return false;
  }
  return time < bound || (complete_at_trail_ && time == bound);
}

Status OrderedInput::process(const RecordBatch& input, std::vector<RecordBatch>& out) {
  const Column& time = input.column(time_column_);
  const int64_t* times = time.values<int64_t>();
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    row_.clear();
    codec_.encode(input, r, row_);
    // A NULL time (no event time to wait for) is final at once.
    held_.push(time.is_null(r) ? INT64_MIN : times[r], next_arrival_++, row_, {}, 0, false);
  }
  Status s = release(out);
  stats_ = inner_->stats();
  return s;
}

Status OrderedInput::on_watermark(int64_t watermark, std::vector<RecordBatch>& out) {
  watermark_ = std::max(watermark_, watermark);
  Status s = release(out);
  if (s.ok()) s = inner_->on_watermark(watermark, out);
  stats_ = inner_->stats();
  return s;
}

Status OrderedInput::release(std::vector<RecordBatch>& out) {
  released_.clear();
  // Popped rows' bytes stay readable until the next push (JoinPendingRows::pop).
  while (!held_.empty() && final(held_.top().time)) {
    released_.push_back(Released{held_.top().time, held_.row(held_.top())});
    held_.pop();
  }
  if (released_.empty()) return Status::Ok();
  // Popped by (time, arrival): only rows of equal time move, each run of them sorted by bytes
  // (rows equal in both are the same row, so no stability is needed).
  for (size_t i = 0; i < released_.size();) {
    size_t j = i + 1;
    while (j < released_.size() && released_[j].time == released_[i].time) ++j;
    if (j - i > 1) {
      std::sort(released_.begin() + static_cast<std::ptrdiff_t>(i),
                released_.begin() + static_cast<std::ptrdiff_t>(j),
                [](const Released& a, const Released& b) { return a.row < b.row; });
    }
    i = j;
  }
  for (size_t i = 0; i < released_.size();) {
    const size_t end = std::min(released_.size(), i + static_cast<size_t>(kReleaseBatchRows));
    batch_.reserve(static_cast<int64_t>(end - i));
    for (; i < end; ++i) codec_.decode(released_[i].row, batch_, 0);
    SLC_RETURN_IF_ERROR(inner_->process(batch_.finish(), out));
  }
  released_.clear();
  return Status::Ok();
}

std::unique_ptr<StateImage> OrderedInput::capture() const {
  return std::make_unique<OrderedInputImage>(held_.capture(), next_arrival_, watermark_,
                                             inner_->capture());
}

void OrderedInput::snapshot(StateWriter& writer) const {
  capture()->write(writer);
}

Status OrderedInput::restore(StateReader& reader) {
  int64_t format = 0, arrival = 0, watermark = 0;
  SLC_RETURN_IF_ERROR(reader.i64(format));
  if (format != kOrderedInputFormat) {
    return Status(ErrorCode::kDataCorrupt,
                  "the checkpoint has no rows held for this query's input order (it was made by "
                  "a version that applied the rows as they came, or is damaged); it cannot be "
                  "restored here: recover with the version that wrote it, or start afresh");
  }
  SLC_RETURN_IF_ERROR(reader.i64(arrival));
  SLC_RETURN_IF_ERROR(reader.i64(watermark));
  if (arrival < 0) return Status(ErrorCode::kDataCorrupt, "held input rows are damaged");
  SLC_RETURN_IF_ERROR(held_.read(reader, codec_));
  next_arrival_ = arrival;
  watermark_ = watermark;
  SLC_RETURN_IF_ERROR(inner_->restore(reader));
  stats_ = inner_->stats();
  return Status::Ok();
}

StateStats OrderedInput::state_stats() const {
  StateStats s = inner_->state_stats();
  s.groups += held_.size();
  s.bytes += held_.bytes();
  return s;
}

std::string describe_input_order(const sql::BoundQuery& query) {
  switch (query.input_order.kind) {
    case sql::InputOrder::Kind::kArrival:
      break;
    case sql::InputOrder::Kind::kHeld: {
      std::string s = "; ordered by " +
                      query.input_schema->field(query.input_order.time_column).name +
                      ", holds rows until the watermark passes them";
      if (query.input_order.trail > 0) {
        s += " + ";
        append_interval(query.input_order.trail, s);
      }
      return s;
    }
    case sql::InputOrder::Kind::kInterleaved:
      return "; changes follow the interleaving of its inputs";
  }
  return {};
}

}  // namespace sluice::dataflow
