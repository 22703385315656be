#pragma once
// SourceHandle: pushes rows into a push source. A push is checked against the source's
// schema on the caller's thread (a bad batch is refused whole, nothing of it accepted),
// then takes credits from the source's budget and is queued for the compute thread.
//
// push() may block when the source's budget is spent and its overflow is 'block' (the
// default; CREATE SOURCE ... WITH (credits = N, overflow = 'block' | 'drop' | 'error')).
// Thread: any number of threads may push through copies of one handle.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/batch_builder.h"
#include "sluice/record_batch.h"
#include "sluice/status.h"
#include "sluice/value.h"

namespace sluice {

namespace runtime {
class Ingest;
struct SourceRuntime;
}  // namespace runtime

// Builds rows by column name or index; columns left unset are NULL.
// Thread: one thread at a time.
class RowBuilder {
 public:
  explicit RowBuilder(SchemaPtr schema);

  // Sets a column of the current row. Values convert where SQL would (INT to BIGINT or
  // DOUBLE, RFC 3339 text to TIMESTAMP); a mismatch is reported by end_row().
  RowBuilder& set(std::string_view column, const Value& value);
  RowBuilder& set(int column, const Value& value);
  // Adds the current row. On error (unknown column, wrong type, NULL in a NOT NULL column)
  // nothing is added and the row is cleared.
  Status end_row();

  int64_t num_rows() const { return builder_.num_rows(); }
  // The rows so far; the builder is empty afterwards.
  RecordBatch finish() { return builder_.finish(); }

 private:
  SchemaPtr schema_;
  BatchBuilder builder_;
  std::vector<Value> row_;
  std::vector<bool> set_;
  Status error_;
};

struct SourceMetrics {
  int64_t pushed_rows = 0;
  int64_t blocked = 0;        // pushes that waited for credits
  int64_t dropped_rows = 0;   // overflow = 'drop'
  int64_t rejected = 0;       // overflow = 'error'
  int64_t in_flight = 0;      // rows pushed, not yet processed
  int64_t skipped_lines = 0;  // connector sources: bad lines skipped (on.error = 'skip')
  // Sources in a watermark alignment group (watermark.alignment.group): how often and how long
  // (µs, a pause in progress included) the reader paused because its watermark was more than
  // its max drift ahead of its group's lowest; whether it is paused now.
  int64_t alignment_pauses = 0;
  int64_t alignment_paused_micros = 0;
  bool alignment_paused = false;
  // Kafka sources: messages not yet read in each partition the source reads ("topic/partition"
  // → the partition's high watermark minus the next offset the source reads).
  std::map<std::string, int64_t> partition_lag;
};

class SourceHandle {
 public:
  SourceHandle() = default;
  SourceHandle(std::shared_ptr<runtime::Ingest> ingest,
               std::shared_ptr<runtime::SourceRuntime> source);

  const std::string& name() const;
  const SchemaPtr& schema() const;

  Status push(const RecordBatch& batch);
  // JSON lines against the source's schema; any bad line refuses the whole push, naming it.
  Status push_json(std::string_view lines);
  RowBuilder row_builder() const { return RowBuilder(schema()); }
  // Pushes the builder's rows (and empties it).
  Status push(RowBuilder& rows);
  // Moves the source's watermark forward (µs since the epoch); closes windows downstream.
  Status advance_watermark(int64_t micros);
  // No more rows will come: the final watermark closes every window downstream.
  Status end();

  SourceMetrics metrics() const;

 private:
  std::shared_ptr<runtime::Ingest> ingest_;
  std::shared_ptr<runtime::SourceRuntime> source_;
};

}  // namespace sluice
