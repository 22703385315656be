#pragma once
// Buffer: an immutable, shared run of bytes. It keeps its owner alive (an aligned allocation,
// or an imported Arrow array), so slices and copies of batches share memory.
// BufferBuilder: a growable, 64-byte aligned byte area (Arrow's recommended alignment and
// padding) whose finish() hands the memory to a Buffer without copying.
//
// Thread: a Buffer may be read from any thread; a BufferBuilder belongs to one.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace sluice {

inline constexpr size_t kBufferAlignment = 64;

class Buffer {
 public:
  Buffer() = default;
  Buffer(std::shared_ptr<const void> owner, const uint8_t* data, size_t size)
      : owner_(std::move(owner)), data_(data), size_(size) {}

  // A 64-byte aligned copy of the bytes.
  static Buffer copy_of(const void* data, size_t size);

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return data_ == nullptr; }
  // Whether another Buffer or an exported Arrow array still shares this memory.
  long use_count() const { return owner_.use_count(); }

 private:
  std::shared_ptr<const void> owner_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

class BufferBuilder {
 public:
  BufferBuilder() = default;
  BufferBuilder(const BufferBuilder&) = delete;
  BufferBuilder& operator=(const BufferBuilder&) = delete;
  BufferBuilder(BufferBuilder&& other) noexcept { *this = std::move(other); }
  BufferBuilder& operator=(BufferBuilder&& other) noexcept;
  ~BufferBuilder();

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

  void reserve(size_t bytes) {
    if (bytes > capacity_) grow(bytes);
  }
  // New bytes are zero.
  void resize(size_t bytes) {
    reserve(bytes);
    if (bytes > size_) std::memset(data_ + size_, 0, bytes - size_);
    size_ = bytes;
  }
  void append(const void* bytes, size_t n) {
    if (size_ + n > capacity_) grow(size_ + n);
    if (n != 0) std::memcpy(data_ + size_, bytes, n);
    size_ += n;
  }
  template <typename T>
  void append_value(T value) {
    append(&value, sizeof value);
  }
  // Hands the bytes to a Buffer (zeroing the padding) and leaves this builder empty.
  Buffer finish();

 private:
  void grow(size_t min_capacity);

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace sluice
