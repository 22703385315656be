#pragma once
// What the pushing threads and the compute thread share about one source: its schema (for
// checking pushes where they happen), its credit gate, and its definition (for connectors).
//
// Thread: immutable after creation except the gate, the flags and the log, which are
// thread-safe; `log` is set before the source takes rows.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "runtime/credit_gate.h"
#include "runtime/push_log.h"
#include "sluice/schema.h"
#include "sql/catalog.h"

namespace sluice::runtime {

struct SourceRuntime {
  SourceRuntime(uint32_t source_id, std::shared_ptr<const sql::SourceDef> def, int64_t credits,
                Overflow overflow)
      : id(source_id), definition(std::move(def)), gate(credits, overflow) {}

  const std::string& name() const { return definition->name; }
  const SchemaPtr& schema() const { return definition->schema; }

  const uint32_t id;
  const std::shared_ptr<const sql::SourceDef> definition;
  CreditGate gate;
  std::atomic<bool> dropped{false};
  std::atomic<bool> ended{false};
  // Something reads it: a stream, view or sink over it, or a subscription (set by the compute
  // thread, never unset). A connector source created while the database runs starts only
  // then, so that its first consumer sees its input from the start (Database::start).
  std::atomic<bool> consumed{false};
  // Where a connector starts reading: the offset of the checkpoint the database recovered
  // from (a byte position, an event number), 0 for a fresh start. Set before start().
  std::atomic<int64_t> resume_offset{0};
  // A durable push source's write-ahead log (null otherwise); `log_mutex` keeps the log's order
  // and the order rows enter the pipeline the same.
  std::shared_ptr<PushLog> log;
  std::mutex log_mutex;
};

}  // namespace sluice::runtime
