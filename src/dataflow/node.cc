#include "dataflow/node.h"

namespace sluice::dataflow {

const std::string& Node::input() const {
  static const std::string kNone;
  return kNone;
}

Status Node::advance(int64_t watermark) {
  return advance_downstream(watermark);
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
  for (Node* d : downstream_) SLC_RETURN_IF_ERROR(d->feed(batch));
  return Status::Ok();
}

Status Node::advance_downstream(int64_t watermark) {
  if (watermark <= watermark_) return Status::Ok();
  watermark_ = watermark;
  for (Node* d : downstream_) SLC_RETURN_IF_ERROR(d->advance(watermark));
  return Status::Ok();
}

std::string Node::what() const {
  return std::string(sql::object_kind_name(kind_)) + " '" + name_ + "'";
}

}  // namespace sluice::dataflow
