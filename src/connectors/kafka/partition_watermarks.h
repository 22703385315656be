#pragma once
// PartitionWatermarks: a Kafka source's watermark, made per partition. Each partition's
// watermark is the largest event time read from it minus the source's declared delay; the
// source's is the smallest among the partitions it reads, so a partition that lags behind the
// others holds windows open until its rows are in. A partition from which nothing arrived for
// `idle_timeout` does not count (else one quiet partition would hold every window open
// forever), until a message arrives again; when every partition is idle, the source's
// watermark is the largest of theirs. A partition that has not had a row yet holds the
// watermark unset (until it is idle). The watermark never goes back.
//
// Times are µs: event times since the epoch, `now` from any steady clock.
//
// Thread: the source connector's thread only.

#include <cstdint>
#include <map>
#include <string>

namespace sluice::connectors::kafka {

class PartitionWatermarks {
 public:
  // `delay`: the source's WATERMARK FOR delay; `idle_timeout` ≤ 0: partitions are never idle.
  PartitionWatermarks(int64_t delay, int64_t idle_timeout)
      : delay_(delay), idle_timeout_(idle_timeout) {}

  // The source now reads the partition (a rebalance assigned it) / no longer does.
  void assign(const std::string& partition, int64_t now);
  void revoke(const std::string& partition) { partitions_.erase(partition); }
  // A message arrived from the partition (with or without an event time).
  void touch(const std::string& partition, int64_t now);
  // A row of the partition with this event time.
  void observe(const std::string& partition, int64_t event_time);

  // The source's watermark at `now`, or kNone while there is none; never below one returned
  // before.
  int64_t watermark(int64_t now);

  static constexpr int64_t kNone = INT64_MIN;

 private:
  struct Partition {
    int64_t max_event_time = kNone;
    int64_t last_message = 0;  // `now` of its last message (or of its assignment)
  };

  const int64_t delay_;
  const int64_t idle_timeout_;
  std::map<std::string, Partition> partitions_;
  int64_t watermark_ = kNone;
};

}  // namespace sluice::connectors::kafka
