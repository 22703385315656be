#include "dataflow/string_arena.h"

#include <algorithm>
#include <cstring>

namespace sluice::dataflow {

namespace {

// Blocks grow from small (a window with a handful of groups stays small) to 64 KiB; a longer
// string gets a block of its own.
constexpr uint32_t kFirstBlock = 256;
constexpr uint32_t kMaxBlock = 64 * 1024;

}  // namespace

StringRef StringArena::add(std::string_view s) {
  const auto n = static_cast<uint32_t>(s.size());
  if (n <= StringRef::kInline) {
    StringRef r;
    r.length = n;
    if (n > 0) std::memcpy(r.inline_bytes(), s.data(), n);
    return r;
  }
  if (blocks_.empty() || capacity_.back() - used_.back() < n) {
    uint32_t cap = blocks_.empty() ? kFirstBlock : std::min(kMaxBlock, capacity_.back() * 2);
    cap = std::max(cap, n);
    blocks_.push_back(std::shared_ptr<char[]>(new char[cap]));
    used_.push_back(0);
    capacity_.push_back(cap);
    capacity_total_ += cap;
  }
  const auto block = static_cast<uint32_t>(blocks_.size() - 1);
  StringRef r;
  r.length = n;
  r.block = block;
  r.offset = used_[block];
  std::memcpy(blocks_[block].get() + r.offset, s.data(), n);
  used_[block] += n;
  used_total_ += n;
  return r;
}

void StringArena::write(StateWriter& w) const {
  w.i64(static_cast<int64_t>(blocks_.size()));
  for (size_t b = 0; b < blocks_.size(); ++b) w.str(std::string_view(blocks_[b].get(), used_[b]));
}

Status StringArena::read(StateReader& r) {
  int64_t n;
  SLC_RETURN_IF_ERROR(r.count(n, 8));
  *this = StringArena();
  std::string bytes;
  for (int64_t b = 0; b < n; ++b) {
    SLC_RETURN_IF_ERROR(r.str(bytes));
    if (bytes.size() > UINT32_MAX) {
      return Status(ErrorCode::kDataCorrupt, "aggregate state is damaged: a string block of " +
                                                 std::to_string(bytes.size()) + " bytes");
    }
    const auto size = static_cast<uint32_t>(bytes.size());
    const uint32_t cap = std::max<uint32_t>(size, 1);
    blocks_.push_back(std::shared_ptr<char[]>(new char[cap]));
    if (size > 0) std::memcpy(blocks_.back().get(), bytes.data(), size);
    used_.push_back(size);
    capacity_.push_back(cap);
    used_total_ += size;
    capacity_total_ += cap;
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
