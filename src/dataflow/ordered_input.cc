#include "dataflow/ordered_input.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "columnar/timestamp.h"

namespace sluice::dataflow {

namespace {

// The state's first word: a checkpoint of the wrapped operator alone (made before its input was
// held), or of an earlier layout, starts otherwise and is refused rather than misread.
constexpr int64_t kOrderedInputFormat = 0x3244524f5f434c53;  // "SLC_ORD2"

// Rows applied to the wrapped operator per batch: a long release is cut, not built whole.
constexpr int64_t kReleaseBatchRows = 8192;

int64_t buffer_bytes(const RecordBatch& batch) {
  size_t n = 0;
  for (const Column& c : batch.columns()) {
    n += c.validity_buffer().size() + c.values_buffer().size() + c.data_buffer().size();
  }
  return static_cast<int64_t>(n);
}

int64_t order_bytes(const OrderedInput::Run& run) {
  return run.order ? static_cast<int64_t>(run.order->capacity() * sizeof(uint32_t)) : 0;
}

class OrderedInputImage final : public StateImage {
 public:
  OrderedInputImage(const JoinRowCodec& codec, int time_column, std::vector<OrderedInput::Run> runs,
                    int64_t held, int64_t watermark, std::unique_ptr<StateImage> inner)
      : codec_(codec),
        time_column_(time_column),
        runs_(std::move(runs)),
        held_(held),
        watermark_(watermark),
        inner_(std::move(inner)) {}

  // Each waiting row as its time and its encoded values (sorted again when read back).
  void write(StateWriter& w) const override {
    w.i64(kOrderedInputFormat);
    w.i64(watermark_);
    w.i64(held_);
    std::string row;
    for (const OrderedInput::Run& run : runs_) {
      const Column& time = run.rows.column(time_column_);
      for (uint32_t i = run.next; i < run.size; ++i) {
        const uint32_t r = run.row(i);
        row.clear();
        codec_.encode(run.rows, r, row);
        w.i64(time.is_null(r) ? INT64_MIN : time.int64_value(r));
        w.str(row);
      }
    }
    inner_->write(w);
  }

 private:
  const JoinRowCodec codec_;
  const int time_column_;
  std::vector<OrderedInput::Run> runs_;
  int64_t held_;
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
      ties_(*query_->input_schema, time_column_),
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

int64_t OrderedInput::time_of(const Run& run, uint32_t row) const {
  // A NULL time (no event time to wait for) is final at once.
  const Column& time = run.rows.column(time_column_);
  return time.is_null(row) ? INT64_MIN : time.int64_value(row);
}

int OrderedInput::compare(const Run& a, uint32_t ra, const Run& b, uint32_t rb) const {
  const int64_t ta = time_of(a, ra), tb = time_of(b, rb);
  if (ta != tb) return ta < tb ? -1 : 1;
  return ties_.compare(a.views, ra, b.views, rb);
}

bool OrderedInput::before(uint64_t a, uint64_t b) const {
  const Run& x = run(a);
  const Run& y = run(b);
  return compare(x, x.row(x.next), y, y.row(y.next)) < 0;
}

void OrderedInput::sift_down(size_t at) {
  const size_t n = heap_.size();
  const uint64_t moving = heap_[at];
  for (;;) {
    size_t child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], moving)) break;
    heap_[at] = heap_[child];
    at = child;
  }
  heap_[at] = moving;
}

