#pragma once
// How the compute loop pushes a source's pending batches: runs of consecutive small batches
// (under `merge_below` rows) are merged into one, so that the graph's per-batch work is spread
// over enough rows; a batch that large already goes alone, as it is (copying it would cost
// more than it saves: RecordBatch::concat was 12% of a Nexmark aggregate's CPU). The runs
// cover the batches in order.
//
// Thread: any (no state).

#include <cstddef>
#include <cstdint>
#include <span>

#include "sluice/record_batch.h"
#include "sluice/status.h"

namespace sluice::runtime {

// Calls push(first, last) for each run [first, last) of `batches`, in order; stops at the
// first error and returns it.
template <typename Push>
Status for_each_batch_run(std::span<const RecordBatch> batches, int64_t merge_below, Push&& push) {
  size_t run = 0;  // the first batch not pushed yet
  for (size_t i = 0; i < batches.size(); ++i) {
    if (batches[i].num_rows() < merge_below) continue;
    if (run < i) SLC_RETURN_IF_ERROR(push(run, i));
    SLC_RETURN_IF_ERROR(push(i, i + 1));
    run = i + 1;
  }
  if (run < batches.size()) return push(run, batches.size());
  return Status::Ok();
}

}  // namespace sluice::runtime
