#pragma once
// CowPtr<T>: a reference-counted pointer for state shared copy-on-write between the live
// operator (or view table) and the checkpoint images it captured. The one question it
// answers beyond a shared_ptr is unique(): whether the caller may write the object in place.
//
// Why not std::shared_ptr: the writer asked use_count() (a relaxed load) and then issued an
// acquire fence to order its writes after the image thread's last reads (that thread drops
// its reference with a release decrement). That is correct C++, but ThreadSanitizer does not
// model standalone fences, so it could not check the pattern. Here unique() is an acquire
// load of the count and the release is a release (acq_rel) decrement on the count itself:
// the synchronization TSan sees is the one the code relies on.
//
// Thread: a CowPtr object is used by one thread; copies of it (sharing one T) may live on
// different threads. The shared T is only read while shared (unique() false); the owner
// copies it before writing.

#include <atomic>
#include <cstdint>
#include <utility>

namespace sluice::dataflow {

template <typename T>
class CowPtr {
 public:
  CowPtr() = default;
  CowPtr(std::nullptr_t) {}  // NOLINT: as a null shared_ptr
  template <typename... Args>
  static CowPtr make(Args&&... args) {
    CowPtr p;
    p.box_ = new Box{{1}, T(std::forward<Args>(args)...)};
    return p;
  }

  CowPtr(const CowPtr& other) : box_(other.box_) {
    if (box_ != nullptr) box_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  CowPtr(CowPtr&& other) noexcept : box_(std::exchange(other.box_, nullptr)) {}
  CowPtr& operator=(CowPtr other) noexcept {
    std::swap(box_, other.box_);
    return *this;
  }
  ~CowPtr() { reset(); }

  void reset() {
    // Release: this copy's reads of the T happen before a writer's unique() sees the count
    // drop; acquire: the last owner's delete comes after every other copy's reads.
    if (box_ != nullptr && box_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete box_;
    box_ = nullptr;
  }

  // Whether this is the only reference: then the T may be written. The acquire pairs with the
  // release of the other copies' drops, so their reads come before the caller's writes.
  bool unique() const { return box_->refs.load(std::memory_order_acquire) == 1; }

  T* get() const { return box_ == nullptr ? nullptr : &box_->value; }
  T& operator*() const { return box_->value; }
  T* operator->() const { return &box_->value; }
  explicit operator bool() const { return box_ != nullptr; }
  bool operator==(std::nullptr_t) const { return box_ == nullptr; }

 private:
  struct Box {
    std::atomic<int64_t> refs;
    T value;
  };
  Box* box_ = nullptr;
};

// Makes `p` a T its owner may write before a change: a new one when null, its own copy when a
// checkpoint image still shares it (unique()'s acquire pairs with the image's release of its
// reference, after its last read).
template <typename T>
void own(CowPtr<T>& p) {
  if (!p) {
    p = CowPtr<T>::make();
  } else if (!p.unique()) {
    p = CowPtr<T>::make(*p);
  }
}

}  // namespace sluice::dataflow
