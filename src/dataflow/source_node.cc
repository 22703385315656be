#include "dataflow/source_node.h"

#include <algorithm>

#include "columnar/timestamp.h"
#include "sql/options.h"

namespace sluice::dataflow {

Status check_batch(const sql::SourceDef& source, const RecordBatch& batch) {
  const Schema& schema = *source.schema;
  if (!batch.schema() || batch.num_columns() != schema.num_fields()) {
    return Status(ErrorCode::kSchemaMismatch,
                  "source '" + source.name + "' expects (" + schema.to_string() + "), got (" +
                      (batch.schema() ? batch.schema()->to_string() : std::string()) + ")");
  }
  for (int c = 0; c < schema.num_fields(); ++c) {
    const Field& f = schema.field(c);
    if (batch.column(c).type() != f.type) {
      return Status(ErrorCode::kSchemaMismatch,
                    "column '" + f.name + "' of source '" + source.name + "' is " +
                        std::string(type_name(f.type)) + ", the batch has " +
                        std::string(type_name(batch.column(c).type())));
    }
    if (!f.nullable && batch.column(c).null_count() > 0) {
      return Status(ErrorCode::kMissingValue, "column '" + f.name + "' of source '" + source.name +
                                                  "' is NOT NULL but the batch has NULLs");
    }
  }
  return Status::Ok();
}

namespace {

// The `idle.timeout` option, checked by the binder against the connector's spec (0: absent).
int64_t idle_timeout_of(const sql::SourceDef& d) {
  auto it = d.options.find("idle.timeout");
  if (it == d.options.end()) return 0;
  Result<int64_t> micros = sql::parse_duration(it->second);
  return micros.ok() ? *micros : 0;
}

}  // namespace

SourceNode::SourceNode(std::shared_ptr<const sql::SourceDef> definition)
    : Node(definition->name, sql::ObjectKind::kSource),
      definition_(std::move(definition)),
      idle_timeout_(idle_timeout_of(*definition_)) {}

Status SourceNode::push(const RecordBatch& batch) {
  if (ended_) {
    return Status(ErrorCode::kClosed, "source '" + name() + "' has ended; it takes no more rows");
  }
  if (batch.num_rows() == 0) return Status::Ok();
  rows_in_ += batch.num_rows();
  // A connector that makes the watermark itself pushes it (advance_watermark).
  if (definition_->watermark_column < 0 || definition_->connector_watermark) return emit(batch);
  // Rows are judged in source order: each row sees the watermark of the rows before it
  // (their largest event time minus the delay), whatever the batch boundaries. A row at or
  // above that watermark is in windows that are all still open, so only a row below it can
  // be judged differently from the rest of its batch: the batch is cut before such a row and
  // the watermark advanced there. In-order input is never cut.
  const Column& time = batch.column(definition_->watermark_column);
  const int64_t delay = definition_->watermark_delay;
  const int64_t n = time.length();
  int64_t max = max_event_time_;
  int64_t segment = 0;
  for (int64_t r = 0; r < n; ++r) {
    if (time.is_null(r)) continue;
    const int64_t ts = time.int64_value(r);
    int64_t before;  // the watermark this row sees (none below TIMESTAMP's range)
    if (max != kNoWatermark && !__builtin_sub_overflow(max, delay, &before)) {
      if (ts < before && before > watermark()) {
        if (r > segment) SLC_RETURN_IF_ERROR(emit(batch.slice(segment, r - segment)));
        segment = r;
        SLC_RETURN_IF_ERROR(advance_downstream(before));
      }
    }
    max = std::max(max, ts);
  }
  SLC_RETURN_IF_ERROR(emit(segment == 0 ? batch : batch.slice(segment, n - segment)));
  max_event_time_ = max;
  if (max == kNoWatermark) return Status::Ok();
  // A watermark below the range of TIMESTAMP (event times within the delay of its smallest
  // value) stays unset rather than wrapping around to the far future.
  int64_t watermark;
  if (__builtin_sub_overflow(max, delay, &watermark)) return Status::Ok();
  return advance_downstream(watermark);
}

Status SourceNode::end_input() {
  ended_ = true;
  return advance_downstream(kFinalWatermark);
}

std::string SourceNode::describe() const {
  const sql::SourceDef& d = *definition_;
  std::string line = " (" + d.schema->to_string() + ")";
  if (d.watermark_column >= 0) {
    line += " watermark " + d.schema->field(d.watermark_column).name;
    if (d.watermark_delay) {
      line += " - ";
      append_interval(d.watermark_delay, line);
    }
  }
  line += d.connector.empty() ? " [push]" : " [" + d.connector + "]";
  return line;
}

Node::Progress SourceNode::progress() const {
  Progress p = Node::progress();
  p.max_event_time = max_event_time_;
  p.ended = ended_;
  return p;
}

void SourceNode::set_progress(const Progress& p) {
  Node::set_progress(p);
  max_event_time_ = p.max_event_time;
  ended_ = p.ended;
}

}  // namespace sluice::dataflow
