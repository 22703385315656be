#include "sluice/buffer.h"

#include <cstdlib>
#include <new>

namespace sluice {
namespace {

size_t round_up(size_t n) {
  return (n + kBufferAlignment - 1) & ~(kBufferAlignment - 1);
}

uint8_t* allocate(size_t bytes) {
  void* p = std::aligned_alloc(kBufferAlignment, bytes);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<uint8_t*>(p);
}

}  // namespace

Buffer Buffer::copy_of(const void* data, size_t size) {
  BufferBuilder b;
  b.append(data, size);
  return b.finish();
}

BufferBuilder& BufferBuilder::operator=(BufferBuilder&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  return *this;
}

BufferBuilder::~BufferBuilder() {
  std::free(data_);
}

void BufferBuilder::grow(size_t min_capacity) {
  size_t cap = capacity_ == 0 ? kBufferAlignment : capacity_ * 2;
  if (cap < min_capacity) cap = round_up(min_capacity);
  uint8_t* fresh = allocate(cap);
  if (size_ != 0) std::memcpy(fresh, data_, size_);
  std::free(data_);
  data_ = fresh;
  capacity_ = cap;
}

Buffer BufferBuilder::finish() {
  if (data_ == nullptr) grow(kBufferAlignment);
  // Padding up to the allocation's end is zeroed so exported memory is fully defined.
  std::memset(data_ + size_, 0, capacity_ - size_);
  std::shared_ptr<const void> owner(data_, [](const void* p) { std::free(const_cast<void*>(p)); });
  Buffer out(std::move(owner), data_, size_);
  data_ = nullptr;
  size_ = capacity_ = 0;
  return out;
}

}  // namespace sluice
