#include "sluice/database.h"

#include <charconv>
#include <map>
#include <mutex>
#include <vector>

#include "checkpoint/coordinator.h"
#include "checkpoint/data_dir.h"
#include "checkpoint/push_wal.h"
#include "checkpoint/resume_check.h"
#include "connectors/registry.h"
#include "runtime/compute_loop.h"
#include "runtime/split_offsets.h"
#include "sql/names.h"
#include "sql/parser.h"
#include "sql/redaction.h"

namespace sluice {

struct Database::Impl {
  DatabaseOptions options;
  // Every connector CREATE SOURCE / CREATE SINK may name. Declared before the compute loop, which
  // points at it (the binder's lookups, the sink factory).
  connectors::Registry registry;
  // Declared before the compute loop so they outlive it: its hooks point into them.
  std::unique_ptr<checkpoint::DataDir> data_dir;
  std::unique_ptr<checkpoint::Coordinator> coordinator;
  std::vector<std::string> recovered_statements;  // what data_dir held at open (declare())
  std::mutex wal_mutex;
  std::map<std::string, std::shared_ptr<checkpoint::PushWal>> wals;  // durable push sources
  std::shared_ptr<runtime::ComputeLoop> loop;
  std::mutex mutex;  // guards the fields below
  bool started = false;
  bool shut_down = false;
  // The running source connectors, by source id.
  std::map<uint32_t, std::unique_ptr<connectors::SourceConnector>> source_connectors;
  std::mutex callbacks_mutex;
  std::map<std::string, connectors::BatchCallback> callbacks;  // callback sinks', by name

  // Runs statements that begin at `start` in their script; once the database has started,
  // a source they create starts as soon as something reads it.
  Result<QueryResult> execute(std::string_view sql, sql::SourcePos start) {
    SLC_ASSIGN_OR_RETURN(QueryResult r, loop->execute(sql, start));
    std::lock_guard lock(mutex);
    if (started) start_connectors(false);
    return r;
  }

  // Starts the sources whose connector has a source factory and that are not running yet:
  // all of them (start()), or those something reads (a source created while running, which
  // waits for its first consumer so that it sees the input from the start). Call with mutex
  // held.
  void start_connectors(bool all) {
    std::vector<connectors::SourceConnector*> made;
    for (const auto& source : loop->sources()) {
      if (source_connectors.count(source->id)) continue;
      if (!all && !source->consumed.load(std::memory_order_acquire)) continue;
      std::unique_ptr<connectors::SourceConnector> reader = registry.make_source(loop, source);
      if (!reader) continue;  // a push source
      // In its alignment group's minimum before any reader starts, so that one started first
      // does not read ahead of a member whose reader has not started yet.
      if (source->alignment != nullptr) source->alignment->activate();
      made.push_back(reader.get());
      source_connectors.emplace(source->id, std::move(reader));
    }
    for (connectors::SourceConnector* reader : made) reader->start();
  }

  // Which option keys hold secrets: those a registered connector marks so.
  sql::SecretOption secret_option() const {
    return [this](std::string_view key) { return registry.secret_option(key); };
  }
  // An error about `sql` with what it repeats of its secrets masked (a parser naming the token
  // it did not expect, an option value echoed back).
  Status redact_error(const Status& error, std::string_view sql) const {
    const sql::SecretOption secret = secret_option();
    return Status(error.code(), sql::redact_message(error.message(), sql, secret),
                  sql::redact_message(error.location(), sql, secret));
  }

