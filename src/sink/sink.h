#pragma once
// The sink connector contract. A connector is driven by exactly one SinkTask thread, in the
// order commands were queued, so it needs no locks.
//
//   open(context)     once, before anything else; a failure fails CREATE SINK. The context
//                     carries the input's schema and write.timeout, which connectors doing
//                     I/O apply to it (socket and statement timeouts).
//   write(batch)      may buffer. May be retried after a failure (with the same batch), so a
//                     connector must leave no partial effect behind a failed write, or be
//                     idempotent for it.
//   flush()           makes what was written so far visible downstream (at-least-once).
//   begin_epoch(e)    rows written from now on belong to epoch e.
//   pre_commit(e)     makes epoch e durable but not yet visible; after it returns OK the sink
//                     must be able to commit or roll back e, even after a restart.
//   staged_epoch(e)   right after pre_commit(e): what it staged (where, rows, bytes and a
//                     checksum), or nothing when it staged no rows. The checkpoint's manifest
//                     records it, so that recovery can tell a whole staged epoch from a lost
//                     or damaged one.
//   commit(e)         makes epoch e visible; must be idempotent (recovery may repeat it).
//                     Staged rows that are gone or damaged by then are an error
//                     (SLC-4003), never a silent loss.
//                     At most one epoch is pre-committed at a time: commit(e) or
//                     rollback(e) comes before pre_commit(e+1), though writes of e+1 may
//                     come first.
//   rollback(e)       discards epoch e; must be idempotent.
//   committed_epoch() after open, when the database checkpoints: the newest epoch whose rows
//                     this sink has made visible (0: none, or it cannot tell). Recovery
//                     refuses to resume from an older checkpoint, which would write those
//                     epochs again (SLC-4002).
//   recover(c, s)     after open, before any write, when the database checkpoints: resolve
//                     the epochs a previous run left pre-committed (in doubt): commit every
//                     one up to c, the newest epoch a durable manifest records, and roll back
//                     the rest (their rows are replayed). `s` is what the manifest says this
//                     sink staged for c, when it staged anything: epoch c must be published
//                     whole, or it is an error (SLC-4003). Must be idempotent.
//   close()           flushes and releases resources; the last call. An exactly-once sink
//                     publishes nothing at close: rows of an epoch not pre-committed are
//                     dropped (they are replayed from the last checkpoint).
//
// Which calls may write to the destination? write() and flush() only make rows visible in
// at-least-once mode; in exactly-once mode rows become visible only at commit(e). Retried
// calls: write() (same batch), commit(e) and rollback(e) (recovery repeats them). See
// docs/sinks.md for the whole contract.
//
// Thread: the SinkTask's thread only (connector_metrics() excepted: any thread).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice::sink {

struct SinkCapabilities {
  bool exactly_once = false;  // implements the epoch calls transactionally
  bool upsert = false;        // can apply rows by key
  bool changelog = false;     // understands _op = 'insert' / 'delete'
  bool idempotent = false;    // repeating a write has no extra effect
};

// What a sink staged for one epoch at pre-commit, as the checkpoint's manifest records it.
struct StagedEpoch {
  std::string location;  // where: a staged file, a prepared transaction (the sink's own words)
  int64_t rows = 0;
  int64_t bytes = 0;    // the staged bytes, when the sink can check them again (else 0)
  uint32_t crc32c = 0;  // CRC-32C of those bytes
};

struct SinkContext {
  std::string name;
  SchemaPtr schema;
  std::chrono::milliseconds write_timeout{30000};
  bool exactly_once = false;  // delivery = 'exactly-once': rows are visible only at commit
};

class Sink {
 public:
  virtual ~Sink() = default;

  virtual SinkCapabilities capabilities() const = 0;
  // How often the task flushes when flush.interval is not given.
  virtual std::chrono::milliseconds default_flush_interval() const {
    return std::chrono::milliseconds(1000);
  }

  virtual Status open(const SinkContext& context) = 0;
  virtual Status write(const RecordBatch& batch) = 0;
  virtual Status flush() = 0;
  virtual Status begin_epoch(uint64_t epoch) {
    (void)epoch;
    return Status::Ok();
  }
  virtual Status pre_commit(uint64_t epoch) {
    (void)epoch;
    return flush();
  }
  virtual Status commit(uint64_t epoch) {
    (void)epoch;
    return Status::Ok();
  }
  virtual Status rollback(uint64_t epoch) {
    (void)epoch;
    return Status::Ok();
  }
  virtual std::optional<StagedEpoch> staged_epoch(uint64_t epoch) const {
    (void)epoch;
    return std::nullopt;
  }
  virtual Result<uint64_t> committed_epoch() { return uint64_t{0}; }
  virtual Status recover(uint64_t committed_epoch, const std::optional<StagedEpoch>& staged) {
    (void)committed_epoch;
    (void)staged;
    return Status::Ok();
  }
  virtual Status close() = 0;

  // Bytes this sink has written out in all (for metrics); 0 when it does not know.
  virtual int64_t bytes_written() const { return 0; }
  // The connector's own counters, by name (the kafka sink's delivery errors and messages in
  // flight), shown with the sink's metrics. The one call made from other threads (whoever
  // reads metrics): read only atomics here.
  virtual std::vector<std::pair<std::string, int64_t>> connector_metrics() const { return {}; }
};

}  // namespace sluice::sink
