#include "dataflow/distinct_set.h"

#include <cstring>

#include "dataflow/value_slots.h"

namespace sluice::dataflow {

std::string_view DistinctSet::at_offset(uint32_t offset) const {
  uint32_t n;
  std::memcpy(&n, data_.data() + offset, 4);
  return {data_.data() + offset + 4, n};
}

void DistinctSet::grow() {
  std::vector<uint32_t> old;
  old.swap(table_);
  table_.assign(old.empty() ? 8 : old.size() * 2, 0);
  const size_t mask = table_.size() - 1;
  for (uint32_t e : old) {
    if (e == 0) continue;
    size_t i = hash_string(at_offset(e - 1)) & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = e;
  }
}

bool DistinctSet::insert(std::string_view encoded) {
  if ((count_ + 1) * 4 > table_.size() * 3) grow();  // load at most 3/4
  const size_t mask = table_.size() - 1;
  size_t i = hash_string(encoded) & mask;
  while (table_[i] != 0) {
    if (at_offset(table_[i] - 1) == encoded) return false;
    i = (i + 1) & mask;
  }
  const auto offset = static_cast<uint32_t>(data_.size());
  const auto n = static_cast<uint32_t>(encoded.size());
  data_.append(reinterpret_cast<const char*>(&n), 4);
  data_.append(encoded);
  table_[i] = offset + 1;
  ++count_;
  return true;
}

void DistinctSet::write(StateWriter& w) const {
  w.i64(count_);
  w.str(data_);
}

Status DistinctSet::read(StateReader& r) {
  int64_t n;
  std::string data;
  SLC_RETURN_IF_ERROR(r.count(n, 4));
  SLC_RETURN_IF_ERROR(r.str(data));
  *this = DistinctSet();
  size_t at = 0;
  for (int64_t k = 0; k < n; ++k) {
    uint32_t len = 0;
    if (data.size() - at < 4 ||
        (std::memcpy(&len, data.data() + at, 4), data.size() - at - 4 < len)) {
      return Status(ErrorCode::kDataCorrupt, "aggregate state is damaged: a distinct set's value " +
                                                 std::to_string(k) + " runs past its " +
                                                 std::to_string(data.size()) + " bytes");
    }
    insert(std::string_view(data).substr(at + 4, len));
    at += 4 + len;
  }
  if (at != data.size()) {
    return Status(ErrorCode::kDataCorrupt,
                  "aggregate state is damaged: a distinct set has bytes past its " +
                      std::to_string(n) + " values");
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
