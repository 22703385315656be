#include "runtime/engine.h"

#include "columnar/value_parse.h"
#include "common/alloc_phase.h"

#include <algorithm>
#include <utility>

#include "columnar/row_encoder.h"
#include "sluice/batch_builder.h"
#include "sql/names.h"
#include "sql/parser.h"

namespace sluice::runtime {

namespace {

Status stopped_error() {
  return Status(ErrorCode::kClosed, "the database has shut down");
}

Overflow overflow_of(const sql::SourceDef& def) {
  auto it = def.options.find("overflow");
  if (it == def.options.end()) return Overflow::kBlock;
  if (it->second == "drop") return Overflow::kDrop;
  if (it->second == "error") return Overflow::kError;
  return Overflow::kBlock;
}

}  // namespace

Engine::Engine(EngineOptions options)
    : options_(options),
      inputs_(options.input_queue_batches),
      commands_(256),
      checkpoint_requests_(64) {
  pipeline_.set_listener([this](const std::string& name, sql::ObjectKind kind,
                                const RecordBatch& batch) { route(name, kind, batch); });
  thread_ = std::thread([this] { run(); });
}

Engine::~Engine() {
  shutdown().ignore();
}

// ---- calls from any thread -----------------------------------------------------------------

Status Engine::post(Command command, bool try_only) {
  if (stopping_.load(std::memory_order_acquire)) return stopped_error();
  const QueueStatus pushed = try_only ? commands_.try_push(command) : commands_.push(command);
  if (pushed == QueueStatus::kFull) return Status(ErrorCode::kResourceExhausted, "busy");
  if (pushed != QueueStatus::kOk) return stopped_error();
  wake_.notify_all();
  return Status::Ok();
}

Status Engine::enqueue(Input input) {
  if (inputs_.push(input) != QueueStatus::kOk) return stopped_error();
  wake_.notify_all();
  return Status::Ok();
}

Result<dataflow::ExecResult> Engine::execute(std::string_view sql) {
  return execute_script(sql, false);
}

Result<dataflow::ExecResult> Engine::replay(std::string_view statement) {
  return execute_script(statement, true);
}

Result<dataflow::ExecResult> Engine::execute_script(std::string_view sql, bool replay) {
  auto script = std::make_shared<Script>();
  SLC_ASSIGN_OR_RETURN(script->statements, sql::parse_statements(sql));
  if (script->statements.empty()) return Status(ErrorCode::kSqlSyntax, "no statement to execute");
  script->replay = replay;
  for (;;) {
    auto done = make_completion<Result<dataflow::ExecResult>>();
    Command c;
    c.kind = Command::Kind::kExecute;
    c.script = script;
    c.executed = done;
    SLC_RETURN_IF_ERROR(post(std::move(c)));
    SLC_ASSIGN_OR_RETURN(dataflow::ExecResult result, done->wait());
    if (!script->await) return result;
    script->await();  // paused: wait here, not on the compute thread
    script->await = nullptr;
  }
}

void Engine::enable_checkpoints(CheckpointHooks hooks) {
  // Before any command: the compute thread reads these only while running commands and
  // input, which the queues order after this.
  hooks_ = std::move(hooks);
  checkpointing_ = true;
  epoch_ = hooks_.first_epoch;
  last_cut_ = hooks_.committed_epoch;
  resolved_epoch_.store(hooks_.committed_epoch);  // decided by the manifest
  pipeline_.set_checkpointing(true);
}

Status Engine::restore(std::string state, std::map<std::string, int64_t> offsets) {
  auto done = make_completion<Result<dataflow::ExecResult>>();
  Command c;
  c.kind = Command::Kind::kRestore;
  c.text = std::move(state);
  c.offsets = std::move(offsets);
  c.executed = done;
  SLC_RETURN_IF_ERROR(post(std::move(c)));
  return done->wait().status();
}

std::shared_ptr<Completion<Result<uint64_t>>> Engine::request_checkpoint(bool force,
                                                                         bool try_only) {
  auto done = make_completion<Result<uint64_t>>();
  if (stopping_.load(std::memory_order_acquire)) {
    done->set(stopped_error());
    return done;
  }
  // Its own queue, not the command queue: a periodic cut may fall anywhere in the input, so
  // it need not wait behind commands or queued rows (up to a source's credits, a second or
  // more). A forced one drains the queued rows first (see run()).
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

void Engine::epoch_resolved(uint64_t epoch) {
  uint64_t seen = resolved_epoch_.load();
  while (seen < epoch && !resolved_epoch_.compare_exchange_weak(seen, epoch)) {
  }
  resolved_signal_.notify_all();
}

Result<uint64_t> Engine::checkpoint() {
  return request_checkpoint(true, false)->wait();
}

Result<std::shared_ptr<SubscriptionState>> Engine::subscribe(std::string_view name,
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

Status Engine::flush() {
  auto done = make_completion<Status>();
  Command c;
  c.kind = Command::Kind::kFlush;
  c.flushed = done;
  SLC_RETURN_IF_ERROR(post(std::move(c)));
  return done->wait();
}

Result<std::string> Engine::graph_json() {
  auto done = make_completion<std::string>();
  Command c;
  c.kind = Command::Kind::kGraph;
  c.graph = done;
  SLC_RETURN_IF_ERROR(post(std::move(c)));
  return done->wait();
}

Result<std::shared_ptr<SourceRuntime>> Engine::source(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = sources_.find(sql::to_lower(name));
  if (it == sources_.end()) {
    return Status(ErrorCode::kSqlUnknownName, "unknown source '" + std::string(name) + "'");
  }
  return it->second;
}

std::vector<std::shared_ptr<SourceRuntime>> Engine::sources() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<SourceRuntime>> out;
  for (const auto& [name, s] : sources_) out.push_back(s);
  return out;
}

Status Engine::check_batch(const SourceRuntime& source, const RecordBatch& batch) {
  const Schema& schema = *source.schema();
  if (!batch.schema() || batch.num_columns() != schema.num_fields()) {
    return Status(ErrorCode::kSchemaMismatch,
                  "source '" + source.name() + "' expects (" + schema.to_string() + "), got (" +
                      (batch.schema() ? batch.schema()->to_string() : std::string()) + ")");
  }
  for (int c = 0; c < schema.num_fields(); ++c) {
    const Field& f = schema.field(c);
    if (batch.column(c).type() != f.type) {
      return Status(ErrorCode::kSchemaMismatch,
                    "column '" + f.name + "' of source '" + source.name() + "' is " +
                        std::string(type_name(f.type)) + ", the batch has " +
                        std::string(type_name(batch.column(c).type())));
    }
    if (!f.nullable && batch.column(c).null_count() > 0) {
      return Status(ErrorCode::kMissingValue, "column '" + f.name + "' of source '" +
                                                  source.name() +
                                                  "' is NOT NULL but the batch has NULLs");
    }
  }
  return Status::Ok();
}

Status Engine::push(SourceRuntime& source, RecordBatch batch, int64_t offset) {
  return accept(source, std::move(batch), offset, true);
}

Status Engine::push_replayed(SourceRuntime& source, RecordBatch batch, int64_t offset) {
  return accept(source, std::move(batch), offset, false);
}

Status Engine::accept(SourceRuntime& source, RecordBatch batch, int64_t offset, bool log) {
  if (failed_.load(std::memory_order_acquire)) return status();
  if (source.dropped.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kClosed, "source '" + source.name() + "' was dropped");
  }
  if (source.ended.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kClosed,
                  "source '" + source.name() + "' has ended; it takes no more rows");
  }
  SLC_RETURN_IF_ERROR(check_batch(source, batch));
  if (batch.num_rows() == 0) return Status::Ok();
  SLC_ASSIGN_OR_RETURN(CreditGate::Outcome outcome, source.gate.acquire(batch.num_rows()));
  if (outcome == CreditGate::Outcome::kDropped) return Status::Ok();  // counted by the gate
  Input in;
  in.source = source.id;
  in.offset = offset;
  const int64_t rows = batch.num_rows();
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

Status Engine::advance_watermark(SourceRuntime& source, int64_t micros) {
  if (source.dropped.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kClosed, "source '" + source.name() + "' was dropped");
  }
  Input in;
  in.source = source.id;
  in.kind = Input::Kind::kWatermark;
  in.watermark = micros;
  return enqueue(std::move(in));
}

