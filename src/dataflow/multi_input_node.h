#pragma once
// MultiInputNode: what every node with several inputs shares (a join, a UNION ALL): one port
// per input, each with its own watermark, and the node's own watermark their minimum.
//
// An input that ended counts as kFinalWatermark (that is the watermark it passed on). An idle
// input (no rows for its source's idle.timeout: source_node.h) is left out of the minimum
// until it receives rows again; when every input is idle, the node's watermark is the largest
// of theirs (the rule a Kafka source applies to its idle partitions), and the node is idle
// itself. An idle input is told the node's watermark (on_port_watermark), so a join prunes
// and closes against it as if that side had caught up; rows it sends later behind that are
// late. This trades determinism for liveness, as Flink's idleness does (docs/sql.md).
//
// Checkpoints: the node's state is framed as a plan signature (what the step computes, so a
// checkpoint of a different plan is refused naming the difference), each port's watermarks,
// then the subclass's own state.
//
// Thread: the compute thread (or a test's) only.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/node.h"

namespace sluice::dataflow {

class MultiInputNode : public Node {
 public:
  MultiInputNode(std::string name, std::string step_of, std::vector<std::string> inputs);

  std::vector<std::string> inputs() const override { return inputs_; }
  const std::string& step_of() const override { return step_of_; }

  Status advance(int64_t watermark, int port) final;
  Status set_input_idle(bool idle, int port) final;
  void join_input(int port, int64_t watermark, bool idle) final;

  std::unique_ptr<StateImage> capture_operator() const final;
  Status restore_operator(StateReader& reader) final;

  // The watermark the input on `port` has passed on (kNoWatermark: none yet).
  int64_t port_watermark(int port) const { return ports_[static_cast<size_t>(port)].watermark; }
  bool port_idle(int port) const { return ports_[static_cast<size_t>(port)].idle; }

 protected:
  // The watermark `port` stands at for this node moved to `watermark` (its own, or the node's
  // when the port is idle; never back): a join tells its operator's side. Called before the
  // node's own watermark moves downstream.
  virtual Status on_port_watermark(int port, int64_t watermark) {
    (void)port;
    (void)watermark;
    return Status::Ok();
  }
  // What the step computes, in one line, compared on restore.
  virtual std::string plan_signature() const = 0;
  // The subclass's own state inside the framing (null: none).
  virtual std::unique_ptr<StateImage> capture_inner() const { return nullptr; }
  virtual Status restore_inner(StateReader& reader) {
    (void)reader;
    return Status::Ok();
  }

 private:
  struct Port {
    int64_t watermark = kNoWatermark;  // what the input passed on
    int64_t told = kNoWatermark;       // what on_port_watermark was last given
    bool idle = false;
  };
  // The minimum over the ports that are not idle (the largest when all are).
  int64_t combined() const;
  // Tells each port where it now stands (on_port_watermark), given the node's watermark.
  Status tell_ports(int64_t node);
  // Tells each port's watermark as it now stands, then moves the node's own.
  Status update();
  bool all_idle() const;

  const std::vector<std::string> inputs_;
  const std::string step_of_;
  std::vector<Port> ports_;
};

}  // namespace sluice::dataflow
