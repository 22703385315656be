#include "runtime/compute_loop.h"

#include "runtime/batch_runs.h"

#include <utility>

#include "common/alloc_phase.h"
#include "dataflow/introspection.h"
#include "runtime/batch_runs.h"
#include "runtime/split_offsets.h"
#include "sql/parser.h"

namespace sluice::runtime {

namespace {

Status stopped_error() {
  return Status(ErrorCode::kClosed, "the database has shut down");
}

}  // namespace

ComputeLoop::ComputeLoop(ComputeOptions options)
    : options_(options),
      intake_(options.input_queue_batches, wake_, failure_),
      router_(failure_, abandon_),
      sinks_(failure_),
      cutter_(
          graph_, sinks_, [this] { return source_offsets(); }, failure_),
      runner_(RunnerParts{catalog_, graph_, intake_, router_, sinks_, cutter_, *this, failure_,
                          options.source_credits, options.state_memory_max}),
      budget_(options.state_memory_max),
      commands_(256),
      checkpoint_requests_(64) {
  thread_ = std::thread([this] { run(); });
}

ComputeLoop::~ComputeLoop() {
  shutdown().ignore();
}

// ---- calls from any thread -----------------------------------------------------------------

Status ComputeLoop::post(Command command) {
  if (stopping_.load(std::memory_order_acquire)) return stopped_error();
  if (commands_.push(command) != QueueStatus::kOk) return stopped_error();
  wake_.notify_all();
  return Status::Ok();
}

Result<QueryResult> ComputeLoop::execute(std::string_view sql, sql::SourcePos start) {
  return execute_script(sql, false, start);
}

Result<QueryResult> ComputeLoop::replay(std::string_view statement) {
  return execute_script(statement, true, {});
}

Result<QueryResult> ComputeLoop::execute_script(std::string_view sql, bool replay,
                                                sql::SourcePos start) {
  auto script = std::make_shared<Script>();
  SLC_ASSIGN_OR_RETURN(script->statements, sql::parse_statements(sql, start));
  if (script->statements.empty()) return Status(ErrorCode::kSqlSyntax, "no statement to execute");
  script->replay = replay;
  for (;;) {
    auto done = make_completion<Result<QueryResult>>();
    Command c;
    c.kind = Command::Kind::kExecute;
    c.script = script;
    c.executed = done;
    SLC_RETURN_IF_ERROR(post(std::move(c)));
    SLC_ASSIGN_OR_RETURN(QueryResult result, done->wait());
    if (!script->await) return result;
    script->await();  // paused: wait here, not on the compute thread
    script->await = nullptr;
  }
}

void ComputeLoop::enable_checkpoints(CheckpointHooks hooks) {
  // Before any command: the compute thread reads these only while running commands and
  // input, which the queues order after this.
  cutter_.enable(std::move(hooks));
  catalog_.set_checkpointing(true);
}

Status ComputeLoop::restore(std::string state, std::map<std::string, int64_t> offsets) {
  auto done = make_completion<Result<QueryResult>>();
  Command c;
  c.kind = Command::Kind::kRestore;
  c.text = std::move(state);
  c.offsets = std::move(offsets);
  c.executed = done;
  SLC_RETURN_IF_ERROR(post(std::move(c)));
  return done->wait().status();
}

std::shared_ptr<Completion<Result<uint64_t>>> ComputeLoop::request_checkpoint(bool force,
                                                                              bool try_only) {
  auto done = make_completion<Result<uint64_t>>();
  if (stopping_.load(std::memory_order_acquire)) {
    done->set(stopped_error());
    return done;
  }
  // Its own queue, not the command queue: a periodic cut may fall anywhere in the input, so
  // it need not wait behind commands or queued rows (up to a source's credits, a second or
  // more). A forced one takes in the queued rows first (see run()).
  CheckpointRequest request{force, done};
  const QueueStatus pushed =
      try_only ? checkpoint_requests_.try_push(request) : checkpoint_requests_.push(request);
  if (pushed == QueueStatus::kFull) return nullptr;
  if (pushed != QueueStatus::kOk) {
    done->set(stopped_error());
    return done;
  }
  wake_.notify_all();
  return done;
}

Result<uint64_t> ComputeLoop::checkpoint() {
  return request_checkpoint(true, false)->wait();
}

Result<std::shared_ptr<SubscriptionState>> ComputeLoop::subscribe(std::string_view name,
                                                                  const SubscribeOptions& options) {
  if (options.capacity == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "a subscription's capacity must be at least 1 batch");
  }
  auto done = make_completion<Result<std::shared_ptr<SubscriptionState>>>();
  Command c;
  c.kind = Command::Kind::kSubscribe;
  c.text = std::string(name);
  c.subscribe = options;
  c.subscribed = done;
  SLC_RETURN_IF_ERROR(post(std::move(c)));
  return done->wait();
}

