#include "dataflow/ordered_input.h"

#include <algorithm>
#include <cstring>

#include "columnar/timestamp.h"

namespace sluice::dataflow {

namespace {

// The state's first word: a checkpoint of the wrapped operator alone (made before its input was
// held), or of an earlier layout, starts otherwise and is refused rather than misread.
constexpr int64_t kOrderedInputFormat = 0x3244524f5f434c53;  // "SLC_ORD2"

// Rows applied to the wrapped operator per batch: a long release is cut, not built whole.
constexpr int64_t kReleaseBatchRows = 8192;

// One order of rows by their values (for rows of equal time): per column, a NULL after a value,
// then the value — a VARCHAR by its bytes, a BOOLEAN by its bit, any other type by its
// fixed-width bytes (`widths`: fixed_width of each column's type). Not SQL's order of the
// values; a total order, which is all it must be.
int compare_rows(const std::vector<int>& widths, const RecordBatch& a, int64_t ra,
                 const RecordBatch& b, int64_t rb) {
  for (size_t c = 0; c < widths.size(); ++c) {
    const Column& x = a.column(static_cast<int>(c));
    const Column& y = b.column(static_cast<int>(c));
    const bool xn = x.is_null(ra), yn = y.is_null(rb);
    if (xn || yn) {
      if (xn != yn) return xn ? 1 : -1;
      continue;
    }
    int r = 0;
    const auto w = static_cast<size_t>(widths[c]);
    if (w > 0) {
      // (values<char>() would offset a slice by bytes, not values)
      const auto* xv = reinterpret_cast<const char*>(x.values_buffer().data());
      const auto* yv = reinterpret_cast<const char*>(y.values_buffer().data());
      r = std::memcmp(xv + static_cast<size_t>(x.offset() + ra) * w,
                      yv + static_cast<size_t>(y.offset() + rb) * w, w);
    } else if (x.type() == DataType::kVarchar) {
      r = x.string_value(ra).compare(y.string_value(rb));
    } else {
      r = static_cast<int>(x.bool_value(ra)) - static_cast<int>(y.bool_value(rb));
    }
    if (r != 0) return r;
  }
  return 0;
}

int64_t buffer_bytes(const RecordBatch& batch) {
  size_t n = 0;
  for (const Column& c : batch.columns()) {
    n += c.validity_buffer().size() + c.values_buffer().size() + c.data_buffer().size();
  }
  return static_cast<int64_t>(n);
}

class OrderedInputImage final : public StateImage {
 public:
  struct Held {
    uint64_t first_batch;
    std::vector<RecordBatch> batches;
  };
  OrderedInputImage(const JoinRowCodec& codec, ChunkedArray<OrderedInput::Entry> heap,
                    uint32_t size, Held held, int64_t watermark, std::unique_ptr<StateImage> inner)
      : codec_(codec),
        heap_(std::move(heap)),
        size_(size),
        held_(std::move(held)),
        watermark_(watermark),
        inner_(std::move(inner)) {}

  // Each waiting row as its time and its encoded values, in heap order (a heap by time again
  // when read back).
  void write(StateWriter& w) const override {
    w.i64(kOrderedInputFormat);
    w.i64(watermark_);
    w.i64(size_);
    std::string row;
    for (uint32_t i = 0; i < size_; ++i) {
      const OrderedInput::Entry& e = heap_[i];
      row.clear();
      codec_.encode(held_.batches[static_cast<size_t>(e.batch - held_.first_batch)], e.row, row);
      w.i64(e.time);
      w.str(row);
    }
    inner_->write(w);
  }