  // Active source connectors (the pointers stay valid while the Database lives).
  std::vector<connectors::SourceConnector*> running_sources() {
    std::lock_guard lock(mutex);
    std::vector<connectors::SourceConnector*> out;
    for (auto& [id, reader] : source_connectors) out.push_back(reader.get());
    return out;
  }
};

Database::Database(DatabaseOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  runtime::ComputeOptions loop_options;
  loop_options.max_batch_rows = options.max_batch_rows;
  loop_options.source_credits = options.source_credits;
  loop_options.input_queue_batches = options.input_queue_batches;
  loop_options.shutdown_grace = options.shutdown_grace;
  loop_options.state_memory_max = options.state_memory_max;
  connectors::register_builtin_connectors(impl_->registry);
  impl_->loop = std::make_shared<runtime::ComputeLoop>(loop_options);
  impl_->loop->set_connectors(&impl_->registry);
  impl_->loop->set_sink_factory([impl = impl_.get()](const sql::SinkDef& def) {
    connectors::SinkFactoryContext context;
    context.data_dir = impl->options.data_dir;
    context.callback = [impl](const std::string& name) {
      std::lock_guard lock(impl->callbacks_mutex);
      auto it = impl->callbacks.find(name);
      return it == impl->callbacks.end() ? connectors::BatchCallback() : it->second;
    };
    context.service = [impl](const std::string& name) -> std::shared_ptr<void> {
      auto it = impl->options.services.find(name);
      return it == impl->options.services.end() ? nullptr : it->second;
    };
    return impl->registry.make_sink(def, context);
  });
}

Database::~Database() {
  shutdown().ignore();
}

Result<std::unique_ptr<Database>> Database::open(DatabaseOptions options) {
  if (options.max_batch_rows < 1 || options.source_credits < 1 || options.input_queue_batches < 1) {
    return Status(ErrorCode::kInvalidArgument,
                  "max_batch_rows, source_credits and input_queue_batches must be at least 1");
  }
  if (options.state_memory_max < 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "state_memory_max must be 0 (no budget) or a number of bytes");
  }
  if (options.checkpoint_interval.count() < 1 || options.keep_checkpoints < 1) {
    return Status(ErrorCode::kInvalidArgument,
                  "checkpoint_interval must be at least 1 ms and keep_checkpoints at least 1");
  }
  if (options.data_dir.empty()) return std::unique_ptr<Database>(new Database(std::move(options)));
  SLC_ASSIGN_OR_RETURN(std::unique_ptr<checkpoint::DataDir> dir,
                       checkpoint::DataDir::open(options.data_dir, options.keep_checkpoints));
  std::unique_ptr<Database> db(new Database(options));
  Status recovered = db->recover(std::move(dir));
  if (!recovered.ok()) {
    // Recovery stopped half-way: the compute thread, sink tasks and push logs it started are
    // stopped here. Failing the loop first keeps shutdown from cutting a last epoch, which
    // would wait forever for a checkpoint thread that never started (and would checkpoint a
    // state that was never whole).
    db->impl_->loop->fail(recovered);
    db->shutdown().ignore();
    return recovered.with_location("recovering data_dir " + options.data_dir);
  }
  return db;
}

