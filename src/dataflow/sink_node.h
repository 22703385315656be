#pragma once
// SinkNode: a sink in the graph. It keeps the rows of its input that pass its WHERE (compiled
// once at CREATE SINK, evaluated vectorized per batch) and hands them to its output, which
// the router points at the sink's task. It emits nothing downstream.
//
// Thread: the compute thread (or a test's) only.

#include <memory>
#include <vector>

#include "dataflow/node.h"
#include "sql/catalog.h"

namespace sluice::dataflow {

class SinkNode final : public Node {
 public:
  explicit SinkNode(std::shared_ptr<const sql::SinkDef> definition);

  const sql::SinkDef& definition() const { return *definition_; }
  std::vector<std::string> inputs() const override { return {definition_->input}; }

  Status feed(const RecordBatch& batch, int port) override;
  std::string describe() const override;

 private:
  const std::shared_ptr<const sql::SinkDef> definition_;
  std::vector<uint32_t> selection_;  // reused WHERE selection
};

}  // namespace sluice::dataflow
