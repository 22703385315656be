#pragma once
// Replaces the global operator new (and delete) to count allocations by the phase the
// allocating thread is in (common/alloc_phase.h), for tests that prove a path allocates nothing
// per row or per cycle. Include it in exactly one file of a test binary of its own: the
// replacement is the whole program's.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "common/alloc_phase.h"

namespace {
std::atomic<int64_t> g_allocations[3];
}

void* operator new(std::size_t size) {
  g_allocations[static_cast<int>(sluice::current_alloc_phase)].fetch_add(1,
                                                                         std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  g_allocations[static_cast<int>(sluice::current_alloc_phase)].fetch_add(1,
                                                                         std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return operator new(size, align);
}
// The nothrow forms too (std::get_temporary_buffer uses them), so every allocation pairs with
// the deletes below.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations[static_cast<int>(sluice::current_alloc_phase)].fetch_add(1,
                                                                         std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace sluice {

// Allocations made so far by threads in `phase`.
inline int64_t allocations(AllocPhase phase) {
  return g_allocations[static_cast<int>(phase)].load();
}

}  // namespace sluice
