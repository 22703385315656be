#include "runtime/credit_gate.h"

namespace sluice::runtime {

bool CreditGate::try_take(int64_t rows) {
  int64_t available = available_.load(std::memory_order_acquire);
  for (;;) {
    // An oversized push goes through alone, when every credit is back.
    const bool fits = available >= rows || (rows > capacity_ && available == capacity_);
    if (!fits) return false;
    const int64_t take = rows > capacity_ ? capacity_ : rows;
    if (available_.compare_exchange_weak(available, available - take, std::memory_order_acq_rel)) {
      return true;
    }
  }
}

Result<CreditGate::Outcome> CreditGate::acquire(int64_t rows) {
  if (closed_.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kClosed, "the source is closed to new rows");
  }
  if (!try_take(rows)) {
    switch (overflow_) {
      case Overflow::kDrop:
        dropped_rows_.fetch_add(rows, std::memory_order_relaxed);
        return Outcome::kDropped;
      case Overflow::kError:
        rejected_.fetch_add(1, std::memory_order_relaxed);
        return Status(
            ErrorCode::kResourceExhausted,
            "the source's buffer of " + std::to_string(capacity_) +
                " rows is full (overflow = 'error'); retry later, raise 'credits', or use "
                "overflow = 'block'");
      case Overflow::kBlock:
        break;
    }
    blocked_.fetch_add(1, std::memory_order_relaxed);
    bool taken = false;
    returned_.wait_until([&] {
      if (closed_.load(std::memory_order_acquire)) return true;
      taken = try_take(rows);
      return taken;
    });
    if (!taken) return Status(ErrorCode::kClosed, "the source closed while the push waited");
  }
  acquired_rows_.fetch_add(rows, std::memory_order_relaxed);
  return Outcome::kAcquired;
}

void CreditGate::release(int64_t rows) {
  available_.fetch_add(rows > capacity_ ? capacity_ : rows, std::memory_order_acq_rel);
  returned_.notify_all();
}

void CreditGate::close() {
  closed_.store(true, std::memory_order_release);
  returned_.notify_all();
}

CreditMetrics CreditGate::metrics() const {
  CreditMetrics m;
  m.acquired_rows = acquired_rows_.load(std::memory_order_relaxed);
  m.blocked = blocked_.load(std::memory_order_relaxed);
  m.dropped_rows = dropped_rows_.load(std::memory_order_relaxed);
  m.rejected = rejected_.load(std::memory_order_relaxed);
  m.in_flight = capacity_ - available_.load(std::memory_order_relaxed);
  return m;
}

}  // namespace sluice::runtime