Status Engine::end_input(SourceRuntime& source) {
  if (source.ended.exchange(true)) return Status::Ok();
  Input in;
  in.source = source.id;
  in.kind = Input::Kind::kEnd;
  return enqueue(std::move(in));
}

void Engine::record_failure(const Status& error) {
  {
    std::lock_guard lock(mutex_);
    if (failure_.ok()) failure_ = error;
  }
  failed_.store(true, std::memory_order_release);
}

void Engine::fail(const Status& error) {
  record_failure(error);
}

Status Engine::status() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

Status Engine::shutdown() {
  std::lock_guard lock(shutdown_mutex_);
  if (stopped_) return status();
  stopped_ = true;
  // No new rows: pushers waiting for credits give up (their rows were never accepted).
  for (const auto& s : sources()) s->gate.close();
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
  return status();
}

// ---- the compute thread ----------------------------------------------------------------------

void Engine::run() {
  AllocPhaseScope phase(AllocPhase::kLoop);
  std::vector<std::shared_ptr<Completion<Result<uint64_t>>>> final_waiters;
  for (;;) {
    wake_.wait_until(
        [&] {
          return inputs_.size() != 0 || commands_.size() != 0 || checkpoint_requests_.size() != 0 ||
                 stopping_.load(std::memory_order_acquire);
        },
        kNoDeadline, EngineOptions::kComputeSpinSteps);
    if (checkpoint_requests_.size() != 0) {
      CheckpointRequest r;
      while (checkpoint_requests_.try_pop(r) == QueueStatus::kOk) {
        // An explicit checkpoint, like a command, covers every row accepted before it was
        // asked for; a periodic one cuts wherever the input is.
        if (r.force) drain_inputs(INT64_MAX);
        cut_epoch(r.done, r.force);
      }
    }
    if (commands_.size() != 0) {
      drain_inputs(INT64_MAX);  // a command sees every row queued before it
      Command c;
      while (commands_.try_pop(c) == QueueStatus::kOk) run_command(c);
    }
    drain_inputs(options_.max_batch_rows);
    if (stopping_.load(std::memory_order_acquire) && inputs_.size() == 0) {
      drain_inputs(INT64_MAX);
      Command c;
      while (commands_.try_pop(c) == QueueStatus::kOk) run_command(c);
      break;
    }
  }
  inputs_.close();
  checkpoint_requests_.close();
  abandon_opening_sinks();  // their CREATE SINK can no longer finish
  for (auto& done : std::exchange(deferred_cuts_, {})) final_waiters.push_back(std::move(done));
  {
    CheckpointRequest r;  // asked for during the drain: the last epoch below covers them
    while (checkpoint_requests_.try_pop(r) == QueueStatus::kOk) {
      if (!checkpointing_ || failed_.load())
        r.done->set(status().ok() ? stopped_error() : status());
      else
        final_waiters.push_back(r.done);
    }
  }
  if (checkpointing_ && !failed_.load(std::memory_order_acquire)) {
    // A last epoch commits everything processed, so a restart resumes exactly here; waiting
    // for it also waits for every earlier epoch still in flight.
    auto done = make_completion<Result<uint64_t>>();
    cut_epoch(done, true);
    Result<uint64_t> last = done->wait();
    if (!last.ok()) record_failure(last.status());
    for (auto& waiter : final_waiters) waiter->set(last);
  } else {
    for (auto& waiter : final_waiters) waiter->set(status().ok() ? stopped_error() : status());
  }
  // Subscribers receive what was delivered, then the end.
  for (auto& [name, subs] : routes_) {
    for (auto& s : subs) s->queue.close();
  }
  // Sinks flush what they hold and close; dead-letter targets last.
  std::vector<std::string> names;
  for (const auto& [name, task] : sinks_) names.push_back(name);
  std::stable_partition(names.begin(), names.end(), [&](const std::string& n) {
    return sinks_.at(n)->options().on_error == sink::OnError::kDeadLetter;
  });
  for (const std::string& n : names) close_sink_task(n, false);  // keep final metrics
  exited_.store(true, std::memory_order_release);
  exit_signal_.notify_all();
}