Status ComputeLoop::flush() {
  auto done = make_completion<Status>();
  Command c;
  c.kind = Command::Kind::kFlush;
  c.flushed = done;
  SLC_RETURN_IF_ERROR(post(std::move(c)));
  return done->wait();
}

Status ComputeLoop::flush_sinks() {
  SLC_RETURN_IF_ERROR(flush());
  for (const auto& task : sinks_.tasks()) SLC_RETURN_IF_ERROR(task->flush());
  return status();
}

Result<std::string> ComputeLoop::graph_json() {
  auto done = make_completion<std::string>();
  Command c;
  c.kind = Command::Kind::kGraph;
  c.graph = done;
  SLC_RETURN_IF_ERROR(post(std::move(c)));
  return done->wait();
}

Result<dataflow::OperatorStats> ComputeLoop::stats(std::string_view name) {
  auto done = make_completion<Result<dataflow::OperatorStats>>();
  Command c;
  c.kind = Command::Kind::kStats;
  c.text = std::string(name);
  c.stats = done;
  SLC_RETURN_IF_ERROR(post(std::move(c)));
  return done->wait();
}

Status ComputeLoop::shutdown() {
  MutexLock lock(shutdown_mutex_);
  if (stopped_) return status();
  stopped_ = true;
  intake_.close_gates();  // no new rows: pushers waiting for credits give up
  stopping_.store(true, std::memory_order_release);
  commands_.close();
  wake_.notify_all();
  // Draining may wait on a subscriber that does not read; past the grace period, give up on
  // such subscribers (counted as dropped) rather than hang.
  if (!exit_signal_.wait_until([&] { return exited_.load(std::memory_order_acquire); },
                               deadline_after(options_.shutdown_grace))) {
    abandon_.store(true, std::memory_order_release);
  }
  if (thread_.joinable()) thread_.join();
  failure_.release();  // nothing can fail any more: wake wait_for_failure()
  return status();
}

// ---- the compute thread ----------------------------------------------------------------------

void ComputeLoop::run() {
  AllocPhaseScope phase(AllocPhase::kLoop);
  for (;;) {
    // With sources that may turn idle, sleep no longer than until the next one does.
    Deadline deadline = kNoDeadline;
    if (idle_.any()) {
      const int64_t next = idle_.next_expiry();
      if (next != IdleSources::kNever)
        deadline = Deadline(
            std::chrono::duration_cast<Deadline::duration>(std::chrono::microseconds(next)));
    }
    // With processing-time windows, sleep no longer than until the clock closes the next one:
    // they close even when no rows arrive.
    if (graph_.has_processing_time()) deadline = std::min(deadline, advance_processing_time());
    wake_.wait_until(
        [&] {
          return !intake_.empty() || commands_.size() != 0 || checkpoint_requests_.size() != 0 ||
                 stopping_.load(std::memory_order_acquire);
        },
        deadline, ComputeOptions::kComputeSpinSteps);
    if (idle_.any()) expire_idle_sources();
    if (checkpoint_requests_.size() != 0) {
      CheckpointRequest r;
      while (checkpoint_requests_.try_pop(r) == QueueStatus::kOk) {
        // An explicit checkpoint, like a command, covers every row accepted before it was
        // asked for; a periodic one cuts wherever the input is.
        if (r.force) drain_inputs(INT64_MAX);
        cutter_.cut(r.done, r.force);
      }
    }
    if (commands_.size() != 0) run_commands();
    drain_inputs(options_.max_batch_rows);
    if (stopping_.load(std::memory_order_acquire) && intake_.empty()) {
      run_commands();
      drain_inputs(INT64_MAX);
      break;
    }
  }
  finish();
}

void ComputeLoop::run_commands() {
  Command c;
  while (commands_.try_pop(c) == QueueStatus::kOk) {
    // A command sees every row queued before it, each time: the caller of the command just
    // run may already have pushed rows and posted the next one (a flush) while this loop
    // goes on.
    drain_inputs(INT64_MAX);
    run_command(c);
  }
}

