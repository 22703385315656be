#include "runtime/statement_runner.h"

#include "columnar/value_parse.h"
#include "common/alloc_phase.h"
#include "dataflow/introspection.h"
#include "runtime/checkpoint_table.h"
#include "runtime/state_budget.h"

namespace sluice::runtime {

using sql::ObjectKind;
using sql::Statement;
using sql::StatementKind;

namespace {

Overflow overflow_of(const sql::SourceDef& def) {
  auto it = def.options.find("overflow");
  if (it == def.options.end()) return Overflow::kBlock;
  if (it->second == "drop") return Overflow::kDrop;
  if (it->second == "error") return Overflow::kError;
  return Overflow::kBlock;
}

}  // namespace

Result<QueryResult> StatementRunner::continue_script(Script& script) {
  AllocPhaseScope phase(AllocPhase::kOperators);
  if (script.resume) {
    auto resume = std::move(script.resume);
    script.resume = nullptr;
    SLC_RETURN_IF_ERROR(resume(script));
  }
  while (script.next < script.statements.size()) {
    const size_t index = script.next++;
    SLC_ASSIGN_OR_RETURN(QueryResult result, run(script, index));
    script.last = std::move(result);
    if (script.await) return script.last;  // paused; the caller waits, then posts it again
  }
  return script.last;
}

Result<QueryResult> StatementRunner::run(Script& script, size_t index) {
  const Statement& s = script.statements[index];
  dataflow::Ddl ddl(p_.catalog, p_.graph);
  const dataflow::Introspection introspection(p_.catalog, p_.graph);
  switch (s.kind) {
    case StatementKind::kCreateSource: {
      SLC_ASSIGN_OR_RETURN(QueryResult r, create_source(s));
      SLC_RETURN_IF_ERROR(record(s, script.replay));
      return r;
    }
    case StatementKind::kCreateStream:
    case StatementKind::kCreateView: {
      SLC_ASSIGN_OR_RETURN(QueryResult r, ddl.create_query(s));
      p_.router.resolve(p_.graph);
      SLC_RETURN_IF_ERROR(record(s, script.replay));
      return r;
    }
    case StatementKind::kCreateSink:
      return create_sink(script, index);
    case StatementKind::kDrop: {
      SLC_ASSIGN_OR_RETURN(QueryResult r, drop(s));
      SLC_RETURN_IF_ERROR(record(s, script.replay));
      return r;
    }
    case StatementKind::kShow:
      if (s.show_what == "SINKS") return p_.sinks.show(p_.catalog);
      if (s.show_what == "CHECKPOINTS") {
        if (!p_.cutter.enabled() || !p_.cutter.hooks().metrics) {
          return Status(ErrorCode::kUnsupported, "SHOW CHECKPOINTS: checkpoints need a data_dir",
                        s.pos.to_string());
        }
        return checkpoint_table(p_.cutter.hooks().metrics());
      }
      return introspection.show(s);
    case StatementKind::kDescribe:
      return introspection.describe(s);
    case StatementKind::kExplain:
      return introspection.explain(s);
    case StatementKind::kSelect: {
      const StateBudget budget(p_.state_memory_max);
      if (!budget.enabled()) return introspection.select(s);
      return introspection.select(
          s, [&budget](const dataflow::Graph& graph) { return budget.check(graph); });
    }
    case StatementKind::kCheckpoint:
      return checkpoint(script, s);
  }
  return Status(ErrorCode::kInternal, "unknown statement");
}

Result<QueryResult> StatementRunner::create_source(const Statement& s) {
  SLC_ASSIGN_OR_RETURN(QueryResult r, dataflow::Ddl(p_.catalog, p_.graph).create_source(s));
  const sql::Catalog::Entry* e = p_.catalog.find(s.name);
  const std::string name = e->name();
  if (p_.intake.has_source(name)) return r;  // IF NOT EXISTS
  std::shared_ptr<const sql::SourceDef> def = e->source;
  std::shared_ptr<PushLog> log;
  if (def->connector.empty() && def->replayable) {
    auto opened = p_.cutter.hooks().open_push_log(*def);
    if (!opened.ok()) {
      dataflow::Ddl(p_.catalog, p_.graph).remove(name);  // nothing may half-exist
      return opened.status().with_location("source '" + name + "'");
    }
    log = *opened;
  }
  int64_t credits = p_.source_credits;
  if (auto it = def->options.find("credits"); it != def->options.end()) {
    parse_int64(it->second, credits).ignore();
  }
  auto source = p_.intake.add_source(def, credits, overflow_of(*def), std::move(log));
  p_.slots.add(std::move(source), p_.graph.source(name));
  p_.router.resolve(p_.graph);
  return r;
}

Result<QueryResult> StatementRunner::create_sink(Script& script, size_t index) {
  const Statement& s = script.statements[index];
  SLC_ASSIGN_OR_RETURN(QueryResult r, dataflow::Ddl(p_.catalog, p_.graph).create_sink(s));
  const sql::Catalog::Entry* e = p_.catalog.find(s.name);
  const std::string name = e->name();
  if (p_.sinks.has(name)) {  // IF NOT EXISTS
    SLC_RETURN_IF_ERROR(record(s, script.replay));
    return r;
  }
  p_.router.resolve(p_.graph);
  const sql::SinkDef& def = *e->sink;
  std::optional<sink::SinkTask::Resume> resume;
  if (p_.cutter.enabled()) resume = p_.cutter.hooks().resume_sink(name);
  std::shared_ptr<Completion<Status>> opened;
  auto task = p_.sinks.start(def, p_.catalog.find(def.input)->schema(), std::move(resume), opened);
  if (!task.ok()) {
    undo_sink(name);  // nothing may half-exist
    return task.status();
  }
  if (p_.cutter.enabled()) (*task)->post_begin_epoch(p_.cutter.epoch());
  p_.router.attach_sink(name, *task);
  opening_[name] = opened;
  p_.cutter.sink_opening(true);
  // Pause until the connector has opened on the sink's own thread.
  script.await = [opened] { opened->wait_until_set(); };
  script.resume = [this, name, opened, index](Script& paused) -> Status {
    Status settled = finish_sink_open(name, opened->wait());
    if (settled.ok()) settled = record(paused.statements[index], paused.replay);
    p_.cutter.sink_opening(false);  // after the log has the sink
    return settled;
  };
  return r;
}

Status StatementRunner::finish_sink_open(const std::string& name, const Status& opened) {
  if (opening_.erase(name) == 0) {
    return Status(ErrorCode::kClosed, "sink '" + name + "' was removed while its connector opened");
  }
  if (opened.ok()) return opened;
  p_.sinks.close(name, true);
  undo_sink(name);
  return opened;
}

void StatementRunner::abandon_opening_sinks() {
  for (auto& [name, opened] : std::exchange(opening_, {})) {
    opened->wait_until_set();  // bounded by the connector's own timeouts
    p_.sinks.close(name, true);
    undo_sink(name);
    p_.cutter.sink_opening(false);
  }
}

void StatementRunner::undo_sink(const std::string& name) {
  dataflow::Ddl(p_.catalog, p_.graph).remove(name);
  p_.router.resolve(p_.graph);
}

Result<QueryResult> StatementRunner::drop(const Statement& s) {
  const sql::Catalog::Entry* e = p_.catalog.find(s.name);
  const std::string victim = e != nullptr ? e->name() : std::string();
  if (e != nullptr && s.object == ObjectKind::kSink && e->kind == ObjectKind::kSink) {
    if (opening_.count(victim)) {
      return Status(ErrorCode::kInvalidArgument,
                    "sink '" + victim +
                        "' is still opening its connector: drop it once its CREATE SINK returned",
                    s.name_pos.to_string());
    }
    if (const std::string user = p_.sinks.dead_letter_user(victim); !user.empty()) {
      return Status(ErrorCode::kSqlHasDependents,
                    "cannot drop sink '" + victim + "': sink '" + user +
                        "' sends its dead letters there; drop it first",
                    s.name_pos.to_string());
    }
  }
  SLC_ASSIGN_OR_RETURN(QueryResult r, dataflow::Ddl(p_.catalog, p_.graph).drop(s));
  if (victim.empty() || p_.catalog.find(victim) != nullptr) return r;  // IF EXISTS of nothing
  p_.router.resolve(p_.graph);  // closes the dropped object's subscriptions
  if (s.object == ObjectKind::kSource) {
    p_.intake.drop_source(victim);
    p_.slots.remove(victim);
  } else if (s.object == ObjectKind::kSink && p_.sinks.has(victim)) {
    // A pre-committed epoch is resolved first: its commit must reach the sink before the sink
    // closes (a prepared PostgreSQL transaction would otherwise hold its locks).
    if (p_.cutter.enabled()) p_.cutter.wait_for_resolved();
    p_.sinks.close(victim, true);
  }
  return r;
}

Result<QueryResult> StatementRunner::checkpoint(Script& script, const Statement& s) {
  if (!p_.cutter.enabled()) {
    return Status(ErrorCode::kUnsupported,
                  "CHECKPOINT needs a database with a data_dir (sluice run --data-dir DIR)",
                  s.pos.to_string());
  }
  auto done = make_completion<Result<uint64_t>>();
  p_.cutter.cut(done, true);
  script.await = [done] { done->wait_until_set(); };
  script.resume = [done](Script& paused) -> Status {
    SLC_ASSIGN_OR_RETURN(uint64_t epoch, done->wait());
    paused.last = QueryResult{"CHECKPOINT " + std::to_string(epoch), false, {}};
    return Status::Ok();
  };
  return script.last;
}

Status StatementRunner::record(const Statement& s, bool replay) {
  if (!p_.cutter.enabled() || !sql::changes_catalog(s.kind)) return Status::Ok();
  p_.cutter.count_statement();
  if (replay) return Status::Ok();
  Status logged = p_.cutter.hooks().log_statement(s.text);
  if (logged.ok()) return logged;
  // Applied but not durable: the database cannot keep its word; stop it.
  const Status failure = Status(ErrorCode::kIoError,
                                "the statement ran but could not be recorded in the data "
                                "directory: " +
                                    logged.to_string());
  p_.failure.record(failure);
  return failure;
}

}  // namespace sluice::runtime
