#pragma once
// SinkRegistry: the sink tasks of one database, by sink name. It starts a sink's task when
// CREATE SINK runs (the task opens its connector on its own thread), wires dead letters to
// their target sink, closes tasks on DROP SINK and at shutdown (dead-letter targets last),
// and reports their live metrics (SHOW SINKS, graph JSON, Database::sink_metrics).
//
// Thread: changes on the compute thread only; metrics() and the dead-letter hand-off from any
// thread (tasks_ is guarded by mutex_ for them).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "columnar/json_writer.h"
#include "common/completion.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "runtime/failure.h"
#include "sink/sink.h"
#include "sink/sink_task.h"
#include "sluice/query_result.h"
#include "sluice/sink_metrics.h"
#include "sql/catalog.h"

namespace sluice::runtime {

// Makes the connector a CREATE SINK names, from its validated definition.
using SinkFactory =
    std::function<Result<std::unique_ptr<sink::Sink>>(const sql::SinkDef& definition)>;

class SinkRegistry {
 public:
  explicit SinkRegistry(Failure& failure) : failure_(failure) {}

  void set_factory(SinkFactory factory) { factory_ = std::move(factory); }

  // Makes the sink's connector and starts its task, which opens the connector on its own
  // thread; the completion carries the open's outcome. `resume`: with checkpoints, where
  // recovery resumes it from (the connector resolves what an earlier run left in doubt).
  Result<std::shared_ptr<sink::SinkTask>> start(const sql::SinkDef& definition,
                                                SchemaPtr input_schema,
                                                std::optional<sink::SinkTask::Resume> resume,
                                                std::shared_ptr<Completion<Status>>& opened);
  bool has(const std::string& name) const;
  std::shared_ptr<sink::SinkTask> find(const std::string& name) const;
  // Every task, for an epoch cut's markers.
  std::vector<std::shared_ptr<sink::SinkTask>> tasks() const;
  // DROP SINK's check: another sink sends its dead letters to `name` (its name, or empty).
  std::string dead_letter_user(const std::string& name) const;

  // Flushes what the task holds and closes its connector; `forget` removes it (DROP) instead
  // of keeping its final metrics (shutdown).
  void close(const std::string& name, bool forget);
  // Shutdown: every task, dead-letter targets last.
  void close_all();

  Result<SinkMetrics> metrics(std::string_view name) const;
  // SHOW SINKS: the catalog's sinks with their tasks' live metrics.
  QueryResult show(const sql::Catalog& catalog) const;
  // Writes the member "sinks": {"name": {"state","rows",...}} into the caller's open object.
  void write_json(JsonWriter& writer) const;

 private:
  Failure& failure_;
  SinkFactory factory_;  // set before the first statement
  mutable Mutex mutex_;
  std::map<std::string, std::shared_ptr<sink::SinkTask>> tasks_ GUARDED_BY(mutex_);  // by name
};

}  // namespace sluice::runtime
