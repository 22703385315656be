#pragma once
// HeldLeftJoin: what the two joins that answer a left row "as of its time" from per-key right
// versions share — the ASOF join (join_asof.h) and the lookup join by event time
// (join_lookup_event.h). A left row is answered only once the right watermark has passed its
// time: then no right row that could change its answer can come (it would be late), so the
// answer is a function of each input's rows and watermarks, not of how they interleave or are
// batched. Left rows wait in a heap (JoinPendingRows) until then and are answered in (time,
// arrival) order; a left row already behind the right watermark is answered at once. Late left
// rows (behind the left watermark, or with a NULL time) are dropped and counted; a NULL key
// matches nothing (a left outer join's row still comes out, NULL-extended).
//
// The right rows are kept per key in JoinVersions and pruned by the left side's *bound* (the
// left watermark or the oldest waiting left row's time, whichever is older: no left row to
// come can ask for an earlier time), amortized: a prune walks every kept version, so it runs
// once the versions added since the last one are half as many as those kept.
//
// A subclass says what differs: how a right row becomes a version (process_right), which
// version a left row gets (pick), and what a prune keeps (prune). Its checkpoint image is
// tag, this class's scalars, the subclass's extra scalars, the versions, the waiting rows.
//
// Thread: the compute thread (JoinOperator).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/join_keys.h"
#include "dataflow/join_operator.h"
#include "dataflow/join_pairs.h"
#include "dataflow/join_pending.h"
#include "dataflow/join_row_codec.h"
#include "dataflow/join_versions.h"

namespace sluice::dataflow {

class HeldLeftJoin : public JoinOperator {
 public:
  Status process(int side, const RecordBatch& input, std::vector<RecordBatch>& out) final;
  Status on_watermark(int side, int64_t watermark, std::vector<RecordBatch>& out) final;
  std::unique_ptr<StateImage> capture() const final;
  Status restore(StateReader& reader) final;
  StateStats state_stats() const final;

 protected:
  // `tag` names the state in checkpoints; `right_trailing`, the right input's columns after
  // those kept (an updating view's `_op`); `with_ends`, JoinVersions' version ends.
  HeldLeftJoin(std::shared_ptr<const sql::BoundJoin> join, std::string_view tag, int right_trailing,
               bool with_ends);

  virtual Status process_right(const RecordBatch& input) = 0;
  // The version the left row at `time` of key entry `key` gets, or JoinVersions::kNone.
  virtual uint32_t pick(uint32_t key, int64_t time) const = 0;
  // Drops the versions no left row at `bound` or later can get.
  virtual void prune(int64_t bound) = 0;
  // The subclass's own scalars, after this class's in the checkpoint.
  virtual void capture_scalars(std::vector<int64_t>& /*values*/) const {}
  virtual Status restore_scalars(StateReader& /*reader*/) { return Status::Ok(); }

  // The oldest time a left row still to be answered can ask for.
  int64_t left_bound() const;

  const std::shared_ptr<const sql::BoundJoin> join_;
  JoinRowCodec left_codec_;
  JoinRowCodec right_codec_;
  JoinKeys left_keys_;
  JoinKeys right_keys_;
  JoinPairs pairs_;
  JoinVersions versions_;
  JoinPendingRows waiting_;
  int64_t left_watermark_ = kNoWatermark;
  int64_t right_watermark_ = kNoWatermark;
  int64_t left_seq_ = 0;
  int64_t right_seq_ = 0;
  int64_t pruned_at_ = kNoWatermark;  // the bound of the last prune
  int64_t added_since_prune_ = 0;
  std::string row_;  // scratch: one encoded row

 private:
  Status process_left(const RecordBatch& input, std::vector<RecordBatch>& out);
  // Adds the pair (or the NULL-extended row) of one left row to pairs_.
  void answer(std::string_view row, std::string_view key, uint64_t hash, bool null_key,
              int64_t time);
  void maybe_prune();

  const std::string_view tag_;
};

}  // namespace sluice::dataflow