void Engine::run_command(Command& c) {
  switch (c.kind) {
    case Command::Kind::kExecute:
      c.executed->set(continue_script(*c.script));
      return;
    case Command::Kind::kRestore: {
      Status s = restore_state(c.text, c.offsets);
      if (s.ok()) {
        c.executed->set(dataflow::ExecResult{"RESTORE", false, {}});
      } else {
        c.executed->set(s);
      }
      return;
    }
    case Command::Kind::kFlush:
      c.flushed->set(status());
      return;
    case Command::Kind::kGraph: {
      // The pipeline's graph, with each sink's live counters added.
      std::string json = pipeline_.graph_json();
      std::string sinks = ",\"sinks\":{";
      bool first = true;
      for (const auto& [name, task] : sinks_) {
        const SinkMetrics m = task->metrics();
        sinks += first ? "" : ",";
        first = false;
        append_json_string(name, sinks);
        sinks += ":{\"state\":\"" + m.state + "\",\"rows\":" + std::to_string(m.rows) +
                 ",\"bytes\":" + std::to_string(m.bytes) +
                 ",\"queue_depth\":" + std::to_string(m.queue_depth) +
                 ",\"dropped_rows\":" + std::to_string(m.dropped_rows) +
                 ",\"write_errors\":" + std::to_string(m.write_errors) + "}";
      }
      json.insert(json.size() - 1, sinks + "}");
      c.graph->set(std::move(json));
      return;
    }
    case Command::Kind::kSubscribe: {
      const sql::Catalog::Entry* e = pipeline_.catalog().find(c.text);
      if (e == nullptr || e->kind == sql::ObjectKind::kSink || (e->query && e->query->anonymous)) {
        std::string msg = "unknown stream, view or source '" + c.text + "'";
        const std::string best = pipeline_.catalog().closest(c.text);
        if (!best.empty()) msg += " (did you mean '" + best + "'?)";
        c.subscribed->set(Status(ErrorCode::kSqlUnknownName, std::move(msg)));
        return;
      }
      auto state = std::make_shared<SubscriptionState>(e->name(), e->schema(), c.subscribe);
      routes_[e->name()].push_back(state);
      c.subscribed->set(std::move(state));
      return;
    }
  }
}

