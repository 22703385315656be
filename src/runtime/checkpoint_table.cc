#include "runtime/checkpoint_table.h"

#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"

namespace sluice::runtime {

QueryResult checkpoint_table(const CheckpointMetrics& m) {
  BatchBuilder b(make_schema({{"completed", DataType::kInt64, false},
                              {"failed", DataType::kInt64, false},
                              {"last_epoch", DataType::kInt64, false},
                              {"last_pause_us", DataType::kInt64, false},
                              {"max_pause_us", DataType::kInt64, false},
                              {"last_duration_ms", DataType::kDouble, false},
                              {"mean_duration_ms", DataType::kDouble, false},
                              {"last_state_bytes", DataType::kInt64, false},
                              {"state_bytes_total", DataType::kInt64, false}}));
  b.column(0).append_int64(m.completed);
  b.column(1).append_int64(m.failed);
  b.column(2).append_int64(static_cast<int64_t>(m.last_epoch));
  b.column(3).append_int64(m.last_pause_ns / 1000);
  b.column(4).append_int64(m.max_pause_ns / 1000);
  b.column(5).append_double(static_cast<double>(m.last_duration_ns) / 1e6);
  b.column(6).append_double(m.duration_count == 0 ? 0.0
                                                  : static_cast<double>(m.duration_sum_ns) / 1e6 /
                                                        static_cast<double>(m.duration_count));
  b.column(7).append_int64(m.last_state_bytes);
  b.column(8).append_int64(m.state_bytes_total);
  QueryResult r;
  r.message = "SHOW CHECKPOINTS";
  r.has_rows = true;
  r.rows = b.finish();
  return r;
}

}  // namespace sluice::runtime
