#include "columnar/bitmap.h"

namespace sluice::bitmap {

int64_t count_set(const uint8_t* bits, int64_t offset, int64_t length) {
  int64_t count = 0;
  int64_t i = offset;
  const int64_t end = offset + length;
  while (i < end && (i & 63) != 0) count += get(bits, i++);
  for (; i + 64 <= end; i += 64) {
    uint64_t word;
    std::memcpy(&word, bits + (i >> 3), 8);
    count += std::popcount(word);
  }
  while (i < end) count += get(bits, i++);
  return count;
}

void copy(const uint8_t* src, int64_t src_offset, uint8_t* dst, int64_t dst_offset,
          int64_t length) {
  if ((src_offset & 7) == 0 && (dst_offset & 7) == 0) {
    const int64_t whole = length / 8;
    std::memcpy(dst + dst_offset / 8, src + src_offset / 8, static_cast<size_t>(whole));
    for (int64_t i = whole * 8; i < length; ++i) {
      assign(dst, dst_offset + i, get(src, src_offset + i));
    }
    return;
  }
  for (int64_t i = 0; i < length; ++i) assign(dst, dst_offset + i, get(src, src_offset + i));
}

}  // namespace sluice::bitmap