Result<dataflow::ExecResult> Engine::continue_script(Script& script) {
  AllocPhaseScope phase(AllocPhase::kOperators);
  if (script.resume) {
    auto resume = std::move(script.resume);
    script.resume = nullptr;
    SLC_RETURN_IF_ERROR(resume(script));
  }
  while (script.next < script.statements.size()) {
    const size_t index = script.next++;
    const sql::Statement& s = script.statements[index];
    SLC_RETURN_IF_ERROR(before_statement(s));
    if (s.kind == sql::StatementKind::kShow && s.show_what == "SINKS") {
      script.last = show_sinks();  // with the sink tasks' live metrics
      continue;
    }
    if (s.kind == sql::StatementKind::kCheckpoint) {
      if (!checkpointing_) {
        return Status(ErrorCode::kUnsupported,
                      "CHECKPOINT needs a database with a data_dir (sluice run --data-dir DIR)",
                      s.pos.to_string());
      }
      auto done = make_completion<Result<uint64_t>>();
      cut_epoch(done, true);
      script.await = [done] { done->wait_until_set(); };
      script.resume = [done](Script& paused) -> Status {
        SLC_ASSIGN_OR_RETURN(uint64_t epoch, done->wait());
        paused.last = dataflow::ExecResult{"CHECKPOINT " + std::to_string(epoch), false, {}};
        return Status::Ok();
      };
      return script.last;
    }
    SLC_ASSIGN_OR_RETURN(script.last, pipeline_.execute(s));
    if (s.kind == sql::StatementKind::kCreateSink) {
      const std::string name = pipeline_.catalog().find(s.name)->name();
      SLC_ASSIGN_OR_RETURN(std::shared_ptr<Completion<Status>> opened, start_sink_task(name));
      if (opened != nullptr) {
        script.await = [opened] { opened->wait_until_set(); };
        script.resume = [this, name, opened, index](Script& paused) -> Status {
          Status settled = finish_sink_open(name, opened->wait());
          if (settled.ok()) settled = record_statement(paused.statements[index], paused.replay);
          release_deferred_cuts();  // after the log has the sink
          return settled;
        };
        return script.last;
      }
    } else {
      SLC_RETURN_IF_ERROR(after_statement(s));
    }
    SLC_RETURN_IF_ERROR(record_statement(s, script.replay));
  }
  return script.last;
}

