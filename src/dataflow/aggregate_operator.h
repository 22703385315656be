#pragma once
// GROUP BY with aggregates, optionally over one window (TUMBLE, HOP, SESSION), with the
// query's emit strategy:
//   ON WINDOW CLOSE  one final row per window once the watermark passes its end (+ lateness);
//   ON UPDATE        after each input batch, the current row of every group that changed;
//   CHANGES          as ON UPDATE, but an update is a 'delete' of the old row and an 'insert'
//                    of the new one (column _op), and a row that stops passing HAVING, or a
//                    session merged into another, is deleted.
// A row is late, dropped and counted, when every window it falls in has closed; a row with
// a NULL event time cannot be windowed and is dropped and counted the same way.
//
// Groups of unwindowed queries live for as long as the query; windowed groups are freed
// when their window closes. State snapshots and restores for checkpoints.
//
// Thread: the compute thread.

#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dataflow/operator.h"
#include "sluice/batch_builder.h"
#include "sluice/value.h"
#include "sql/bound_query.h"
#include "sql/expr_eval.h"

namespace sluice::dataflow {

class AggregateOperator final : public Operator {
 public:
  // `changelog` forces insert/delete output even when the query says ON UPDATE (a
  // materialized view keeps its table from it). The output schema is then the query's
  // projection plus _op.
  AggregateOperator(std::shared_ptr<const sql::BoundQuery> query, bool changelog);

  Status process(const RecordBatch& input, std::vector<RecordBatch>& out) override;
  Status on_watermark(int64_t watermark, std::vector<RecordBatch>& out) override;
  void snapshot(StateWriter& writer) const override;
  Status restore(StateReader& reader) override;
  std::string describe() const override;

  // For a one-off query over a finite input (an ad-hoc SELECT): a global aggregate (no GROUP
  // BY) that saw no rows still has its one row, as SQL says: COUNT(*) = 0, SUM NULL. (A
  // continuous query emits nothing until a row arrives.)
  Status emit_empty_global_group(std::vector<RecordBatch>& out);

  const SchemaPtr& output_schema() const { return output_schema_; }
  size_t live_groups() const { return index_.size() + session_groups_; }

 private:
  struct AggState {
    int64_t count = 0;
    int64_t i = 0;
    double d = 0;  // SUM/AVG of doubles: the sum; VAR*/STDDEV*: the running mean
    // (SUM/AVG of decimals: the exact sum is v, a DECIMAL of SUM's type)
    double m2 = 0;  // VAR*/STDDEV*: the sum of squared differences from the mean (Welford)
    bool has = false;
    Value v;
    std::unique_ptr<std::unordered_set<std::string>> distinct;
  };
  struct Group {
    bool live = false;
    std::string key;  // encoded GROUP BY keys (window excluded)
    std::vector<Value> key_values;
    int64_t window_start = 0;
    int64_t window_end = 0;
    std::vector<AggState> aggs;
    bool dirty = false;
    uint64_t born = 0;     // the process() call that created it (0: restored)
    bool emitted = false;  // changelog: last_output is the row downstream currently holds
    std::vector<Value> last_output;
    uint64_t order = 0;
  };

  uint32_t new_group(const std::string& key, const std::vector<Column>& keys, int64_t row,
                     int64_t start, int64_t end);
  uint32_t find_or_create(const std::vector<Column>& keys, int64_t row, int64_t start, int64_t end);
  void free_group(uint32_t slot);
  Status assign_session(const std::vector<Column>& keys, int64_t row, int64_t ts,
                        std::vector<uint32_t>& merged_away, uint32_t& slot);
  void mark_dirty(uint32_t slot);
  // Windows that end at or before this are closed: the watermark less the allowed lateness
  // (saturating; the final watermark closes everything).
  int64_t close_limit() const;
  // Adds the rows to their groups' aggregates; `filters[a]` is aggregate a's FILTER condition
  // over the batch (empty without one).
  Status update(std::span<const uint32_t> rows, std::span<const uint32_t> slots,
                const std::vector<sql::Datum>& args, const std::vector<sql::Datum>& filters);
  Status merge(AggState& into, const AggState& from, const sql::AggregateCall& call);
  // Adds a DECIMAL to a SUM's or AVG's exact sum (kept in s.v); SLC-0006 past 38 digits.
  static Status add_decimal(AggState& s, __int128 units, const sql::AggregateCall& call);
  Value finalize(const AggState& s, const sql::AggregateCall& call) const;
  // Emits the current rows of `slots` (in that order) according to the emit strategy.
  Status emit(const std::vector<uint32_t>& slots, std::vector<RecordBatch>& out);
  // Changelog: deletes for groups that vanish (merged sessions).
  void retract(const std::vector<uint32_t>& slots, BatchBuilder& changes);

  std::shared_ptr<const sql::BoundQuery> query_;
  bool changelog_;
  bool emit_on_update_;
  SchemaPtr plain_schema_;   // the projection's columns
  SchemaPtr output_schema_;  // plain, or plain + _op when changelog_

  std::vector<Group> groups_;
  std::vector<uint32_t> free_slots_;
  std::unordered_map<std::string, uint32_t> index_;                  // window + key → slot
  std::unordered_map<std::string, std::vector<uint32_t>> sessions_;  // key → slots by start
  size_t session_groups_ = 0;
  std::vector<uint32_t> dirty_;
  uint64_t process_calls_ = 0;  // counts process() calls: which groups are new in this one
  uint64_t next_order_ = 0;
  int64_t watermark_ = kNoWatermark;
  int64_t min_open_end_ = kFinalWatermark;  // no window ends before this: nothing to close

  // Scratch reused across batches.
  std::vector<uint32_t> selection_;
  std::vector<uint32_t> pair_rows_;
  std::vector<uint32_t> pair_slots_;
  std::vector<uint32_t> filtered_rows_;
  std::vector<uint32_t> filtered_slots_;
  std::string key_;
};

// Appends a self-delimiting, comparable encoding of row `row` of `column` to `out`
// (group keys, COUNT DISTINCT sets).
void append_key(std::string& out, const Column& column, int64_t row);

}  // namespace sluice::dataflow
