#pragma once
// StatementRunner: the one dispatcher for every statement. CREATE and DROP go to the DDL (and
// keep the sources, sink tasks and routes in step with the catalog), SHOW SINKS to the sink
// registry, CHECKPOINT to the epoch cutter, SHOW / DESCRIBE / EXPLAIN / SELECT to
// introspection. Statements that changed the catalog are logged in the data_dir (unless
// replayed from it).
//
// Scripts run in order on the compute thread. One that must wait for something slow (a sink's
// connector opening, a CHECKPOINT committing) pauses: the compute thread returns to its input,
// the caller waits off it (Script::await), then posts the script again, and the runner
// finishes the statement (Script::resume) before the next one runs.
//
// Thread: the compute thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/completion.h"
#include "dataflow/ddl.h"
#include "dataflow/graph.h"
#include "runtime/epoch_cutter.h"
#include "runtime/failure.h"
#include "runtime/intake.h"
#include "runtime/router.h"
#include "runtime/sink_registry.h"
#include "sluice/query_result.h"
#include "sql/ast.h"
#include "sql/catalog.h"

namespace sluice::runtime {

struct Script {
  std::vector<sql::Statement> statements;
  size_t next = 0;
  bool replay = false;  // from the catalog log: not logged again
  QueryResult last;
  std::function<void()> await;
  std::function<Status(Script&)> resume;
};

// What the runner needs of the compute loop when sources come and go.
class SourceSlots {
 public:
  virtual ~SourceSlots() = default;
  virtual void add(std::shared_ptr<SourceRuntime> source, dataflow::SourceNode* node) = 0;
  virtual void remove(const std::string& name) = 0;
};

struct RunnerParts {
  sql::Catalog& catalog;
  dataflow::Graph& graph;
  Intake& intake;
  Router& router;
  SinkRegistry& sinks;
  EpochCutter& cutter;
  SourceSlots& slots;
  Failure& failure;
  int64_t source_credits;
  // state.memory.max (0: none): an ad-hoc SELECT's own state is held to it too.
  int64_t state_memory_max = 0;
};

class StatementRunner {
 public:
  explicit StatementRunner(RunnerParts parts) : p_(parts) {}

  // Runs the script's statements from where it paused; returns the last result (or the
  // paused statement's, with script.await set).
  Result<QueryResult> continue_script(Script& script);
  // Shutdown: sinks still opening are undone; their CREATE SINK fails.
  void abandon_opening_sinks();

 private:
  // The dispatcher: runs one statement, or pauses the script.
  Result<QueryResult> run(Script& script, size_t index);
  Result<QueryResult> create_source(const sql::Statement& s);
  Result<QueryResult> create_sink(Script& script, size_t index);
  Result<QueryResult> drop(const sql::Statement& s);
  Result<QueryResult> checkpoint(Script& script, const sql::Statement& s);
  // Once a sink's open is done: it stays, or (it failed) is undone as if never created.
  Status finish_sink_open(const std::string& name, const Status& opened);
  void undo_sink(const std::string& name);
  // Records a statement that changed the catalog in the data_dir (unless replayed).
  Status record(const sql::Statement& s, bool replay);

  RunnerParts p_;
  // Sinks whose connector is opening (by name): in the graph, not yet in the catalog log.
  std::map<std::string, std::shared_ptr<Completion<Status>>> opening_;
};

}  // namespace sluice::runtime
