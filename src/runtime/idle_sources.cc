#include "runtime/idle_sources.h"

#include <algorithm>
#include <chrono>

#include "common/wait_signal.h"

namespace sluice::runtime {

int64_t IdleSources::now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

void IdleSources::add(uint32_t id, dataflow::SourceNode* node, int64_t now,
                      AlignmentMember* alignment) {
  if (node == nullptr || node->idle_timeout() <= 0) return;
  if (entries_.size() <= id) entries_.resize(id + 1);
  entries_[id] = Entry{node, alignment, node->idle_timeout(), now};
  ++tracked_;
}

void IdleSources::remove(uint32_t id) {
  if (!tracks(id)) return;
  entries_[id] = Entry{};
  --tracked_;
}

Status IdleSources::rows(uint32_t id, int64_t now) {
  if (!tracks(id)) return Status::Ok();
  Entry& e = entries_[id];
  e.last_rows = now;
  if (!e.node->idle()) return Status::Ok();
  if (e.alignment != nullptr) e.alignment->set_idle(false);
  return e.node->set_source_idle(false);
}

Status IdleSources::expire(int64_t now) {
  for (Entry& e : entries_) {
    if (e.node == nullptr || e.node->idle() || e.node->ended()) continue;
    if (now - e.last_rows < e.timeout) continue;
    if (e.alignment != nullptr) e.alignment->set_idle(true);
    SLC_RETURN_IF_ERROR(e.node->set_source_idle(true));
  }
  return Status::Ok();
}

int64_t IdleSources::next_expiry() const {
  int64_t next = kNever;
  for (const Entry& e : entries_) {
    if (e.node == nullptr || e.node->idle() || e.node->ended()) continue;
    next = std::min(next, e.last_rows + e.timeout);
  }
  return next;
}

}  // namespace sluice::runtime
