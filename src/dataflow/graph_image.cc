#include "dataflow/graph_image.h"

namespace sluice::dataflow {

void GraphImage::write(StateWriter& w) const {
  w.i64(static_cast<int64_t>(nodes_.size()));
  for (const NodeImage& n : nodes_) {
    w.str(n.name);
    w.u8(static_cast<uint8_t>(n.kind));
    w.i64(n.progress.watermark);
    w.i64(n.progress.max_event_time);
    w.u8(n.progress.ended);
    w.i64(n.progress.rows_in);
    w.i64(n.progress.rows_out);
    // The operator's bytes are length-prefixed: restore hands each operator only its own.
    StateWriter op;
    if (n.op) n.op->write(op);
    w.str(op.bytes());
    if (n.table) {
      n.table->write(w);
    } else {
      w.i64(-1);  // no table
    }
  }
}

}  // namespace sluice::dataflow
