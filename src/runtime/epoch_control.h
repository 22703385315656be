#pragma once
// EpochControl: what the checkpoint coordinator sees of the runtime. It asks for epoch cuts
// (periodic ones), says when an epoch is resolved on every sink, and fails the database when
// a checkpoint cannot be kept. The cuts themselves reach it as EpochCut (epoch_cut.h).
//
// Thread: any; implementations are thread-safe.

#include <cstdint>
#include <memory>

#include "common/completion.h"
#include "sluice/status.h"

namespace sluice::runtime {

class EpochControl {
 public:
  virtual ~EpochControl() = default;
  // Asks for an epoch cut. `force`: even when nothing happened since the last one. The result
  // is set when the epoch is committed. With `try_only`, gives up (null) rather than wait for
  // room in the request queue.
  virtual std::shared_ptr<Completion<Result<uint64_t>>> request_checkpoint(bool force,
                                                                           bool try_only) = 0;
  // The checkpoint thread is done with `epoch`: committed or rolled back on every sink.
  virtual void epoch_resolved(uint64_t epoch) = 0;
  // A checkpoint could not be kept: the database stops and reports `error`.
  virtual void fail(const Status& error) = 0;
};

}  // namespace sluice::runtime
