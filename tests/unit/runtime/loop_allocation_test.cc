// Proves the compute loop's own bookkeeping allocates nothing per cycle: this binary replaces
// the global operator new and counts allocations by the phase the allocating thread is in
// (see common/alloc_phase.h). 1,000 pass-through cycles, one lone event each, must show
// zero allocations in the loop phase; the operators' allocations (output data) are reported.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "common/alloc_phase.h"
#include "sluice/database.h"

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
namespace {

int64_t count(AllocPhase phase) {
  return g_allocations[static_cast<int>(phase)].load();
}

TEST(ComputeLoop, NoAllocationPerCycleForItsOwnBookkeeping) {
  auto db = Database::open().value();
  // Sinks too: handing batches to sink queues is part of every cycle. The callback sink's own
  // thread is counted as loop from its first write on, so a write that allocates fails the
  // test: the callback sink delivers without an allocation per write.
  std::atomic<int64_t> delivered{0};
  db->register_callback("count", [&](const RecordBatch& b) {
    current_alloc_phase = AllocPhase::kLoop;
    delivered += b.num_rows();
  });
  ASSERT_TRUE(db->execute("CREATE SOURCE t (n BIGINT); CREATE STREAM s AS SELECT n FROM t;"
                          "CREATE SINK b FROM s INTO blackhole ();"
                          "CREATE SINK cb FROM s INTO callback (function = 'count')")
                  .ok());
  auto sub = db->subscribe("s").value();
  auto src = db->source("t").value();
  RowBuilder rows = src.row_builder();
  ASSERT_TRUE(rows.set("n", Value::Int64(1)).end_row().ok());
  const RecordBatch event = rows.finish();

  auto cycle = [&] {
    ASSERT_TRUE(src.push(event).ok());
    auto b = sub.recv();  // one push, one cycle: the next push waits for this one's output
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b->num_rows(), 1);
  };
  for (int i = 0; i < 50; ++i) cycle();  // warm-up: hash maps and queues settle

  const int64_t loop_before = count(AllocPhase::kLoop);
  const int64_t operators_before = count(AllocPhase::kOperators);
  constexpr int kCycles = 1000;
  for (int i = 0; i < kCycles; ++i) cycle();
  const int64_t loop = count(AllocPhase::kLoop) - loop_before;
  const int64_t operators = count(AllocPhase::kOperators) - operators_before;

  std::printf(
      "compute loop allocations over %d cycles: loop bookkeeping %lld, operators %lld (%.1f per "
      "cycle)\n",
      kCycles, static_cast<long long>(loop), static_cast<long long>(operators),
      static_cast<double>(operators) / kCycles);
  EXPECT_EQ(loop, 0) << "the compute loop (or the callback sink's thread) allocated per cycle";
  ASSERT_TRUE(db->shutdown().ok());
  EXPECT_EQ(delivered.load(), 1050) << "every event reached the callback sink";
  EXPECT_GT(operators, 0)
      << "the counter must see the operators' allocations, or it proves nothing";
}

}  // namespace
}  // namespace sluice
