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

Status ViewTable::restore(StateReader& r, int64_t distinct_rows) {
  rows_.clear();
  size_ = 0;
  for (int64_t t = 0; t < distinct_rows; ++t) {
    int64_t copies, width;
    SLC_RETURN_IF_ERROR(r.i64(copies));
    SLC_RETURN_IF_ERROR(r.i64(width));
    if (width < 0 || width > 100000)
      return Status(ErrorCode::kInternal, "damaged view table in checkpoint");
    std::vector<Value> row(static_cast<size_t>(width));
    for (Value& v : row) SLC_RETURN_IF_ERROR(r.value(v));
    for (int64_t c = 0; c < copies; ++c) apply(row, true);
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
