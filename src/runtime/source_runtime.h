#pragma once
// What the pushing threads and the compute thread share about one source: its schema (for
// checking pushes where they happen), its credit gate, and its definition (for connectors).
//
// Thread: immutable after creation except the gate and `dropped`, which are thread-safe.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/credit_gate.h"
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
};

}  // namespace sluice::runtime
