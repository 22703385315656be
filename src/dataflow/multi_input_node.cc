#include "dataflow/multi_input_node.h"

#include <algorithm>

namespace sluice::dataflow {

namespace {

// The framing's own part of a capture, with the subclass's image inside.
class FramedImage final : public StateImage {
 public:
  FramedImage(std::string signature, std::vector<std::pair<int64_t, int64_t>> ports,
              std::unique_ptr<StateImage> inner)
      : signature_(std::move(signature)), ports_(std::move(ports)), inner_(std::move(inner)) {}

  void write(StateWriter& w) const override {
    w.str(signature_);
    w.i64(static_cast<int64_t>(ports_.size()));
    for (const auto& [watermark, told] : ports_) {
      w.i64(watermark);
      w.i64(told);
    }
    if (inner_) inner_->write(w);
  }

 private:
  const std::string signature_;
  const std::vector<std::pair<int64_t, int64_t>> ports_;
  const std::unique_ptr<StateImage> inner_;
};

}  // namespace

MultiInputNode::MultiInputNode(std::string name, std::string step_of,
                               std::vector<std::string> inputs)
    : Node(std::move(name), sql::ObjectKind::kStream),
      inputs_(std::move(inputs)),
      step_of_(std::move(step_of)),
      ports_(inputs_.size()) {}

int64_t MultiInputNode::combined() const {
  int64_t active_min = kFinalWatermark;
  int64_t all_max = kNoWatermark;
  bool any_active = false;
  for (const Port& p : ports_) {
    all_max = std::max(all_max, p.watermark);
    if (p.idle) continue;
    any_active = true;
    active_min = std::min(active_min, p.watermark);
  }
  return any_active ? active_min : all_max;
}

Status MultiInputNode::tell_ports(int64_t node) {
  for (size_t i = 0; i < ports_.size(); ++i) {
    Port& p = ports_[i];
    const int64_t stands = p.idle ? std::max(p.watermark, node) : p.watermark;
    if (stands <= p.told) continue;
    p.told = stands;
    Status s = on_port_watermark(static_cast<int>(i), stands);
    if (!s.ok()) return s.with_location(what());
  }
  return Status::Ok();
}

Status MultiInputNode::update() {
  const int64_t node = combined();
  SLC_RETURN_IF_ERROR(tell_ports(node));
  return advance_downstream(node);
}

bool MultiInputNode::all_idle() const {
  return std::all_of(ports_.begin(), ports_.end(), [](const Port& p) { return p.idle; });
}

Status MultiInputNode::advance(int64_t watermark, int port) {
  Port& p = ports_[static_cast<size_t>(port)];
  if (watermark <= p.watermark) return Status::Ok();
  p.watermark = watermark;
  return update();
}

Status MultiInputNode::set_input_idle(bool idle, int port) {
  Port& p = ports_[static_cast<size_t>(port)];
  if (p.idle == idle) return Status::Ok();
  p.idle = idle;
  // Leaving an input out may move the minimum up; taking one back never moves it down.
  SLC_RETURN_IF_ERROR(update());
  return set_idle(all_idle());
}

void MultiInputNode::join_input(int port, int64_t watermark, bool idle) {
  Port& p = ports_[static_cast<size_t>(port)];
  p.watermark = watermark;
  p.idle = idle;
  if (static_cast<size_t>(port) + 1 < ports_.size()) return;
  // The last port: the node starts at its inputs' minimum, each port told where it stands. A
  // new node has no rows, so this emits nothing, and nothing is downstream yet.
  const int64_t node = combined();
  tell_ports(node).ignore();
  watermark_ = node;
  idle_ = all_idle();
}

std::unique_ptr<StateImage> MultiInputNode::capture_operator() const {
  std::vector<std::pair<int64_t, int64_t>> ports;
  ports.reserve(ports_.size());
  for (const Port& p : ports_) ports.emplace_back(p.watermark, p.told);
  return std::make_unique<FramedImage>(plan_signature(), std::move(ports), capture_inner());
}

Status MultiInputNode::restore_operator(StateReader& r) {
  std::string signature;
  SLC_RETURN_IF_ERROR(r.str(signature));
  const std::string mine = plan_signature();
  if (signature != mine) {
    return Status(ErrorCode::kSchemaMismatch, "the checkpoint's " + name() + " is " + signature +
                                                  ", the pipeline's is " + mine +
                                                  ": it was declared differently");
  }
  int64_t count;
  SLC_RETURN_IF_ERROR(r.i64(count));
  if (count != static_cast<int64_t>(ports_.size())) {
    return Status(ErrorCode::kSchemaMismatch,
                  "the checkpoint's " + name() + " has " + std::to_string(count) +
                      " inputs, the pipeline's " + std::to_string(ports_.size()));
  }
  for (Port& p : ports_) {
    SLC_RETURN_IF_ERROR(r.i64(p.watermark));
    SLC_RETURN_IF_ERROR(r.i64(p.told));
    p.idle = false;  // idleness is not checkpointed: every source starts active
  }
  idle_ = false;
  Status s = restore_inner(r);
  return s.ok() ? s : s.with_location(what());
}

}  // namespace sluice::dataflow