// Turns checkpoints on, then brings back what the data directory holds: the statements up to
// the checkpoint, its state and offsets, the statements after it, and the rows durable push
// sources logged after it. Sinks resolve their in-doubt epochs as they are created.
Status Database::recover(std::unique_ptr<checkpoint::DataDir> dir) {
  Impl& impl = *impl_;
  impl.data_dir = std::move(dir);
  checkpoint::DataDir& data_dir = *impl.data_dir;
  impl.recovered_statements = data_dir.statements();
  impl.coordinator = std::make_unique<checkpoint::Coordinator>(
      data_dir, impl.options.checkpoint_interval,
      [&impl](const std::map<std::string, int64_t>& offsets) -> Status {
        std::lock_guard lock(impl.wal_mutex);
        for (const auto& [name, wal] : impl.wals) {
          auto it = offsets.find(name);
          if (it != offsets.end()) SLC_RETURN_IF_ERROR(wal->sync(it->second));
        }
        return Status::Ok();
      },
      [&impl](const checkpoint::Manifest& manifest) {
        {
          std::lock_guard lock(impl.wal_mutex);
          for (const auto& [name, wal] : impl.wals) {
            auto it = manifest.source_offsets.find(name);
            if (it != manifest.source_offsets.end()) wal->drop_before(it->second);
          }
        }
        runtime::publish_committed_splits(impl.loop->sources(), manifest.source_offsets);
      });
  runtime::CheckpointHooks hooks;
  hooks.first_epoch = data_dir.first_epoch();
  hooks.committed_epoch = data_dir.committed_epoch();
  hooks.on_cut = [&impl](runtime::EpochCut cut) { impl.coordinator->submit(std::move(cut)); };
  hooks.metrics = [&impl] { return impl.coordinator->stats(); };
  hooks.reserve_epoch = [&data_dir](uint64_t epoch) { return data_dir.reserve_epoch(epoch); };
  hooks.log_statement = [&data_dir](const std::string& s) { return data_dir.log_statement(s); };
  hooks.resume_sink = [&impl](const std::string& sink_name) {
    const checkpoint::DataDir& dir = *impl.data_dir;
    sink::SinkTask::Resume resume;
    resume.epoch = dir.newest_epoch();
    // What the checkpoint loaded at open says the sink staged for its epoch (a sink created
    // after a newer checkpoint has nothing in doubt there).
    const auto& loaded = dir.checkpoint();
    if (loaded && loaded->manifest.epoch == resume.epoch) {
      auto it = loaded->manifest.sinks.find(sink_name);
      if (it != loaded->manifest.sinks.end()) resume.staged = it->second;
    }
    resume.committed_past = [&impl, sink_name, epoch = resume.epoch](uint64_t committed) {
      return checkpoint::check_sink_resume(*impl.data_dir, sink_name, epoch, committed,
                                           impl.options.accept_duplicates);
    };
    return resume;
  };
  hooks.open_push_log =
      [&impl](const sql::SourceDef& source) -> Result<std::shared_ptr<runtime::PushLog>> {
    SLC_ASSIGN_OR_RETURN(
        std::shared_ptr<checkpoint::PushWal> wal,
        checkpoint::PushWal::open(impl.data_dir->wal_directory(source.name), source.schema));
    std::lock_guard lock(impl.wal_mutex);
    impl.wals[source.name] = wal;
    return std::shared_ptr<runtime::PushLog>(wal);
  };
  impl.loop->enable_checkpoints(std::move(hooks));

  const std::vector<std::string>& statements = impl.recovered_statements;
  const auto& checkpoint = data_dir.checkpoint();
  const size_t before =
      checkpoint ? static_cast<size_t>(checkpoint->manifest.catalog_statements) : 0;
  auto replay = [&](size_t i) -> Status {
    Status s = impl.loop->replay(statements[i]).status();
    if (s.ok()) return s;
    return impl.redact_error(s, statements[i])
        .with_location("catalog statement " + std::to_string(i + 1) + " (" + redact(statements[i]) +
                       ")");
  };
  for (size_t i = 0; i < before; ++i) SLC_RETURN_IF_ERROR(replay(i));
  if (checkpoint) {
    SLC_RETURN_IF_ERROR(
        impl.loop->restore(data_dir.take_checkpoint_state(), checkpoint->manifest.source_offsets)
            .with_location("checkpoint " + std::to_string(checkpoint->manifest.epoch) + " (" +
                           data_dir.checkpoint_file(checkpoint->manifest.state_file) + ")"));
  }
  for (size_t i = before; i < statements.size(); ++i) SLC_RETURN_IF_ERROR(replay(i));
  // Rows durable push sources accepted after the checkpoint.
  std::map<std::string, std::shared_ptr<checkpoint::PushWal>> wals;
  {
    std::lock_guard lock(impl.wal_mutex);
    wals = impl.wals;
  }
  for (const auto& [name, wal] : wals) {
    SLC_ASSIGN_OR_RETURN(std::shared_ptr<runtime::SourceRuntime> source, impl.loop->source(name));
    SLC_RETURN_IF_ERROR(
        wal->replay(source->resume_offset.load(), [&](RecordBatch batch, int64_t offset) {
          return impl.loop->push_replayed(*source, std::move(batch), offset);
        }));
  }
  impl.coordinator->start(impl.loop);
  return Status::Ok();
}

Result<QueryResult> Database::declare(std::string_view sql) {
  Result<QueryResult> r = declare_statements(sql);
  if (r.ok()) return r;
  return impl_->redact_error(r.status(), sql);
}

Result<QueryResult> Database::declare_statements(std::string_view sql) {
  SLC_ASSIGN_OR_RETURN(std::vector<sql::Statement> statements, sql::parse_statements(sql));
  const std::vector<std::string>& recorded = impl_->recovered_statements;
  size_t next = 0;  // the next recorded statement to match
  QueryResult last;
  for (const sql::Statement& s : statements) {
    if (sql::changes_catalog(s.kind) && next < recorded.size()) {
      if (recorded[next] != s.text) {
        return Status(ErrorCode::kInvalidArgument,
                      "the data_dir holds a pipeline declared differently: its statement " +
                          std::to_string(next + 1) + " is `" + redact(recorded[next]) +
                          "`, the script has `" + redact(s.text) +
                          "` here; use a fresh data_dir for a different pipeline",
                      s.pos.to_string());
      }
      ++next;
      last = QueryResult{"ALREADY DECLARED", false, {}};
      continue;
    }
    // From the statement's own position, so errors point into the script.
    SLC_ASSIGN_OR_RETURN(last, impl_->execute(s.text, s.pos));
  }
  return last;
}

Result<uint64_t> Database::checkpoint() {
  if (!impl_->data_dir) {
    return Status(ErrorCode::kUnsupported, "checkpoint() needs a database opened with a data_dir");
  }
  return impl_->loop->checkpoint();
}

Result<QueryResult> Database::execute(std::string_view sql) {
  Result<QueryResult> r = impl_->execute(sql, {});
  if (r.ok()) return r;
  return impl_->redact_error(r.status(), sql);
}

