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
// Over an input that emits changes (BoundQuery::input_change_column, sql/aggregate_changes.h; no
// window, EMIT CHANGES) a 'delete' row is taken back out of its group, row by row in input
// order (aggregate_retract.cc); a group whose rows are all deleted is deleted and its slot
// freed for the next new group.
//
// State is typed and columnar (group_store.h): a TUMBLE/HOP window's groups are one store,
// dropped whole when the window closes, so memory returns at once; an unwindowed query's
// groups live in one store for as long as the query; SESSION groups live in one store whose
// slots are reused. A HOP query whose aggregates combine exactly keeps a store per pane
// instead (hop_slices.h; aggregate_panes.cc). capture() copies chunk pointers only
// (copy-on-write), so a checkpoint stops the compute thread for microseconds, not in
// proportion to the state.
//
// Thread: the compute thread.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataflow/group_store.h"
#include "dataflow/group_table.h"
#include "dataflow/hop_slices.h"
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
  std::unique_ptr<StateImage> capture() const override;
  StateStats state_stats() const override;
  std::string describe() const override;

  // For a one-off query over a finite input (an ad-hoc SELECT): a global aggregate (no GROUP
  // BY) that saw no rows still has its one row, as SQL says: COUNT(*) = 0, SUM NULL. (A
  // continuous query emits nothing until a row arrives.)
  Status emit_empty_global_group(std::vector<RecordBatch>& out);

  const SchemaPtr& output_schema() const { return output_schema_; }
  size_t live_groups() const { return static_cast<size_t>(live_groups_); }

 private:
  // A store with its index: one TUMBLE/HOP window's groups, or every group (unwindowed,
  // SESSION; there the index maps a key to its session list, see sessions_).
  struct Partition {
    Partition(std::shared_ptr<const GroupLayout> layout, int64_t s, int64_t e)
        : store(std::move(layout)), start(s), end(e) {}
    GroupStore store;
    GroupTable table;
    int64_t start = 0, end = 0;  // the window (TUMBLE/HOP)
    std::vector<uint8_t> dirty;  // ON UPDATE: listed in dirty_ (not checkpointed)
  };
  // Closing windows are emitted this many groups at a time.
  static constexpr uint32_t kEmitBatch = 64 * 1024;
  struct GroupRef {
    Partition* part;
    uint32_t group;
  };

  Partition& all_groups();
  Partition& window(int64_t start, int64_t end);
  // The group of row `row`'s keys (hashed `hash`) in `p`, or GroupTable::kNotFound.
  uint32_t find_group(Partition& p, const std::vector<Column>& keys, int64_t row,
                      uint64_t hash) const;
  // The group of row `row`'s keys (hashed `hash`) in `p`, made if new (`created`), counted
  // live and in arrival order.
  uint32_t find_or_add(Partition& p, const std::vector<Column>& keys, int64_t row, uint64_t hash,
                       bool& created);
  // The same without the counting: the store and its index only.
  uint32_t lookup(Partition& p, const std::vector<Column>& keys, int64_t row, uint64_t hash,
                  bool& created);
  // HOP by panes (aggregate_panes.cc): emits the windows that end in (prev_limit, limit] (all
  // when `final`), then drops the panes no open window holds.
  Status close_pane_windows(int64_t prev_limit, int64_t limit, bool final,
                            std::vector<RecordBatch>& out);
  // Emits window [start, end): its panes' groups combined per key, in arrival order.
  Status emit_pane_window(int64_t start, int64_t end, std::vector<RecordBatch>& out);
  Status assign_session(const std::vector<Column>& keys, int64_t row, uint64_t hash, int64_t ts,
                        std::vector<uint32_t>& merged_away, uint32_t& slot);
  void free_session(uint32_t g);
  void mark_dirty(GroupRef ref);
  // Windows that end at or before this are closed: the watermark less the allowed lateness
  // (saturating; the final watermark closes everything).
  int64_t close_limit() const;
  // Whether row `row` passes a FILTER condition (TRUE; NULL and FALSE leave it out).
  static bool passes(const sql::Datum& filter, int64_t row) {
    return !filter.is_null(row) && filter.column.bool_value(filter.index(row));
  }
  // Folds the batch's rows refs_rows_[k] into groups refs_[k]; `filters[filter_of_[a]]` is
  // aggregate a's FILTER condition over the batch (none without one).
  Status update(const std::vector<sql::Datum>& args, const std::vector<sql::Datum>& filters);
  // Emits the current rows of `refs` (in that order) according to the emit strategy.
  Status emit(const std::vector<GroupRef>& refs, std::vector<RecordBatch>& out);
  // Changelog: deletes for groups that vanish (merged sessions).
  void retract(const std::vector<GroupRef>& refs, BatchBuilder& changes);
  // Over an input that emits changes: the kept rows of a batch (their keys evaluated and
  // hashed in hashes_, the aggregates' arguments and FILTERs) added to or taken back from
  // their groups in order; groups left without rows deleted; the changes emitted.
  Status process_changes(const RecordBatch& kept, const std::vector<Column>& keys,
                         const std::vector<sql::Datum>& args,
                         const std::vector<sql::Datum>& filters, std::vector<RecordBatch>& out);
  void clear_state();

  std::shared_ptr<const sql::BoundQuery> query_;
  bool changelog_;
  bool emit_on_update_;
  bool sessions_mode_;
  SchemaPtr plain_schema_;   // the projection's columns
  SchemaPtr output_schema_;  // plain, or plain + _op when changelog_
  std::shared_ptr<const GroupLayout> layout_;
  // Per aggregate, the one whose FILTER result it reads: the first with the same condition
  // (itself when its condition is new; -1 without one). A condition written on several
  // aggregates (Nexmark q15's price bands) is evaluated once per batch.
  std::vector<int> filter_of_;

  std::optional<HopSlices> panes_;                         // HOP by panes: windows_ holds the panes
  std::map<int64_t, std::unique_ptr<Partition>> windows_;  // TUMBLE/HOP: by window start
  std::unique_ptr<Partition> all_;                         // unwindowed and SESSION
  // The last windows (panes) looked up, by start / slide (rows of a batch have nearby times).
  struct CachedWindow {
    int64_t start = INT64_MIN;
    Partition* part = nullptr;
  };
  CachedWindow window_cache_[8];
  // SESSION: all_.table maps a key to an index here: that key's sessions by start.
  std::vector<std::vector<uint32_t>> sessions_;
  std::vector<uint32_t> free_session_lists_;
  std::vector<uint32_t> session_list_of_;  // by group
  std::vector<uint32_t> free_slots_;       // SESSION groups free for reuse
  int64_t live_groups_ = 0;

  std::vector<GroupRef> dirty_;
  uint64_t next_order_ = 0;
  int64_t watermark_ = kNoWatermark;
  int64_t min_open_end_ = kFinalWatermark;  // no session ends before this: nothing to close

  // Scratch reused across batches.
  std::vector<uint32_t> selection_;
  std::vector<uint64_t> hashes_;
  std::vector<GroupRef> refs_;
  std::vector<uint32_t> ref_rows_;
  std::vector<uint8_t> created_;
  std::vector<Partition*> row_windows_;
  std::string scratch_;
};

}  // namespace sluice::dataflow