void ComputeLoop::finish() {
  intake_.close_queue();
  checkpoint_requests_.close();
  runner_.abandon_opening_sinks();  // their CREATE SINK can no longer finish
  std::vector<EpochCutter::Done> final_waiters;
  cutter_.take_deferred(final_waiters);
  {
    CheckpointRequest r;  // asked for during the drain: the last epoch below covers them
    while (checkpoint_requests_.try_pop(r) == QueueStatus::kOk) {
      if (!cutter_.enabled() || failure_.failed())
        r.done->set(status().ok() ? stopped_error() : status());
      else
        final_waiters.push_back(r.done);
    }
  }
  if (cutter_.enabled() && !failure_.failed()) {
    // A last epoch commits everything processed, so a restart resumes exactly here; waiting
    // for it also waits for every earlier epoch still in flight.
    auto done = make_completion<Result<uint64_t>>();
    cutter_.cut(done, true);
    Result<uint64_t> last = done->wait();
    if (!last.ok()) failure_.record(last.status());
    for (auto& waiter : final_waiters) waiter->set(last);
  } else {
    for (auto& waiter : final_waiters) waiter->set(status().ok() ? stopped_error() : status());
  }
  router_.close_subscriptions();  // subscribers receive what was delivered, then the end
  sinks_.close_all();             // sinks flush what they hold and close
  exited_.store(true, std::memory_order_release);
  exit_signal_.notify_all();
}

void ComputeLoop::run_command(Command& c) {
  switch (c.kind) {
    case Command::Kind::kExecute: {
      Result<QueryResult> r = runner_.continue_script(*c.script);
      mark_consumed_sources();  // before the caller hears back and starts connectors
      c.executed->set(std::move(r));
      return;
    }
    case Command::Kind::kRestore: {
      Status s = restore_state(c.text, c.offsets);
      if (s.ok()) {
        c.executed->set(QueryResult{"RESTORE", false, {}});
      } else {
        c.executed->set(s);
      }
      return;
    }
    case Command::Kind::kFlush:
      c.flushed->set(status());
      return;
    case Command::Kind::kGraph: {
      JsonWriter w;
      w.begin_object();
      dataflow::Introspection(catalog_, graph_).write_nodes(w);
      sinks_.write_json(w);  // each sink's live counters
      w.end_object();
      c.graph->set(w.take());
      return;
    }
    case Command::Kind::kStats: {
      const dataflow::Node* n = graph_.find(c.text);
      if (n == nullptr) {
        c.stats->set(Status(ErrorCode::kSqlUnknownName, "unknown object '" + c.text + "'"));
      } else {
        c.stats->set(n->stats());
      }
      return;
    }
    case Command::Kind::kSubscribe:
      c.subscribed->set(subscribe_now(c.text, c.subscribe));
      return;
  }
}

Result<std::shared_ptr<SubscriptionState>> ComputeLoop::subscribe_now(
    const std::string& name, const SubscribeOptions& options) {
  AllocPhaseScope phase(AllocPhase::kOperators);
  const sql::Catalog::Entry* e = catalog_.find(name);
  if (e == nullptr || e->kind == sql::ObjectKind::kSink || (e->query && e->query->anonymous)) {
    std::string msg = "unknown stream, view or source '" + name + "'";
    const std::string best = catalog_.closest(name);
    if (!best.empty()) msg += " (did you mean '" + best + "'?)";
    return Status(ErrorCode::kSqlUnknownName, std::move(msg));
  }
  auto state = std::make_shared<SubscriptionState>(e->name(), e->schema(), options);
  router_.subscribe(e->name(), state);
  for (Slot& slot : slots_) {
    if (slot.node != nullptr && slot.source->name() == e->name()) {
      slot.source->consumed.store(true, std::memory_order_release);
    }
  }
  return state;
}

void ComputeLoop::mark_consumed_sources() {
  for (Slot& slot : slots_) {
    if (slot.node != nullptr && !slot.node->downstream().empty()) {
      slot.source->consumed.store(true, std::memory_order_release);
    }
  }
}

void ComputeLoop::add(std::shared_ptr<SourceRuntime> source, dataflow::SourceNode* node) {
  idle_.add(static_cast<uint32_t>(slots_.size()), node, IdleSources::now(),
            source->alignment.get());
  Slot slot;
  slot.source = std::move(source);
  slot.node = node;
  slot.pending.reserve(256);
  slots_.push_back(std::move(slot));
  touched_.reserve(slots_.size());
}

void ComputeLoop::remove(const std::string& name) {
  for (size_t id = 0; id < slots_.size(); ++id) {
    Slot& slot = slots_[id];
    if (slot.node != nullptr && slot.source->name() == name) {
      slot.node = nullptr;
      idle_.remove(static_cast<uint32_t>(id));
    }
  }
}

std::map<std::string, int64_t> ComputeLoop::source_offsets() const {
  std::map<std::string, int64_t> out;
  for (const Slot& slot : slots_) {
    if (slot.node == nullptr) continue;
    out[slot.source->name()] = slot.offset;
    for (const auto& [split, offset] : slot.split_offsets)
      out[split_offset_key(slot.source->name(), split)] = offset;
  }
  return out;
}