void OrderedInput::hold(const RecordBatch& input) {
  const auto n = static_cast<uint32_t>(input.num_rows());
  const Column& time = input.column(time_column_);
  times_.resize(n);
  for (uint32_t r = 0; r < n; ++r) times_[r] = time.is_null(r) ? INT64_MIN : time.int64_value(r);
  // Most inputs come sorted by time: one pass says so, and then only the rows of equal time
  // (if any) are sorted by their values.
  bool sorted = true, ties = false;
  for (uint32_t r = 1; r < n && sorted; ++r) {
    sorted = times_[r - 1] <= times_[r];
    ties = ties || times_[r - 1] == times_[r];
  }
  Run held{input, nullptr, ties_.views(input), 0, n};
  if (!sorted || ties) {
    auto order = std::make_shared<std::vector<uint32_t>>(n);
    std::iota(order->begin(), order->end(), 0u);
    if (!sorted) {
      std::sort(order->begin(), order->end(),
                [&](uint32_t a, uint32_t b) { return times_[a] < times_[b]; });
    }
    bool moved = !sorted;
    for (uint32_t i = 0; i < n;) {
      uint32_t j = i + 1;
      while (j < n && times_[(*order)[j]] == times_[(*order)[i]]) ++j;
      if (j - i > 1) {
        const auto less = [&](uint32_t a, uint32_t b) {
          return ties_.compare(held.views, a, held.views, b) < 0;
        };
        const auto first = order->begin() + i, last = order->begin() + j;
        if (!std::is_sorted(first, last, less)) {
          std::sort(first, last, less);
          moved = true;
        }
      }
      i = j;
    }
    if (moved) held.order = std::move(order);
  }
  held_ += n;
  held_bytes_ += buffer_bytes(input) + order_bytes(held);
  runs_.push_back(std::move(held));
  // Into the heap (sifted up).
  size_t at = heap_.size();
  const uint64_t number = first_run_ + runs_.size() - 1;
  heap_.push_back(number);
  while (at > 0) {
    const size_t parent = (at - 1) / 2;
    if (!before(number, heap_[parent])) break;
    heap_[at] = heap_[parent];
    at = parent;
  }
  heap_[at] = number;
}

Status OrderedInput::process(const RecordBatch& input, std::vector<RecordBatch>& out) {
  if (input.num_rows() > 0) hold(input);
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
  // Merge: the run whose next row is best gives rows while they are final and come no later
  // than the second-best run's next row (its times first: ties of time are rarer).
  pieces_.clear();
  chunk_ends_.clear();
  chunk_rows_ = 0;
  while (!heap_.empty()) {
    const uint64_t best = heap_[0];
    Run& r = run(best);
    if (!final(time_of(r, r.row(r.next)))) break;
    const Run* second = nullptr;
    uint32_t second_row = 0;
    int64_t second_time = INT64_MAX;
    if (heap_.size() > 1) {
      uint64_t s = heap_[1];
      if (heap_.size() > 2 && before(heap_[2], s)) s = heap_[2];
      second = &run(s);
      second_row = second->row(second->next);
      second_time = time_of(*second, second_row);
    }
    const uint32_t begin = r.next;
    for (++r.next; r.next < r.size; ++r.next) {
      const uint32_t row = r.row(r.next);
      const int64_t t = time_of(r, row);
      if (!final(t) || t > second_time) break;
      if (t == second_time && ties_.compare(r.views, row, second->views, second_row) > 0) {
        break;
      }
    }
    add_piece(best, begin, r.next);
    held_ -= r.next - begin;
    if (r.next < r.size) {
      sift_down(0);
    } else {
      heap_[0] = heap_.back();
      heap_.pop_back();
      if (!heap_.empty()) sift_down(0);
    }
  }
  if (chunk_rows_ > 0) chunk_ends_.push_back(pieces_.size());
  Status s;
  if (inner_->reads_rows_in_place()) {
    // Each piece where it lies: no row copied.
    for (size_t i = 0; i < pieces_.size() && s.ok(); ++i) {
      const Piece& p = pieces_[i];
      const Run& r = run(p.run);
      if (!r.order) {
        s = inner_->process(
            p.begin == 0 && p.end == r.size ? r.rows : r.rows.slice(p.begin, p.end - p.begin), out);
      } else {
        s = inner_->process_rows(
            r.rows, std::span<const uint32_t>(r.order->data() + p.begin, p.end - p.begin), out);
      }
    }
  } else {
    for (size_t c = 0, first = 0; c < chunk_ends_.size() && s.ok(); first = chunk_ends_[c++]) {
      s = inner_->process(gather(first, chunk_ends_[c]), out);
    }
  }
  // The runs whose rows have all gone, from the oldest (rows are released nearly in order).
  while (!runs_.empty() && runs_.front().next == runs_.front().size) {
    held_bytes_ -= buffer_bytes(runs_.front().rows) + order_bytes(runs_.front());
    runs_.pop_front();
    ++first_run_;
  }
  return s;
}

void OrderedInput::add_piece(uint64_t number, uint32_t begin, uint32_t end) {
  while (begin < end) {
    const auto rows =
        static_cast<uint32_t>(std::min<int64_t>(end - begin, kReleaseBatchRows - chunk_rows_));
    pieces_.push_back(Piece{number, begin, begin + rows});
    begin += rows;
    chunk_rows_ += rows;
    if (chunk_rows_ == kReleaseBatchRows) {
      chunk_ends_.push_back(pieces_.size());
      chunk_rows_ = 0;
    }
  }
}

