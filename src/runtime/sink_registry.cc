#include "runtime/sink_registry.h"

#include <algorithm>

#include "sink/sink_options.h"
#include "sluice/batch_builder.h"
#include "sql/names.h"

namespace sluice::runtime {

Result<std::shared_ptr<sink::SinkTask>> SinkRegistry::start(
    const sql::SinkDef& def, SchemaPtr input_schema, std::optional<sink::SinkTask::Resume> resume,
    std::shared_ptr<Completion<Status>>& opened) {
  SLC_ASSIGN_OR_RETURN(sink::SinkOptions options, sink::parse_sink_options(def.options));
  SLC_ASSIGN_OR_RETURN(std::unique_ptr<sink::Sink> connector, factory_(def));
  auto task = std::make_shared<sink::SinkTask>(def.name, std::move(connector), options);
  sink::SinkTask::DeadLetterHandler dead_letter;
  if (options.on_error == sink::OnError::kDeadLetter) {
    // The binder made sure the target exists; DROP SINK refuses to drop it while used.
    dead_letter = [this, target = options.dead_letter_sink](const RecordBatch& batch) -> Status {
      std::shared_ptr<sink::SinkTask> to = find(target);
      if (to == nullptr)
        return Status(ErrorCode::kClosed, "dead-letter sink '" + target + "' is gone");
      return to->submit_blocking(batch);
    };
  }
  opened = task->start(
      sink::SinkTask::Opening{std::move(input_schema), std::move(resume)},
      [this](const Status& error) { failure_.record(error); }, std::move(dead_letter));
  MutexLock lock(mutex_);
  tasks_[def.name] = task;
  return task;
}

bool SinkRegistry::has(const std::string& name) const {
  return find(name) != nullptr;
}

std::shared_ptr<sink::SinkTask> SinkRegistry::find(const std::string& name) const {
  MutexLock lock(mutex_);
  for (const auto& [n, task] : tasks_) {
    if (sql::to_lower(n) == sql::to_lower(name)) return task;
  }
  return nullptr;
}

std::vector<std::shared_ptr<sink::SinkTask>> SinkRegistry::tasks() const {
  MutexLock lock(mutex_);
  std::vector<std::shared_ptr<sink::SinkTask>> out;
  out.reserve(tasks_.size());
  for (const auto& [name, task] : tasks_) out.push_back(task);
  return out;
}

std::string SinkRegistry::dead_letter_user(const std::string& name) const {
  MutexLock lock(mutex_);
  for (const auto& [n, task] : tasks_) {
    if (sql::to_lower(task->options().dead_letter_sink) == sql::to_lower(name) &&
        sql::to_lower(n) != sql::to_lower(name)) {
      return n;
    }
  }
  return std::string();
}

void SinkRegistry::close(const std::string& name, bool forget) {
  std::shared_ptr<sink::SinkTask> task = find(name);
  if (task == nullptr) return;
  Status s = task->close();  // flushes what it holds, then closes the connector
  if (!s.ok()) failure_.record(s.with_location("sink '" + task->name() + "'"));
  if (forget) {
    MutexLock lock(mutex_);
    tasks_.erase(task->name());
  }
}

void SinkRegistry::close_all() {
  std::vector<std::shared_ptr<sink::SinkTask>> all = tasks();
  std::stable_partition(all.begin(), all.end(), [](const auto& t) {
    return t->options().on_error == sink::OnError::kDeadLetter;
  });
  for (const auto& task : all) close(task->name(), false);  // keep final metrics
}

Result<SinkMetrics> SinkRegistry::metrics(std::string_view name) const {
  if (auto task = find(std::string(name))) return task->metrics();
  return Status(ErrorCode::kSqlUnknownName, "unknown sink '" + std::string(name) + "'");
}

QueryResult SinkRegistry::show(const sql::Catalog& catalog) const {
  BatchBuilder b(make_schema({{"name", DataType::kVarchar, false},
                              {"input", DataType::kVarchar, false},
                              {"where", DataType::kVarchar, true},
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
  for (const sql::Catalog::Entry* e : catalog.all(sql::ObjectKind::kSink)) {
    std::shared_ptr<sink::SinkTask> task = find(e->name());
    if (task == nullptr) continue;
    const SinkMetrics m = task->metrics();
    const sql::SinkDef& d = *e->sink;
    b.column(0).append_string(m.name);
    b.column(1).append_string(d.input);
    d.where ? b.column(2).append_string(d.where->sql.str()) : b.column(2).append_null();
    b.column(3).append_string(d.connector);
    b.column(4).append_string(m.state);
    b.column(5).append_int64(m.rows);
    b.column(6).append_int64(m.batches);
    b.column(7).append_int64(m.bytes);
    b.column(8).append_int64(m.queue_depth);
    b.column(9).append_int64(m.backpressure_events);
    b.column(10).append_int64(m.dropped_rows);
    b.column(11).append_int64(m.write_errors);
    b.column(12).append_int64(m.retries);
    b.column(13).append_double(static_cast<double>(m.write_p99_ns) / 1000);
    m.last_error.empty() ? b.column(14).append_null() : b.column(14).append_string(m.last_error);
  }
  QueryResult r;
  r.message = "SHOW SINKS";
  r.has_rows = true;
  r.rows = b.finish();
  return r;
}

void SinkRegistry::write_json(JsonWriter& w) const {
  w.key("sinks").begin_object();
  for (const auto& task : tasks()) {
    const SinkMetrics m = task->metrics();
    w.key(task->name()).begin_object();
    w.key("state").value(m.state);
    w.key("rows").value(m.rows);
    w.key("bytes").value(m.bytes);
    w.key("queue_depth").value(m.queue_depth);
    w.key("dropped_rows").value(m.dropped_rows);
    w.key("write_errors").value(m.write_errors);
    for (const auto& [name, value] : m.connector) w.key(name).value(value);
    w.end_object();
  }
  w.end_object();
}

}  // namespace sluice::runtime