Status Engine::record_statement(const sql::Statement& s, bool replay) {
  if (!checkpointing_ || !sql::changes_catalog(s.kind)) return Status::Ok();
  ++catalog_statements_;
  epoch_dirty_ = true;
  if (replay) return Status::Ok();
  Status logged = hooks_.log_statement(s.text);
  if (logged.ok()) return logged;
  // Applied but not durable: the database cannot keep its word; stop it.
  const Status failure = Status(ErrorCode::kIoError,
                                "the statement ran but could not be recorded in the data "
                                "directory: " +
                                    logged.to_string());
  record_failure(failure);
  return failure;
}

bool Engine::wait_for_epoch_in_flight() {
  resolved_signal_.wait_until([&] {
    return resolved_epoch_.load(std::memory_order_acquire) >= last_cut_ ||
           failed_.load(std::memory_order_acquire);
  });
  return !failed_.load(std::memory_order_acquire);
}

void Engine::cut_epoch(std::shared_ptr<Completion<Result<uint64_t>>> done, bool force) {
  if (!checkpointing_) {
    if (done) done->set(Status(ErrorCode::kUnsupported, "checkpoints need a data_dir"));
    return;
  }
  if (failed_.load(std::memory_order_acquire)) {
    if (done) done->set(status());
    return;
  }
  if (!force && !epoch_dirty_) {  // nothing new: the last epoch still describes everything
    if (done) done->set(last_cut_);
    return;
  }
  if (!opening_.empty()) {
    // A sink being created is in the graph but not yet in the catalog log: a snapshot now
    // could not be restored. Wait for its open to settle (release_deferred_cuts).
    if (!force) {
      if (done) done->set(last_cut_);
    } else if (done) {
      deferred_cuts_.push_back(std::move(done));
    }
    return;
  }
  // One checkpoint in flight: epoch e+1 is cut only once e is committed or rolled back on
  // every sink, so a sink never holds two pre-committed epochs at once (a prepared PostgreSQL
  // transaction keeps its row locks until COMMIT PREPARED, and the next epoch may update the
  // same rows). A periodic request skips; a forced one waits, about one checkpoint's time.
  if (resolved_epoch_.load(std::memory_order_acquire) < last_cut_) {
    if (!force) {
      if (done) done->set(last_cut_);
      return;
    }
    if (!wait_for_epoch_in_flight()) {
      if (done) done->set(status());
      return;
    }
  }
  AllocPhaseScope phase(AllocPhase::kOperators);
  // The next epoch must never be handed out again, even after a crash.
  if (Status reserved = hooks_.reserve_epoch(epoch_ + 1); !reserved.ok()) {
    record_failure(reserved);
    if (done) done->set(reserved);
    return;
  }
  EpochCut cut;
  cut.epoch = epoch_;
  cut.cut_at = SteadyClock::now();
  dataflow::StateWriter writer;
  pipeline_.snapshot(writer);
  cut.state = writer.take();
  cut.catalog_statements = catalog_statements_;
  for (const Slot& slot : slots_) {
    if (!slot.source->dropped.load(std::memory_order_acquire))
      cut.source_offsets[slot.source->name()] = slot.offset;
  }
  for (const auto& [name, task] : sinks_) {
    cut.sinks.push_back({task, task->post_pre_commit(epoch_)});
    task->post_begin_epoch(epoch_ + 1);
  }
  cut.done = std::move(done);
  last_cut_ = epoch_;
  ++epoch_;
  epoch_dirty_ = false;
  hooks_.on_cut(std::move(cut));
}

Status Engine::restore_state(const std::string& state,
                             const std::map<std::string, int64_t>& offsets) {
  AllocPhaseScope phase(AllocPhase::kOperators);
  dataflow::StateReader reader(state);
  SLC_RETURN_IF_ERROR(pipeline_.restore(reader));
  for (Slot& slot : slots_) {
    auto it = offsets.find(slot.source->name());
    if (it == offsets.end()) continue;
    slot.offset = it->second;
    slot.source->resume_offset.store(it->second, std::memory_order_release);
  }
  return Status::Ok();
}