std::string Database::redact(std::string_view sql) const {
  return sql::redact_statement(sql, impl_->secret_option());
}

Result<SourceHandle> Database::source(std::string_view name) {
  SLC_ASSIGN_OR_RETURN(std::shared_ptr<runtime::SourceRuntime> s, impl_->loop->source(name));
  if (!s->definition->connector.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "source '" + s->name() + "' reads from its connector ('" +
                      s->definition->connector +
                      "'); only sources without a connector take pushed rows");
  }
  return SourceHandle(impl_->loop, std::move(s));
}

void Database::register_callback(const std::string& name,
                                 std::function<void(const RecordBatch&)> callback) {
  register_fallible_callback(name, [callback = std::move(callback)](const RecordBatch& batch) {
    callback(batch);
    return Status::Ok();
  });
}

void Database::register_fallible_callback(const std::string& name,
                                          std::function<Status(const RecordBatch&)> callback) {
  std::lock_guard lock(impl_->callbacks_mutex);
  impl_->callbacks[name] = std::move(callback);
}

Result<std::string> Database::graph_json() {
  return impl_->loop->graph_json();
}

CheckpointMetrics Database::checkpoint_metrics() const {
  return impl_->coordinator ? impl_->coordinator->stats() : CheckpointMetrics{};
}

Result<SinkMetrics> Database::sink_metrics(std::string_view name) {
  return impl_->loop->sink_metrics(name);
}

Result<SourceMetrics> Database::source_metrics(std::string_view name) {
  SLC_ASSIGN_OR_RETURN(std::shared_ptr<runtime::SourceRuntime> s, impl_->loop->source(name));
  SourceMetrics m = SourceHandle(impl_->loop, s).metrics();
  std::lock_guard lock(impl_->mutex);
  if (auto it = impl_->source_connectors.find(s->id); it != impl_->source_connectors.end()) {
    m.skipped_lines = it->second->rows_skipped();
    m.partition_lag = it->second->split_lag();
  }
  return m;
}

Result<Subscription> Database::subscribe(std::string_view name, SubscribeOptions options) {
  SLC_ASSIGN_OR_RETURN(std::shared_ptr<runtime::SubscriptionState> state,
                       impl_->loop->subscribe(name, options));
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->started) impl_->start_connectors(false);  // a source subscribed to starts now
  }
  return Subscription(std::move(state));
}

Status Database::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->shut_down) return Status(ErrorCode::kClosed, "the database has shut down");
  impl_->started = true;
  impl_->start_connectors(true);
  return Status::Ok();
}

bool Database::all_sources_bounded() const {
  for (const auto& s : impl_->loop->sources()) {
    if (s->definition->connector.empty() || !s->definition->bounded) return false;
  }
  return true;
}

Status Database::flush() {
  return impl_->loop->flush();
}

Status Database::wait_for_bounded_sources() {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->started) {
      return Status(ErrorCode::kInvalidArgument,
                    "start() the database before waiting for its sources");
    }
  }
  // Wait without the lock: execute() and metrics must stay usable while input flows. The
  // readers live until the Database does, so the pointers stay valid. Unbounded ones (a
  // followed file, a generator without a limit) never end: not waited for.
  for (connectors::SourceConnector* reader : impl_->running_sources()) {
    if (reader->bounded()) reader->wait_finished();
  }
  SLC_RETURN_IF_ERROR(impl_->loop->flush());
  return impl_->loop->status();
}

Status Database::shutdown() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->shut_down) return impl_->loop->status();
    impl_->shut_down = true;
  }
  const std::vector<connectors::SourceConnector*> readers = impl_->running_sources();
  // Order matters: ask the readers to stop, then shut the compute loop down (closing its sources
  // wakes a reader blocked in a push), then join them. Joining first could wait forever on a
  // reader whose push waits for credits that never come back.
  for (connectors::SourceConnector* reader : readers) reader->request_stop();
  Status done = impl_->loop->shutdown();  // cuts and commits a last epoch when durable
  if (impl_->coordinator) impl_->coordinator->stop();
  for (connectors::SourceConnector* reader : readers) reader->stop();
  return done;
}

Status Database::status() const {
  return impl_->loop->status();
}

Status Database::wait_for_failure(std::chrono::milliseconds timeout) {
  // A timeout past what nanoseconds hold (the default) waits without a deadline.
  const auto longest =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds::max() / 2);
  return impl_->loop->wait_for_failure(timeout >= longest ? kNoDeadline : deadline_after(timeout));
}

}  // namespace sluice
