#pragma once
// The `kafka` source connector: reads one or several topics as a member of a consumer group
// (`group.id`) on its own thread and pushes their messages, one row each (a JSON object or a
// CSV record; a message's timestamp may fill a TIMESTAMP column), into its source.
//
// Offsets: a push carries, for each partition it has rows of, the offset after them (a split
// "topic/partition", runtime::Ingest::push_splits), so every checkpoint holds every partition's
// offset and a recovered database resumes each partition there: the source is replayable and
// can feed exactly-once sinks. After each checkpoint commit its offsets are committed to the
// group (for the partitions the source still reads), so standard tools see the lag; the lag per
// partition is also a metric (split_lag). When a rebalance assigns a partition, it starts at the
// larger of the offset the source knows for it (its checkpoint's, or what it has pushed) and
// the group's committed offset; with neither, at `start`.
//
// Watermark (WATERMARK FOR): per partition, the source's being their minimum, an idle partition
// left out after `idle.timeout` (partition_watermarks.h); pushed after the rows that moved it.
//
// Errors: a malformed message is reported with topic, partition and offset and counted; with
// on.error = 'skip' reading goes on, with 'fail' (the default) the rows before it are delivered,
// then the database records the error. An address that does not answer within
// `connect.timeout`, or an unknown topic, fails the database with an error saying so; nothing
// of it blocks the compute thread.
//
// Thread: its own reader thread (SourceConnector); start()/stop()/metrics from the owner.
// librdkafka's header stays in the .cc.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/mutex.h"
#include "connectors/source_connector.h"

namespace sluice::connectors::kafka {

class KafkaSource final : public SourceConnector {
 public:
  using SourceConnector::SourceConnector;
  ~KafkaSource() override { stop(); }

  int64_t rows_read() const { return rows_read_.load(); }
  int64_t rows_skipped() const override { return skipped_.load(); }
  std::map<std::string, int64_t> split_lag() const override {
    MutexLock lock(lag_mutex_);
    return lag_;
  }

 private:
  class Reader;  // the librdkafka consumer, on the connector's thread (kafka_source.cc)

  void run() override;

  std::atomic<int64_t> rows_read_{0};
  std::atomic<int64_t> skipped_{0};
  mutable Mutex lag_mutex_;
  std::map<std::string, int64_t> lag_ GUARDED_BY(lag_mutex_);
};

}  // namespace sluice::connectors::kafka
