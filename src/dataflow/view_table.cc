#include "dataflow/view_table.h"

#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"

namespace sluice::dataflow {

namespace {

std::string encode(const std::vector<Value>& row) {
  StateWriter w;
  for (const Value& v : row) w.value(v);
  return w.take();
}

}  // namespace

void ViewTable::apply(const std::vector<Value>& row, bool insert) {
  const std::string key = encode(row);
  auto it = rows_.find(key);
  if (insert) {
    if (it == rows_.end()) {
      rows_.emplace(key, std::make_pair(row, 1));
    } else {
      ++it->second.second;
    }
    ++size_;
  } else if (it != rows_.end()) {
    if (--it->second.second == 0) rows_.erase(it);
    --size_;
  }
}

RecordBatch ViewTable::to_batch() const {
  BatchBuilder b(schema_);
  for (const auto& [key, entry] : rows_) {
    for (int64_t n = 0; n < entry.second; ++n) {
      for (size_t c = 0; c < entry.first.size(); ++c) {
        append_value(b.column(static_cast<int>(c)), entry.first[c]);
      }
    }
  }
  return b.finish();
}

void ViewTable::snapshot(StateWriter& w) const {
  for (const auto& [key, entry] : rows_) {
    w.i64(entry.second);
    w.i64(static_cast<int64_t>(entry.first.size()));
    for (const Value& v : entry.first) w.value(v);
  }
}

Status ViewTable::restore(StateReader& r, int64_t distinct_rows, int64_t max_rows) {
  rows_.clear();
  size_ = 0;
  for (int64_t t = 0; t < distinct_rows; ++t) {
    int64_t copies, width;
    SLC_RETURN_IF_ERROR(r.i64(copies));
    // Checked against the bytes left (a value takes at least its type and null flag) before
    // the row is sized by it.
    SLC_RETURN_IF_ERROR(r.count(width, 2));
    int64_t size = 0;
    if (copies < 1 || __builtin_add_overflow(size_, copies, &size) || size > max_rows) {
      return Status(ErrorCode::kDataCorrupt, "damaged view table in checkpoint: a row held " +
                                                 std::to_string(copies) +
                                                 " times, more than the view has ever emitted (" +
                                                 std::to_string(max_rows) + ")");
    }
    std::vector<Value> row(static_cast<size_t>(width));
    for (Value& v : row) SLC_RETURN_IF_ERROR(r.value(v));
    // All copies at once: a damaged count costs no time. A snapshot's rows are distinct.
    std::string key = encode(row);
    if (!rows_.try_emplace(std::move(key), std::move(row), copies).second) {
      return Status(ErrorCode::kDataCorrupt, "damaged view table in checkpoint: a row twice");
    }
    size_ = size;
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