Status ComputeLoop::restore_state(const std::string& state,
                                  const std::map<std::string, int64_t>& offsets) {
  AllocPhaseScope phase(AllocPhase::kOperators);
  dataflow::StateReader reader(state);
  SLC_RETURN_IF_ERROR(graph_.restore(reader));
  for (Slot& slot : slots_) {
    slot.split_offsets = splits_of(slot.source->name(), offsets);
    slot.source->set_resume_splits(slot.split_offsets);
    auto it = offsets.find(slot.source->name());
    if (it == offsets.end()) continue;
    slot.offset = it->second;
    slot.source->resume_offset.store(it->second, std::memory_order_release);
  }
  return Status::Ok();
}

void ComputeLoop::drain_inputs(int64_t max_rows) {
  int64_t rows = 0;
  Input in;
  while (rows < max_rows && intake_.pop(in)) {
    Slot& slot = slots_[in.source];
    switch (in.kind) {
      case Input::Kind::kData:
        if (in.offset >= 0) slot.offset = in.offset;
        for (SplitOffset& split : in.splits)
          slot.split_offsets[std::move(split.split)] = split.offset;
        cutter_.mark_dirty();
        if (in.batch.num_rows() == 0) break;  // offsets only (Intake::accept)
        if (slot.pending.empty()) touched_.push_back(in.source);
        slot.pending_rows += in.batch.num_rows();
        rows += in.batch.num_rows();
        slot.pending.push_back(std::move(in.batch));
        break;
      case Input::Kind::kWatermark:
      case Input::Kind::kEnd: {
        cutter_.mark_dirty();
        flush_source(in.source);  // rows before the marker go first
        if (slot.node == nullptr || failure_.failed()) break;
        AllocPhaseScope phase(AllocPhase::kOperators);
        Status s = in.kind == Input::Kind::kEnd ? slot.node->end_input()
                                                : slot.node->advance_watermark(in.watermark);
        if (!s.ok()) failure_.record(s);
        check_state_budget();
        break;
      }
      case Input::Kind::kFail:
        flush_source(in.source);  // the rows before the error are delivered
        failure_.record(in.error);
        break;
    }
  }
  for (uint32_t id : touched_) flush_source(id);
  touched_.clear();
}

void ComputeLoop::flush_source(uint32_t id) {
  Slot& slot = slots_[id];
  if (slot.pending.empty()) return;
  const int64_t rows = slot.pending_rows;
  if (slot.node != nullptr && !failure_.failed()) {
    AllocPhaseScope phase(AllocPhase::kOperators);
    // An idle source is active again before its rows go in.
    Status s = idle_.tracks(id) ? idle_.rows(id, IdleSources::now()) : Status::Ok();
    if (s.ok()) s = push_pending(slot);
    if (!s.ok()) failure_.record(s);
    check_state_budget();
  }
  {
    AllocPhaseScope phase(AllocPhase::kOperators);  // releasing batches frees their memory
    slot.pending.clear();
  }
  slot.pending_rows = 0;
  slot.source->gate.release(rows);
}

Status ComputeLoop::push_pending(Slot& slot) {
  const std::span<const RecordBatch> pending(slot.pending);
  return for_each_batch_run(pending, kMergeBelowRows, [&](size_t first, size_t last) -> Status {
    if (last - first == 1) return slot.node->push(pending[first]);
    auto merged = RecordBatch::concat(pending.subspan(first, last - first));
    return merged.ok() ? slot.node->push(*merged) : merged.status();
  });
}

void ComputeLoop::expire_idle_sources() {
  if (failure_.failed()) return;
  AllocPhaseScope phase(AllocPhase::kOperators);
  // Leaving an input out may move a join's or union's watermark: windows close, rows flow.
  Status s = idle_.expire(IdleSources::now());
  if (!s.ok()) failure_.record(s);
  check_state_budget();
}

Deadline ComputeLoop::advance_processing_time() {
  if (failure_.failed()) return kNoDeadline;
  int64_t next = graph_.next_processing_deadline();
  if (next <= graph_.processing_clock().now()) {
    AllocPhaseScope phase(AllocPhase::kOperators);
    if (Status s = graph_.advance_processing_time(); !s.ok()) failure_.record(s);
    check_state_budget();
    next = graph_.next_processing_deadline();
  }
  if (next == dataflow::kFinalWatermark) return kNoDeadline;
  // The wall clock's distance to it, on the loop's steady clock.
  const int64_t wait = std::max<int64_t>(0, next - graph_.processing_clock().now());
  return SteadyClock::now() + std::chrono::microseconds(wait);
}

void ComputeLoop::check_state_budget() {
  if (!budget_.enabled() || failure_.failed()) return;
  if (Status s = budget_.check(graph_); !s.ok()) failure_.record(s);
}

}  // namespace sluice::runtime
