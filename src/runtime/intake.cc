#include "runtime/intake.h"

#include "dataflow/source_node.h"
#include "sql/names.h"

namespace sluice::runtime {

namespace {

Status stopped_error() {
  return Status(ErrorCode::kClosed, "the database has shut down");
}

}  // namespace

Intake::Intake(size_t queue_batches, WaitSignal& wake, Failure& failure)
    : queue_(queue_batches), wake_(wake), failure_(failure) {}

Status Intake::enqueue(Input input) {
  if (queue_.push(input) != QueueStatus::kOk) return stopped_error();
  wake_.notify_all();
  return Status::Ok();
}

Status Intake::push(SourceRuntime& source, RecordBatch batch, int64_t offset) {
  return accept(source, std::move(batch), offset, true);
}

Status Intake::push_splits(SourceRuntime& source, RecordBatch batch,
                           std::vector<SplitOffset> splits) {
  return accept(source, std::move(batch), -1, true, std::move(splits));
}

Status Intake::push_replayed(SourceRuntime& source, RecordBatch batch, int64_t offset) {
  return accept(source, std::move(batch), offset, false);
}

Status Intake::accept(SourceRuntime& source, RecordBatch batch, int64_t offset, bool log,
                      std::vector<SplitOffset> splits) {
  if (failure_.failed()) return failure_.status();
  if (source.dropped.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kClosed, "source '" + source.name() + "' was dropped");
  }
  if (source.ended.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kClosed,
                  "source '" + source.name() + "' has ended; it takes no more rows");
  }
  SLC_RETURN_IF_ERROR(dataflow::check_batch(*source.definition, batch));
  if (batch.num_rows() == 0) {
    // No rows, but the source moved on (lines or messages read that made none: skipped as bad,
    // or tombstones): its offset, or its splits', still go into the next checkpoint, so a
    // recovery does not read (and count) them again.
    if (splits.empty() && offset < 0) return Status::Ok();
    Input in;
    in.source = source.id;
    in.offset = offset;
    in.splits = std::move(splits);
    return enqueue(std::move(in));
  }
  SLC_ASSIGN_OR_RETURN(CreditGate::Outcome outcome, source.gate.acquire(batch.num_rows()));
  if (outcome == CreditGate::Outcome::kDropped) return Status::Ok();  // counted by the gate
  Input in;
  in.source = source.id;
  in.offset = offset;
  in.splits = std::move(splits);
  const int64_t rows = batch.num_rows();
  // The reader's watermark for its alignment group, from the rows it has read so far.
  if (source.alignment != nullptr) source.alignment->observe(*source.definition, batch);
  if (source.log == nullptr || !log) {
    in.batch = std::move(batch);
    Status s = enqueue(std::move(in));
    if (!s.ok()) source.gate.release(rows);
    return s;
  }
  // A durable source: log, then queue, in one order; acknowledge once the log is durable.
  {
    std::lock_guard lock(source.log_mutex);
    Result<int64_t> logged = source.log->append(batch);
    if (!logged.ok()) {
      source.gate.release(rows);
      return logged.status().with_location("source '" + source.name() + "'");
    }
    in.offset = *logged;
    in.batch = std::move(batch);
    Status s = enqueue(std::move(in));
    if (!s.ok()) {
      source.gate.release(rows);
      return s;
    }
  }
  return source.log->sync(in.offset);
}

Status Intake::advance_watermark(SourceRuntime& source, int64_t micros) {
  if (source.dropped.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kClosed, "source '" + source.name() + "' was dropped");
  }
  if (source.alignment != nullptr) source.alignment->raise_watermark(micros);
  Input in;
  in.source = source.id;
  in.kind = Input::Kind::kWatermark;
  in.watermark = micros;
  return enqueue(std::move(in));
}

Status Intake::end_input(SourceRuntime& source) {
  if (source.ended.exchange(true)) return Status::Ok();
  if (source.alignment != nullptr) source.alignment->leave();  // holds its group back no more
  Input in;
  in.source = source.id;
  in.kind = Input::Kind::kEnd;
  return enqueue(std::move(in));
}

void Intake::fail_after_input(SourceRuntime& source, const Status& error) {
  source.ended.store(true, std::memory_order_release);  // it pushes nothing more
  if (source.alignment != nullptr) source.alignment->leave();
  Input in;
  in.source = source.id;
  in.kind = Input::Kind::kFail;
  in.error = error;
  // Queued behind the source's rows, so the compute thread records it once they are through;
  // a database that has stopped taking input records it at once.
  if (!enqueue(std::move(in)).ok()) failure_.record(error);
}

void Intake::close_gates() {
  for (const auto& s : sources()) s->gate.close();
}

std::shared_ptr<SourceRuntime> Intake::add_source(std::shared_ptr<const sql::SourceDef> definition,
                                                  int64_t credits, Overflow overflow,
                                                  std::shared_ptr<PushLog> log) {
  MutexLock lock(mutex_);
  const std::string key = sql::to_lower(definition->name);
  auto source =
      std::make_shared<SourceRuntime>(next_id_++, std::move(definition), credits, overflow);
  source->log = std::move(log);
  source->alignment = alignment_groups_.join(*source->definition);
  sources_[key] = source;
  return source;
}

void Intake::drop_source(const std::string& name) {
  MutexLock lock(mutex_);
  auto it = sources_.find(sql::to_lower(name));
  if (it == sources_.end()) return;
  it->second->dropped.store(true);
  it->second->gate.close();
  if (it->second->alignment != nullptr) it->second->alignment->leave();  // wakes a paused reader
  sources_.erase(it);
}

bool Intake::has_source(const std::string& name) const {
  MutexLock lock(mutex_);
  return sources_.count(sql::to_lower(name)) != 0;
}

Result<std::shared_ptr<SourceRuntime>> Intake::source(std::string_view name) const {
  MutexLock lock(mutex_);
  auto it = sources_.find(sql::to_lower(name));
  if (it == sources_.end()) {
    return Status(ErrorCode::kSqlUnknownName, "unknown source '" + std::string(name) + "'");
  }
  return it->second;
}

std::vector<std::shared_ptr<SourceRuntime>> Intake::sources() const {
  MutexLock lock(mutex_);
  std::vector<std::shared_ptr<SourceRuntime>> out;
  for (const auto& [name, s] : sources_) out.push_back(s);
  return out;
}

}  // namespace sluice::runtime
