#include "connectors/kafka/partition_watermarks.h"

#include <algorithm>

namespace sluice::connectors::kafka {

void PartitionWatermarks::assign(const std::string& partition, int64_t now) {
  partitions_[partition].last_message = now;
}

void PartitionWatermarks::touch(const std::string& partition, int64_t now) {
  partitions_[partition].last_message = now;
}

void PartitionWatermarks::observe(const std::string& partition, int64_t event_time) {
  Partition& p = partitions_[partition];
  p.max_event_time = std::max(p.max_event_time, event_time);
}

int64_t PartitionWatermarks::watermark(int64_t now) {
  int64_t active_min = INT64_MAX;  // over the partitions that are not idle
  int64_t all_max = kNone;         // over every partition with a row
  bool any_active = false;
  for (const auto& [name, p] : partitions_) {
    // A partition's own watermark; none below TIMESTAMP's range (no wrap-around).
    int64_t own = kNone;
    if (p.max_event_time != kNone && __builtin_sub_overflow(p.max_event_time, delay_, &own))
      own = kNone;
    all_max = std::max(all_max, own);
    const bool idle = idle_timeout_ > 0 && now - p.last_message >= idle_timeout_;
    if (idle) continue;
    any_active = true;
    active_min = std::min(active_min, own);
  }
  const int64_t candidate = any_active ? active_min : all_max;
  if (candidate != kNone) watermark_ = std::max(watermark_, candidate);
  return watermark_;
}

}  // namespace sluice::connectors::kafka