Status Engine::before_statement(const sql::Statement& s) {
  if (s.kind != sql::StatementKind::kDrop || s.object != sql::ObjectKind::kSink)
    return Status::Ok();
  const sql::Catalog::Entry* e = pipeline_.catalog().find(s.name);
  if (e == nullptr) return Status::Ok();
  if (opening_.count(e->name())) {
    return Status(ErrorCode::kInvalidArgument,
                  "sink '" + e->name() +
                      "' is still opening its connector: drop it once its CREATE SINK returned",
                  s.name_pos.to_string());
  }
  for (const auto& [name, task] : sinks_) {
    if (sql::to_lower(task->options().dead_letter_sink) == sql::to_lower(e->name()) &&
        name != e->name()) {
      return Status(ErrorCode::kSqlHasDependents,
                    "cannot drop sink '" + e->name() + "': sink '" + name +
                        "' sends its dead letters there; drop it first",
                    s.name_pos.to_string());
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<Completion<Status>>> Engine::start_sink_task(const std::string& name) {
  if (sinks_.count(name)) return std::shared_ptr<Completion<Status>>();  // IF NOT EXISTS
  const sql::SinkDef& def = *pipeline_.catalog().find(name)->sink;
  auto options = sink::parse_sink_options(def.options);
  auto connector =
      options.ok() ? sink_factory_(def) : Result<std::unique_ptr<sink::Sink>>(options.status());
  if (!connector.ok()) {
    undo_create_sink(name);  // nothing may half-exist
    return connector.status();
  }
  auto task = std::make_shared<sink::SinkTask>(def.name, std::move(connector).value(), *options);
  sink::SinkTask::DeadLetterHandler dead_letter;
  if (options->on_error == sink::OnError::kDeadLetter) {
    const sql::Catalog::Entry* target = pipeline_.catalog().find(options->dead_letter_sink);
    dead_letter = [this, target_name = target->name()](const RecordBatch& batch) -> Status {
      std::lock_guard lock(sinks_mutex_);
      auto it = sinks_.find(target_name);
      if (it == sinks_.end())
        return Status(ErrorCode::kClosed, "dead-letter sink '" + target_name + "' is gone");
      return it->second->submit_blocking(batch);
    };
  }
  sink::SinkTask::Opening opening{pipeline_.catalog().find(def.input)->schema(), std::nullopt};
  if (checkpointing_) opening.recover_epoch = hooks_.committed_epoch;
  auto opened = task->start(
      std::move(opening), [this](const Status& error) { record_failure(error); },
      std::move(dead_letter));
  if (checkpointing_) task->post_begin_epoch(epoch_);
  opening_[name] = opened;
  std::lock_guard lock(sinks_mutex_);
  sinks_[name] = std::move(task);
  return opened;
}

Status Engine::finish_sink_open(const std::string& name, const Status& opened) {
  if (opening_.erase(name) == 0) {
    return Status(ErrorCode::kClosed, "sink '" + name + "' was removed while its connector opened");
  }
  if (opened.ok()) return opened;
  close_sink_task(name, true);
  undo_create_sink(name);
  return opened;
}

void Engine::abandon_opening_sinks() {
  for (auto& [name, opened] : std::exchange(opening_, {})) {
    opened->wait_until_set();  // bounded by the connector's own timeouts
    close_sink_task(name, true);
    undo_create_sink(name);
  }
}

void Engine::undo_create_sink(const std::string& name) {
  auto undo = sql::parse_statement("DROP SINK " + name);
  if (undo.ok()) pipeline_.execute(*undo).status().ignore();
}

void Engine::release_deferred_cuts() {
  if (!opening_.empty()) return;
  for (auto& done : std::exchange(deferred_cuts_, {})) cut_epoch(std::move(done), true);
}

void Engine::close_sink_task(const std::string& name, bool forget) {
  std::shared_ptr<sink::SinkTask> task;
  {
    std::lock_guard lock(sinks_mutex_);
    auto it = sinks_.find(name);
    if (it == sinks_.end()) return;
    task = it->second;
  }
  Status s = task->close();  // flushes what it holds, then closes the connector
  if (!s.ok()) record_failure(s.with_location("sink '" + name + "'"));
  if (forget) {
    std::lock_guard lock(sinks_mutex_);
    sinks_.erase(name);
  }
}

dataflow::ExecResult Engine::show_sinks() const {
  BatchBuilder b(make_schema({{"name", DataType::kVarchar, false},
                              {"input", DataType::kVarchar, false},
                              {"connector", DataType::kVarchar, false},
                              {"state", DataType::kVarchar, false},
                              {"rows", DataType::kInt64, false},
                              {"batches", DataType::kInt64, false},
                              {"bytes", DataType::kInt64, false},
                              {"queue_depth", DataType::kInt64, false},
                              {"backpressure", DataType::kInt64, false},
                              {"dropped_rows", DataType::kInt64, false},
                              {"write_errors", DataType::kInt64, false},
                              {"retries", DataType::kInt64, false},
                              {"write_p99_us", DataType::kDouble, false},
                              {"last_error", DataType::kVarchar, true}}));
  for (const sql::Catalog::Entry* e : pipeline_.catalog().all(sql::ObjectKind::kSink)) {
    auto it = sinks_.find(e->name());
    if (it == sinks_.end()) continue;
    const SinkMetrics m = it->second->metrics();
    b.column(0).append_string(m.name);
    b.column(1).append_string(e->sink->input);
    b.column(2).append_string(e->sink->connector);
    b.column(3).append_string(m.state);
    b.column(4).append_int64(m.rows);
    b.column(5).append_int64(m.batches);
    b.column(6).append_int64(m.bytes);
    b.column(7).append_int64(m.queue_depth);
    b.column(8).append_int64(m.backpressure_events);
    b.column(9).append_int64(m.dropped_rows);
    b.column(10).append_int64(m.write_errors);
    b.column(11).append_int64(m.retries);
    b.column(12).append_double(static_cast<double>(m.write_p99_ns) / 1000);
    m.last_error.empty() ? b.column(13).append_null() : b.column(13).append_string(m.last_error);
  }
  dataflow::ExecResult r;
  r.message = "SHOW SINKS";
  r.has_rows = true;
  r.rows = b.finish();
  return r;
}

Result<SinkMetrics> Engine::sink_metrics(std::string_view name) const {
  std::lock_guard lock(sinks_mutex_);
  for (const auto& [sink_name, task] : sinks_) {
    if (sql::to_lower(sink_name) == sql::to_lower(name)) return task->metrics();
  }
  return Status(ErrorCode::kSqlUnknownName, "unknown sink '" + std::string(name) + "'");
}

Status Engine::after_statement(const sql::Statement& s) {
  if (s.kind == sql::StatementKind::kDrop && s.object == sql::ObjectKind::kSink &&
      pipeline_.catalog().find(s.name) == nullptr) {
    for (const auto& [name, task] : sinks_) {
      if (sql::to_lower(name) == sql::to_lower(s.name)) {
        const std::string victim = name;
        // A pre-committed epoch is resolved first: its commit must reach the sink before the
        // sink closes (a prepared PostgreSQL transaction would otherwise hold its locks).
        if (checkpointing_) wait_for_epoch_in_flight();
        close_sink_task(victim, true);
        break;
      }
    }
    return Status::Ok();
  }
  return after_catalog_change(s);
}

// Keeps the runtime's view of sources and routes in step with the catalog.
Status Engine::after_catalog_change(const sql::Statement& s) {
  if (s.kind == sql::StatementKind::kCreateSource) {
    const sql::Catalog::Entry* e = pipeline_.catalog().find(s.name);
    {
      std::lock_guard lock(mutex_);
      if (sources_.count(sql::to_lower(e->name()))) return Status::Ok();  // IF NOT EXISTS
    }
    std::shared_ptr<PushLog> log;
    if (e->source->connector.empty() && e->source->replayable) {
      auto opened = hooks_.open_push_log(*e->source);
      if (!opened.ok()) {
        const std::string name = e->name();
        auto undo = sql::parse_statement("DROP SOURCE " + name);
        if (undo.ok()) pipeline_.execute(*undo).status().ignore();
        return opened.status().with_location("source '" + name + "'");
      }
      log = *opened;
    }
    std::lock_guard lock(mutex_);
    int64_t credits = options_.source_credits;
    if (auto it = e->source->options.find("credits"); it != e->source->options.end()) {
      parse_int64(it->second, credits).ignore();
    }
    auto runtime = std::make_shared<SourceRuntime>(static_cast<uint32_t>(slots_.size()), e->source,
                                                   credits, overflow_of(*e->source));
    runtime->log = std::move(log);
    Slot slot;
    slot.source = runtime;
    slot.pending.reserve(256);
    slots_.push_back(std::move(slot));
    touched_.reserve(slots_.size());
    sources_[sql::to_lower(e->name())] = std::move(runtime);
    return Status::Ok();
  }
  if (s.kind == sql::StatementKind::kDrop) {
    if (pipeline_.catalog().find(s.name) != nullptr) return Status::Ok();  // IF EXISTS of nothing
    if (s.object == sql::ObjectKind::kSource) {
      std::lock_guard lock(mutex_);
      auto it = sources_.find(sql::to_lower(s.name));
      if (it != sources_.end()) {
        it->second->dropped.store(true);
        it->second->gate.close();
        sources_.erase(it);
      }
    }
    for (auto& [name, subs] : routes_) {
      if (sql::to_lower(name) == sql::to_lower(s.name)) {
        for (auto& sub : subs) sub->queue.close();
        subs.clear();
      }
    }
  }
  return Status::Ok();
}

void Engine::drain_inputs(int64_t max_rows) {
  int64_t rows = 0;
  Input in;
  while (rows < max_rows && inputs_.try_pop(in) == QueueStatus::kOk) {
    Slot& slot = slots_[in.source];
    switch (in.kind) {
      case Input::Kind::kData:
        if (in.offset >= 0) slot.offset = in.offset;
        epoch_dirty_ = true;
        if (slot.pending.empty()) touched_.push_back(in.source);
        slot.pending_rows += in.batch.num_rows();
        rows += in.batch.num_rows();
        slot.pending.push_back(std::move(in.batch));
        break;
      case Input::Kind::kWatermark:
      case Input::Kind::kEnd: {
        epoch_dirty_ = true;
        flush_source(in.source);  // rows before the marker go first
        if (slot.source->dropped.load() || failed_.load()) break;
        AllocPhaseScope phase(AllocPhase::kOperators);
        Status s = in.kind == Input::Kind::kEnd
                       ? pipeline_.end_input(slot.source->name())
                       : pipeline_.advance_watermark(slot.source->name(), in.watermark);
        if (!s.ok()) record_failure(s);
        break;
      }
    }
  }
  for (uint32_t id : touched_) flush_source(id);
  touched_.clear();
}

void Engine::flush_source(uint32_t id) {
  Slot& slot = slots_[id];
  if (slot.pending.empty()) return;
  const int64_t rows = slot.pending_rows;
  if (!slot.source->dropped.load(std::memory_order_acquire) &&
      !failed_.load(std::memory_order_acquire)) {
    AllocPhaseScope phase(AllocPhase::kOperators);
    Status s;
    if (slot.pending.size() == 1) {
      s = pipeline_.push(slot.source->name(), slot.pending[0]);
    } else {
      auto merged = RecordBatch::concat(slot.pending);
      s = merged.ok() ? pipeline_.push(slot.source->name(), *merged) : merged.status();
    }
    if (!s.ok()) record_failure(s);
  }
  {
    AllocPhaseScope phase(AllocPhase::kOperators);  // releasing batches frees their memory
    slot.pending.clear();
  }
  slot.pending_rows = 0;
  slot.source->gate.release(rows);
}

void Engine::route(const std::string& name, sql::ObjectKind kind, const RecordBatch& batch) {
  if (kind == sql::ObjectKind::kSink) {
    auto task = sinks_.find(name);
    if (task != sinks_.end()) {
      Status s = task->second->submit(batch, abandon_);
      if (!s.ok()) record_failure(s);
    }
    return;
  }
  auto it = routes_.find(name);
  if (it == routes_.end()) return;
  auto& subs = it->second;
  for (size_t i = 0; i < subs.size();) {
    if (subs[i]->deliver(batch, abandon_)) {
      ++i;
    } else {
      subs[i] = std::move(subs.back());  // the subscriber left; no allocation
      subs.pop_back();
    }
  }
}

}  // namespace sluice::runtime
