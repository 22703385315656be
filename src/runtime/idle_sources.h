#pragma once
// IdleSources: which sources have gone quiet. A source declared with `idle.timeout` that has
// received no rows for that long, by the compute loop's clock (steady, µs), is idle: its node
// is told (SourceNode::set_source_idle) and every node with several inputs below it leaves it
// out of its watermark's minimum (dataflow/multi_input_node.h), so one quiet input does not
// hold a join's or a union's windows open forever. Its next rows make it active again, before
// they enter the graph. Sources without the option are never idle.
//
// A source in a watermark alignment group is told too (AlignmentMember::set_idle): an idle
// source does not hold its group's other readers back.
//
// The compute loop sleeps no longer than next_expiry(), so a source turns idle on time even
// when nothing else happens.
//
// Thread: the compute thread only.

#include <cstdint>
#include <vector>

#include "dataflow/source_node.h"
#include "runtime/watermark_alignment.h"
#include "sluice/status.h"

namespace sluice::runtime {

class IdleSources {
 public:
  static constexpr int64_t kNever = INT64_MAX;

  // The compute loop's clock, µs.
  static int64_t now();

  // The source in slot `id` starts now (a source without idle.timeout is not tracked);
  // `alignment`: its alignment group membership, if any (outlives the entry).
  void add(uint32_t id, dataflow::SourceNode* node, int64_t now,
           AlignmentMember* alignment = nullptr);
  // The source was dropped.
  void remove(uint32_t id);
  // Whether any source is tracked (the loop reads the clock only then).
  bool any() const { return tracked_ > 0; }
  bool tracks(uint32_t id) const { return id < entries_.size() && entries_[id].node != nullptr; }

  // Rows of source `id` arrive at `now`: an idle source is active again (its node told first).
  Status rows(uint32_t id, int64_t now);
  // Marks idle every source whose timeout has passed by `now`.
  Status expire(int64_t now);
  // When the next source turns idle (kNever: none will).
  int64_t next_expiry() const;

 private:
  struct Entry {
    dataflow::SourceNode* node = nullptr;  // null: not tracked
    AlignmentMember* alignment = nullptr;
    int64_t timeout = 0;
    int64_t last_rows = 0;  // when rows last came (or the source was added)
  };
  std::vector<Entry> entries_;  // by slot id
  int tracked_ = 0;
};

}  // namespace sluice::runtime
