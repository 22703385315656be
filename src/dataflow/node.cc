#include "dataflow/node.h"

namespace sluice::dataflow {

const std::string& Node::step_of() const {
  static const std::string kNone;
  return kNone;
}

Status Node::advance(int64_t watermark, int port) {
  (void)port;
  return advance_downstream(watermark);
}

Status Node::set_input_idle(bool idle, int port) {
  (void)port;
  return set_idle(idle);
}

void Node::join_input(int port, int64_t watermark, bool idle) {
  (void)port;
  watermark_ = watermark;
  idle_ = idle;
}

OperatorStats Node::stats() const {
  OperatorStats s;
  s.rows_in = rows_in_;
  s.rows_out = rows_out_;
  return s;
}

Status Node::restore_table(StateReader& reader) {
  int64_t rows;
  SLC_RETURN_IF_ERROR(reader.i64(rows));
  if (rows >= 0) {
    return Status(ErrorCode::kSchemaMismatch,
                  "the checkpoint's view table of " + name_ + " does not match");
  }
  return Status::Ok();
}

Node::Progress Node::progress() const {
  return Progress{watermark_, kNoWatermark, false, rows_in_, rows_out_};
}

void Node::set_progress(const Progress& p) {
  watermark_ = p.watermark;
  rows_in_ = p.rows_in;
  rows_out_ = p.rows_out;
}

Status Node::emit(const RecordBatch& batch) {
  rows_out_ += batch.num_rows();
  if (output_ != nullptr) output_->deliver(batch);
  for (const Link& d : downstream_) SLC_RETURN_IF_ERROR(d.node->feed(batch, d.port));
  return Status::Ok();
}

Status Node::advance_downstream(int64_t watermark) {
  if (watermark <= watermark_) return Status::Ok();
  watermark_ = watermark;
  for (const Link& d : downstream_) SLC_RETURN_IF_ERROR(d.node->advance(watermark, d.port));
  return Status::Ok();
}

Status Node::set_idle(bool idle) {
  if (idle == idle_) return Status::Ok();
  idle_ = idle;
  for (const Link& d : downstream_) SLC_RETURN_IF_ERROR(d.node->set_input_idle(idle, d.port));
  return Status::Ok();
}

std::string Node::what() const {
  std::string out = std::string(kind_label()) + " '" + name_ + "'";
  if (!step_of().empty()) out += " of '" + step_of() + "'";
  return out;
}

}  // namespace sluice::dataflow
