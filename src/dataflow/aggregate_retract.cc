#include "dataflow/aggregate_operator.h"
#include "sql/join_change_column.h"

// AggregateOperator over an input that emits changes (a file of its own: the append-only path
// is aggregate_operator.cc). Rows are applied one at a time in input order, each an insert
// (added to its group, made if new) or a delete (taken back from its group), so that the state
// after a batch is the state after its rows whatever the batch boundaries: a group whose rows
// all go starts again from empty states at once (a DOUBLE sum's rounding does not survive it),
// and stays allocated until the batch ends, when it is deleted downstream and its slot freed
// (a row that re-creates it in the same batch finds it, empty, and fills it again).

namespace sluice::dataflow {

Status AggregateOperator::process_changes(const RecordBatch& kept, const std::vector<Column>& keys,
                                          const std::vector<sql::Datum>& args,
                                          const std::vector<sql::Datum>& filters,
                                          std::vector<RecordBatch>& out) {
  Partition& p = all_groups();
  GroupStore& store = p.store;
  const Column& op = kept.column(query_->input_change_column);
  const size_t naggs = query_->aggregates.size();
  const int64_t n = kept.num_rows();
  for (int64_t row = 0; row < n; ++row) {
    const uint64_t hash = hashes_[static_cast<size_t>(row)];
    const bool remove = sql::is_delete_row(op, row);
    uint32_t g;
    if (remove) {
      g = find_group(p, keys, row, hash);
      // A delete of a row this aggregate never counted (an inconsistent changelog, or the row
      // was inserted upstream before this query was created) has nothing to take back.
      if (g == GroupTable::kNotFound || store.rows[g] == 0) {
        ++stats_.unmatched_deletes;
        continue;
      }
    } else {
      bool created;
      g = find_or_add(p, keys, row, hash, created);
    }
    bool held = true;  // a delete's values were all in its group
    for (size_t a = 0; a < naggs; ++a) {
      if (query_->aggregates[a].filter &&
          !passes(filters[static_cast<size_t>(filter_of_[a])], row)) {
        continue;
      }
      AggColumns& agg = store.aggs[a];
      if (!remove) {
        SLC_RETURN_IF_ERROR(agg.add(g, args[a], row, store.arena, scratch_));
        continue;
      }
      SLC_ASSIGN_OR_RETURN(const bool had, agg.remove(g, args[a], row, scratch_));
      held = held && had;
    }
    if (!held) ++stats_.unmatched_deletes;
    int64_t& rows = store.rows.mut(g);
    rows += remove ? -1 : 1;
    if (rows == 0) {
      for (AggColumns& agg : store.aggs) agg.reset(g, store.arena);
    }
    mark_dirty({&p, g});
  }

  // The groups left without rows: deleted downstream (if it holds their row), then freed.
  std::vector<GroupRef> changed;
  changed.swap(dirty_);
  BatchBuilder gone(output_schema_);
  std::vector<GroupRef> live;
  live.reserve(changed.size());
  for (const GroupRef& ref : changed) {
    const uint32_t g = ref.group;
    p.dirty[g] = 0;
    if (store.rows[g] != 0) {
      live.push_back(ref);
      continue;
    }
    retract({ref}, gone);
    p.table.erase(store.key_hash(g), g);
    store.reset_group(g);
    store.live.mut(g) = 0;
    free_slots_.push_back(g);
    --live_groups_;
  }
  store.compact_strings();
  if (gone.num_rows() > 0) {
    RecordBatch r = gone.finish();
    stats_.rows_out += r.num_rows();
    out.push_back(std::move(r));
  }
  SLC_RETURN_IF_ERROR(emit(live, out));
  changed.clear();
  dirty_.swap(changed);  // empty, with its capacity
  return Status::Ok();
}

}  // namespace sluice::dataflow
