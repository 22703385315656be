#pragma once
// The exactly-once kafka sink's progress records: each epoch's transaction also writes one
// message to partition 0 of the progress topic, key = the sink's transactional.id, value = the
// epoch in decimal, so the record is committed exactly when the epoch's messages are. Read back
// with isolation.level = read_committed, the newest record of a key is the newest epoch whose
// messages Kafka holds (0: none).
//
// Thread: any; each call makes and destroys its own consumer.

#include <chrono>
#include <cstdint>
#include <string>

#include "connectors/kafka/kafka_producer.h"
#include "sluice/status.h"

namespace sluice::connectors::kafka {

// The partition of the progress topic every record goes to (the topic needs only one).
inline constexpr int32_t kProgressPartition = 0;

// Reads partition 0 of `topic` to its end (the last stable offset: open transactions are
// waited for) within `timeout`. `properties` are the sink's (bootstrap.servers, security).
// An unknown topic holds no progress: 0.
Result<uint64_t> read_progress(const Properties& properties, const std::string& topic,
                               const std::string& key, const std::string& where,
                               std::chrono::milliseconds timeout);

}  // namespace sluice::connectors::kafka