RecordBatch OrderedInput::gather(size_t first, size_t last) {
  if (last - first == 1) {
    const Piece& p = pieces_[first];
    const Run& r = run(p.run);
    if (!r.order) {
      return p.begin == 0 && p.end == r.size ? r.rows : r.rows.slice(p.begin, p.end - p.begin);
    }
    return r.rows.take(std::span<const uint32_t>(r.order->data() + p.begin, p.end - p.begin));
  }
  int64_t rows = 0;
  for (size_t i = first; i < last; ++i) rows += pieces_[i].end - pieces_[i].begin;
  batch_.reserve(rows);
  // Column by column: each piece in bulk (a slice) or gathered by its order.
  for (int c = 0; c < query_->input_schema->num_fields(); ++c) {
    ColumnBuilder& to = batch_.column(static_cast<int>(c));
    for (size_t i = first; i < last; ++i) {
      const Piece& p = pieces_[i];
      const Run& r = run(p.run);
      const Column& from = r.rows.column(static_cast<int>(c));
      if (!r.order) {
        to.append_column(from.slice(p.begin, p.end - p.begin));
      } else {
        to.append_take(from, std::span<const uint32_t>(r.order->data() + p.begin, p.end - p.begin));
      }
    }
  }
  return batch_.finish();
}

std::unique_ptr<StateImage> OrderedInput::capture() const {
  std::vector<Run> runs;
  runs.reserve(runs_.size());
  for (const Run& r : runs_) {
    if (r.next < r.size) runs.push_back(r);
  }
  return std::make_unique<OrderedInputImage>(codec_, time_column_, std::move(runs), held_,
                                             watermark_, inner_->capture());
}

void OrderedInput::snapshot(StateWriter& writer) const {
  capture()->write(writer);
}

Status OrderedInput::restore(StateReader& reader) {
  int64_t format = 0, watermark = 0, count = 0;
  SLC_RETURN_IF_ERROR(reader.i64(format));
  if (format != kOrderedInputFormat) {
    return Status(ErrorCode::kDataCorrupt,
                  "the checkpoint has no rows held for this query's input order (it was made by "
                  "a version that applied the rows as they came, or is damaged); it cannot be "
                  "restored here: recover with the version that wrote it, or start afresh");
  }
  SLC_RETURN_IF_ERROR(reader.i64(watermark));
  // Each row takes at least its time and its length.
  SLC_RETURN_IF_ERROR(reader.count(count, 16));
  const auto damaged = [] {
    return Status(ErrorCode::kDataCorrupt,
                  "the rows held for a query's input order are damaged: they do not read back");
  };
  if (count >= UINT32_MAX) return damaged();
  std::vector<int64_t> times(static_cast<size_t>(count));
  // Decoded into the scratch builder, emptied again if the image stops short or is damaged.
  std::string_view row;
  Status read;
  for (int64_t i = 0; i < count && read.ok(); ++i) {
    read = reader.i64(times[static_cast<size_t>(i)]);
    if (read.ok()) read = reader.str_view(row);
    if (read.ok() && !codec_.valid(row)) read = damaged();
    if (read.ok()) codec_.decode(row, batch_, 0);
  }
  if (!read.ok()) {
    batch_.truncate(0);
    return read;
  }
  RecordBatch rows = batch_.finish();
  // Each row's time is its time column's.
  const Column& time = rows.column(time_column_);
  for (int64_t i = 0; i < count; ++i) {
    if (times[static_cast<size_t>(i)] != (time.is_null(i) ? INT64_MIN : time.int64_value(i))) {
      return damaged();
    }
  }
  runs_.clear();
  heap_.clear();
  first_run_ = 0;
  held_ = 0;
  held_bytes_ = 0;
  if (count > 0) hold(rows);
  watermark_ = watermark;
  SLC_RETURN_IF_ERROR(inner_->restore(reader));
  stats_ = inner_->stats();
  return Status::Ok();
}

StateStats OrderedInput::state_stats() const {
  StateStats s = inner_->state_stats();
  s.groups += held_;
  s.bytes += held_bytes_ + static_cast<int64_t>(heap_.capacity() * sizeof(uint64_t));
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