 private:
  const JoinRowCodec codec_;
  ChunkedArray<OrderedInput::Entry> heap_;
  uint32_t size_;
  Held held_;
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
      batch_(query_->input_schema) {
  for (const Field& f : query_->input_schema->fields()) widths_.push_back(fixed_width(f.type));
}

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

void OrderedInput::push(const Entry& e) {
  uint32_t at = held_++;
  if (at == heap_.size()) {
    heap_.push_back(e);
  } else {
    heap_.mut(at) = e;
  }
  while (at > 0) {
    const uint32_t parent = (at - 1) / 2;
    if (heap_[parent].time <= e.time) break;
    heap_.mut(at) = heap_[parent];
    at = parent;
  }
  heap_.mut(at) = e;
}

void OrderedInput::pop() {
  const uint32_t n = --held_;
  if (n == 0) return;
  const Entry last = heap_[n];
  uint32_t at = 0;
  for (;;) {
    uint32_t child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].time < heap_[child].time) ++child;
    if (heap_[child].time >= last.time) break;
    heap_.mut(at) = heap_[child];
    at = child;
  }
  heap_.mut(at) = last;
}

Status OrderedInput::process(const RecordBatch& input, std::vector<RecordBatch>& out) {
  if (input.num_rows() > 0) {
    const uint64_t number = first_batch_ + batches_.size();
    batches_.push_back(HeldBatch{input, input.num_rows()});
    held_bytes_ += buffer_bytes(input);
    const Column& time = input.column(time_column_);
    const int64_t* times = time.values<int64_t>();
    for (int64_t r = 0; r < input.num_rows(); ++r) {
      // A NULL time (no event time to wait for) is final at once.
      push(Entry{time.is_null(r) ? INT64_MIN : times[r], number, r});
    }
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
  while (held_ > 0 && final(heap_[0].time)) {
    released_.push_back(heap_[0]);
    pop();
  }
  if (released_.empty()) return Status::Ok();
  // Popped by time: each run of equal times is sorted by the rows' values (rows equal in both
  // are the same row, so no stability is needed).
  for (size_t i = 0; i < released_.size();) {
    size_t j = i + 1;
    while (j < released_.size() && released_[j].time == released_[i].time) ++j;
    if (j - i > 1) {
      std::sort(
          released_.begin() + static_cast<std::ptrdiff_t>(i),
          released_.begin() + static_cast<std::ptrdiff_t>(j), [&](const Entry& a, const Entry& b) {
            return compare_rows(widths_, batch_of(a).rows, a.row, batch_of(b).rows, b.row) < 0;
          });
    }
    i = j;
  }
  Status s;
  for (size_t i = 0; i < released_.size() && s.ok();) {
    const size_t end = std::min(released_.size(), i + static_cast<size_t>(kReleaseBatchRows));
    batch_.reserve(static_cast<int64_t>(end - i));
    // Column by column; a VARCHAR column's bytes reserved first, so it never grows by copying.
    for (size_t c = 0; c < widths_.size(); ++c) {
      ColumnBuilder& to = batch_.column(static_cast<int>(c));
      const int column = static_cast<int>(c);
      if (to.type() == DataType::kVarchar) {
        size_t bytes = 0;
        for (size_t k = i; k < end; ++k) {
          const Column& from = batch_of(released_[k]).rows.column(column);
          if (!from.is_null(released_[k].row)) bytes += from.string_value(released_[k].row).size();
        }
        to.reserve_data(bytes);
      }
      for (size_t k = i; k < end; ++k) {
        to.append_from(batch_of(released_[k]).rows.column(column), released_[k].row);
      }
    }
    i = end;
    s = inner_->process(batch_.finish(), out);
  }
  // The batches whose rows have all gone, from the oldest (rows are released nearly in order).
  for (const Entry& e : released_) --batches_[static_cast<size_t>(e.batch - first_batch_)].waiting;
  while (!batches_.empty() && batches_.front().waiting == 0) {
    held_bytes_ -= buffer_bytes(batches_.front().rows);
    batches_.pop_front();
    ++first_batch_;
  }
  released_.clear();
  return s;
}

std::unique_ptr<StateImage> OrderedInput::capture() const {
  OrderedInputImage::Held held{first_batch_, {}};
  held.batches.reserve(batches_.size());
  for (const HeldBatch& b : batches_) held.batches.push_back(b.rows);
  return std::make_unique<OrderedInputImage>(codec_, heap_, held_, std::move(held), watermark_,
                                             inner_->capture());
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
    // Written in heap order: it must be a heap by time again.
    if (read.ok() &&
        ((i > 0 && times[static_cast<size_t>(i)] < times[static_cast<size_t>((i - 1) / 2)]) ||
         !codec_.valid(row))) {
      read = damaged();
    }
    if (read.ok()) codec_.decode(row, batch_, 0);
  }
  if (!read.ok()) {
    batch_.truncate(0);
    return read;
  }
  RecordBatch rows = batch_.finish();
  heap_.clear();
  held_ = 0;
  batches_.clear();
  first_batch_ = 0;
  held_bytes_ = 0;
  if (count > 0) {
    batches_.push_back(HeldBatch{rows, count});
    held_bytes_ = buffer_bytes(rows);
    for (int64_t i = 0; i < count; ++i) {
      heap_.push_back(Entry{times[static_cast<size_t>(i)], 0, i});
    }
    held_ = static_cast<uint32_t>(count);
  }
  watermark_ = watermark;
  SLC_RETURN_IF_ERROR(inner_->restore(reader));
  stats_ = inner_->stats();
  return Status::Ok();
}

StateStats OrderedInput::state_stats() const {
  StateStats s = inner_->state_stats();
  s.groups += held_;
  s.bytes += static_cast<int64_t>(heap_.bytes()) + held_bytes_;
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
