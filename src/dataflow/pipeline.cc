#include "dataflow/pipeline.h"

#include <algorithm>
#include <map>

#include "columnar/row_decoder.h"
#include "columnar/row_encoder.h"
#include "columnar/timestamp.h"
#include "dataflow/aggregate_operator.h"
#include "dataflow/project_operator.h"
#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"
#include "sql/binder.h"
#include "sql/parser.h"

namespace sluice::dataflow {

using sql::Catalog;
using sql::ObjectKind;
using sql::Statement;
using sql::StatementKind;
using sql::to_lower;

// The current rows of a materialized view: a multiset kept from the view's output
// (inserts, and deletes when its query emits a changelog).
struct ViewTable {
  SchemaPtr schema;
  std::map<std::string, std::pair<std::vector<Value>, int64_t>> rows;  // encoded row → (row, count)
  int64_t size = 0;

  static std::string encode(const std::vector<Value>& row) {
    StateWriter w;
    for (const Value& v : row) w.value(v);
    return w.take();
  }
  void apply(const std::vector<Value>& row, bool insert) {
    const std::string key = encode(row);
    auto it = rows.find(key);
    if (insert) {
      if (it == rows.end()) {
        rows.emplace(key, std::make_pair(row, 1));
      } else {
        ++it->second.second;
      }
      ++size;
    } else if (it != rows.end()) {
      if (--it->second.second == 0) rows.erase(it);
      --size;
    }
  }
  RecordBatch to_batch() const {
    BatchBuilder b(schema);
    for (const auto& [key, entry] : rows) {
      for (int64_t n = 0; n < entry.second; ++n) {
        for (size_t c = 0; c < entry.first.size(); ++c) {
          append_value(b.column(static_cast<int>(c)), entry.first[c]);
        }
      }
    }
    return b.finish();
  }
};

struct Pipeline::Node {
  std::string name;
  ObjectKind kind = ObjectKind::kSource;
  std::shared_ptr<const sql::SourceDef> source;
  std::shared_ptr<const sql::QueryDef> query;
  std::shared_ptr<const sql::SinkDef> sink;
  std::unique_ptr<Operator> op;
  std::vector<Node*> downstream;
  int64_t watermark = kNoWatermark;
  int64_t max_event_time = kNoWatermark;
  bool ended = false;
  int64_t rows_in = 0;
  int64_t rows_out = 0;
  // Materialized views: the table, and whether the operator emits a changelog the view
  // applies (then what downstream sees is derived from it).
  std::unique_ptr<ViewTable> table;
  bool view_applies_changelog = false;
  std::vector<uint32_t> selection;  // sinks: reused WHERE selection
};

namespace {

ExecResult message(std::string text) {
  ExecResult r;
  r.message = std::move(text);
  return r;
}

ExecResult table_result(std::string text, RecordBatch rows) {
  ExecResult r;
  r.message = std::move(text);
  r.has_rows = true;
  r.rows = std::move(rows);
  return r;
}

std::string upper_kind(ObjectKind k) {
  return sql::to_upper(sql::object_kind_name(k));
}

Status not_found(std::string_view name, const Catalog& catalog, sql::SourcePos pos) {
  std::string msg = "unknown object '" + std::string(name) + "'";
  const std::string best = catalog.closest(name);
  if (!best.empty()) msg += " (did you mean '" + best + "'?)";
  return Status(ErrorCode::kSqlUnknownName, std::move(msg), pos.to_string());
}

// A one-column VARCHAR batch of lines (EXPLAIN).
RecordBatch lines_batch(const std::string& column, const std::vector<std::string>& lines) {
  BatchBuilder b(make_schema({{column, DataType::kVarchar, false}}));
  for (const std::string& l : lines) b.column(0).append_string(l);
  return b.finish();
}

}  // namespace

Pipeline::Pipeline() = default;
Pipeline::~Pipeline() = default;

Pipeline::Node* Pipeline::node(std::string_view name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : it->second.get();
}

void Pipeline::link(Node* n) {
  std::string input;
  if (n->query) input = n->query->query->input;
  if (n->sink) input = n->sink->input;
  if (input.empty()) return;
  Node* up = node(input);
  up->downstream.push_back(n);
  // A query joining a running pipeline starts at its input's watermark.
  n->watermark = up->watermark;
  if (n->op && up->watermark != kNoWatermark) {
    std::vector<RecordBatch> none;
    n->op->on_watermark(up->watermark, none).ignore();
  }
}

// ---- SQL ---------------------------------------------------------------------------------

Result<ExecResult> Pipeline::execute(std::string_view text) {
  SLC_ASSIGN_OR_RETURN(Statement s, sql::parse_statement(text));
  return execute(s);
}

Result<ExecResult> Pipeline::execute(const Statement& s) {
  switch (s.kind) {
    case StatementKind::kCreateSource:
      return create_source(s);
    case StatementKind::kCreateStream:
    case StatementKind::kCreateView:
      return create_query(s);
    case StatementKind::kCreateSink:
      return create_sink(s);
    case StatementKind::kDrop:
      return drop(s);
    case StatementKind::kShow:
      return show(s);
    case StatementKind::kDescribe:
      return describe(s);
    case StatementKind::kExplain:
      return explain(s);
    case StatementKind::kSelect:
      return select(s);
    case StatementKind::kCheckpoint:
      return Status(ErrorCode::kUnsupported, "CHECKPOINT runs in a database, not a bare pipeline",
                    s.pos.to_string());
  }
  return Status(ErrorCode::kInternal, "unknown statement");
}

Result<ExecResult> Pipeline::create_source(const Statement& s) {
  if (const Catalog::Entry* existing = catalog_.find(s.name)) {
    if (s.if_not_exists && existing->kind == ObjectKind::kSource) {
      return message("CREATE SOURCE " + s.name + " (already exists)");
    }
    return Status(ErrorCode::kSqlDuplicateName,
                  "a " + std::string(sql::object_kind_name(existing->kind)) + " named '" +
                      existing->name() + "' already exists",
                  s.name_pos.to_string());
  }
  SLC_ASSIGN_OR_RETURN(sql::SourceDef def, sql::Binder(catalog_).bind_source(s));
  auto shared = std::make_shared<const sql::SourceDef>(std::move(def));
  catalog_.add(Catalog::Entry{ObjectKind::kSource, shared, nullptr, nullptr});
  auto n = std::make_unique<Node>();
  n->name = shared->name;
  n->kind = ObjectKind::kSource;
  n->source = shared;
  nodes_[n->name] = std::move(n);
  return message("CREATE SOURCE " + s.name);
}

Result<Pipeline::Node*> Pipeline::add_query_node(const std::string& name, ObjectKind kind,
                                                 std::shared_ptr<const sql::BoundQuery> query,
                                                 bool anonymous, const std::string& text) {
  auto def = std::make_shared<sql::QueryDef>();
  def->name = name;
  def->kind = kind;
  def->query = query;
  def->anonymous = anonymous;
  def->sql = text;
  auto n = std::make_unique<Node>();
  n->name = name;
  n->kind = kind;
  n->query = def;
  if (query->aggregate) {
    // A view whose aggregate updates keeps its table from a changelog.
    const bool view_changelog =
        kind == ObjectKind::kView && query->emit == sql::EmitMode::kOnUpdate;
    n->op = std::make_unique<AggregateOperator>(query, view_changelog);
    n->view_applies_changelog =
        kind == ObjectKind::kView && (view_changelog || query->emit == sql::EmitMode::kChanges);
  } else {
    n->op = std::make_unique<ProjectOperator>(query);
  }
  if (kind == ObjectKind::kView) {
    n->table = std::make_unique<ViewTable>();
    std::vector<Field> fields = query->output_schema->fields();
    if (query->emit == sql::EmitMode::kChanges) fields.pop_back();
    n->table->schema = make_schema(std::move(fields));
  }
  catalog_.add(Catalog::Entry{kind, nullptr, def, nullptr});
  Node* raw = n.get();
  nodes_[name] = std::move(n);
  link(raw);
  return raw;
}

Result<ExecResult> Pipeline::create_query(const Statement& s) {
  const ObjectKind kind =
      s.kind == StatementKind::kCreateView ? ObjectKind::kView : ObjectKind::kStream;
  if (const Catalog::Entry* existing = catalog_.find(s.name)) {
    if (s.if_not_exists && existing->kind == kind) {
      return message("CREATE " + upper_kind(kind) + " " + s.name + " (already exists)");
    }
    return Status(ErrorCode::kSqlDuplicateName,
                  "a " + std::string(sql::object_kind_name(existing->kind)) + " named '" +
                      existing->name() + "' already exists",
                  s.name_pos.to_string());
  }
  SLC_ASSIGN_OR_RETURN(sql::BoundQuery q, sql::Binder(catalog_).bind_query(*s.query));
  SLC_ASSIGN_OR_RETURN(
      Node * n, add_query_node(s.name, kind, std::make_shared<const sql::BoundQuery>(std::move(q)),
                               false, s.text));
  (void)n;
  return message("CREATE " + upper_kind(kind) + " " + s.name);
}

Result<ExecResult> Pipeline::create_sink(const Statement& s) {
  if (const Catalog::Entry* existing = catalog_.find(s.name)) {
    if (s.if_not_exists && existing->kind == ObjectKind::kSink) {
      return message("CREATE SINK " + s.name + " (already exists)");
    }
    return Status(ErrorCode::kSqlDuplicateName,
                  "a " + std::string(sql::object_kind_name(existing->kind)) + " named '" +
                      existing->name() + "' already exists",
                  s.name_pos.to_string());
  }
  sql::Binder binder(catalog_);
  std::string input = s.sink_from;
  std::shared_ptr<const sql::BoundQuery> anonymous;
  if (s.query) {
    // CREATE SINK ... AS SELECT: an anonymous stream the sink reads.
    SLC_ASSIGN_OR_RETURN(sql::BoundQuery q, binder.bind_query(*s.query));
    anonymous = std::make_shared<const sql::BoundQuery>(std::move(q));
    input = "_sink_" + s.name;
    // Check the connector and options before creating anything.
    sql::Catalog probe = catalog_;
    auto def = std::make_shared<sql::QueryDef>();
    def->name = input;
    def->query = anonymous;
    probe.add(Catalog::Entry{ObjectKind::kStream, nullptr, def, nullptr});
    SLC_ASSIGN_OR_RETURN(sql::SinkDef checked, sql::Binder(probe).bind_sink(s, input));
    (void)checked;
    SLC_ASSIGN_OR_RETURN(Node * n,
                         add_query_node(input, ObjectKind::kStream, anonymous, true, s.text));
    (void)n;
  }
  auto bound = sql::Binder(catalog_).bind_sink(s, input);
  if (!bound.ok()) {
    if (anonymous) {  // undo the anonymous stream
      Node* anon = node(input);
      for (auto& [name, n] : nodes_) std::erase(n->downstream, anon);
      nodes_.erase(input);
      catalog_.remove(input);
    }
    return bound.status();
  }
  auto def = std::make_shared<const sql::SinkDef>(std::move(bound).value());
  catalog_.add(Catalog::Entry{ObjectKind::kSink, nullptr, nullptr, def});
  auto n = std::make_unique<Node>();
  n->name = def->name;
  n->kind = ObjectKind::kSink;
  n->sink = def;
  Node* raw = n.get();
  nodes_[n->name] = std::move(n);
  link(raw);
  return message("CREATE SINK " + s.name);
}

Result<ExecResult> Pipeline::drop(const Statement& s) {
  const Catalog::Entry* e = catalog_.find(s.name);
  if (e == nullptr || (e->query && e->query->anonymous)) {
    if (s.if_exists)
      return message("DROP " + upper_kind(s.object) + " " + s.name + " (did not exist)");
    return not_found(s.name, catalog_, s.name_pos);
  }
  if (e->kind != s.object) {
    return Status(ErrorCode::kSqlUnknownName,
                  "'" + e->name() + "' is a " + sql::object_kind_name(e->kind) + ", not a " +
                      sql::object_kind_name(s.object),
                  s.name_pos.to_string());
  }
  std::vector<std::string> dependents;
  for (const Catalog::Entry* d : catalog_.dependents(e->name())) {
    dependents.push_back(std::string(sql::object_kind_name(d->kind)) + " '" + d->name() + "'");
  }
  if (!dependents.empty()) {
    std::string list;
    for (size_t i = 0; i < dependents.size(); ++i) list += (i ? ", " : "") + dependents[i];
    return Status(ErrorCode::kSqlHasDependents,
                  "cannot drop " + std::string(sql::object_kind_name(e->kind)) + " '" + e->name() +
                      "': " + list + " depend" + (dependents.size() == 1 ? "s" : "") +
                      " on it; drop " + (dependents.size() == 1 ? "it" : "them") + " first",
                  s.name_pos.to_string());
  }
  const std::string name = e->name();
  std::string anonymous_input;
  if (e->sink && catalog_.find(e->sink->input) && catalog_.find(e->sink->input)->query &&
      catalog_.find(e->sink->input)->query->anonymous) {
    anonymous_input = e->sink->input;
  }
  for (const std::string& victim : {name, anonymous_input}) {
    if (victim.empty()) continue;
    Node* n = node(victim);
    for (auto& [key, other] : nodes_) std::erase(other->downstream, n);
    nodes_.erase(victim);
    catalog_.remove(victim);
  }
  return message("DROP " + upper_kind(s.object) + " " + name);
}

Result<ExecResult> Pipeline::show(const Statement& s) const {
  const std::string& what = s.show_what;
  if (what == "SOURCES") {
    BatchBuilder b(make_schema({{"name", DataType::kVarchar, false},
                                {"columns", DataType::kVarchar, false},
                                {"watermark", DataType::kVarchar, true},
                                {"connector", DataType::kVarchar, false}}));
    for (const Catalog::Entry* e : catalog_.all(ObjectKind::kSource)) {
      const sql::SourceDef& d = *e->source;
      b.column(0).append_string(d.name);
      b.column(1).append_string(d.schema->to_string());
      if (d.watermark_column >= 0) {
        std::string wm = d.schema->field(d.watermark_column).name;
        if (d.watermark_delay) {
          wm += " - ";
          append_interval(d.watermark_delay, wm);
        }
        b.column(2).append_string(wm);
      } else {
        b.column(2).append_null();
      }
      b.column(3).append_string(d.connector.empty() ? "push" : d.connector);
    }
    return table_result("SHOW SOURCES", b.finish());
  }
  if (what == "STREAMS" || what == "MATERIALIZED VIEWS") {
    const ObjectKind kind = what == "STREAMS" ? ObjectKind::kStream : ObjectKind::kView;
    std::vector<Field> fields = {{"name", DataType::kVarchar, false},
                                 {"input", DataType::kVarchar, false},
                                 {"emit", DataType::kVarchar, false},
                                 {"query", DataType::kVarchar, false}};
    if (kind == ObjectKind::kView) fields.push_back({"rows", DataType::kInt64, false});
    BatchBuilder b(make_schema(fields));
    for (const Catalog::Entry* e : catalog_.all(kind)) {
      if (e->query->anonymous) continue;
      const sql::BoundQuery& q = *e->query->query;
      b.column(0).append_string(e->name());
      b.column(1).append_string(q.input);
      const char* emit = q.emit == sql::EmitMode::kOnWindowClose ? "ON WINDOW CLOSE"
                         : q.emit == sql::EmitMode::kChanges     ? "CHANGES"
                         : q.aggregate                           ? "ON UPDATE"
                                                                 : "APPEND";
      b.column(2).append_string(emit);
      b.column(3).append_string(q.sql);
      if (kind == ObjectKind::kView) b.column(4).append_int64(node(e->name())->table->size);
    }
    return table_result("SHOW " + what, b.finish());
  }
  if (what == "SINKS") {
    BatchBuilder b(make_schema({{"name", DataType::kVarchar, false},
                                {"input", DataType::kVarchar, false},
                                {"where", DataType::kVarchar, true},
                                {"connector", DataType::kVarchar, false},
                                {"rows", DataType::kInt64, false}}));
    for (const Catalog::Entry* e : catalog_.all(ObjectKind::kSink)) {
      const sql::SinkDef& d = *e->sink;
      b.column(0).append_string(d.name);
      b.column(1).append_string(d.input);
      d.where ? b.column(2).append_string(d.where->sql) : b.column(2).append_null();
      b.column(3).append_string(d.connector);
      b.column(4).append_int64(node(d.name)->rows_out);
    }
    return table_result("SHOW SINKS", b.finish());
  }
  // PIPELINE: every node with what it reads and what reads it.
  BatchBuilder b(make_schema({{"name", DataType::kVarchar, false},
                              {"kind", DataType::kVarchar, false},
                              {"input", DataType::kVarchar, true},
                              {"outputs", DataType::kVarchar, false},
                              {"rows_in", DataType::kInt64, false},
                              {"rows_out", DataType::kInt64, false}}));
  for (const Catalog::Entry* e : catalog_.all()) {
    const Node* n = node(e->name());
    b.column(0).append_string(n->name);
    b.column(1).append_string(sql::object_kind_name(n->kind));
    const std::string input = e->input();
    input.empty() ? b.column(2).append_null() : b.column(2).append_string(input);
    std::string outs;
    for (const Node* d : n->downstream) outs += (outs.empty() ? "" : ", ") + d->name;
    b.column(3).append_string(outs);
    b.column(4).append_int64(n->rows_in);
    b.column(5).append_int64(n->rows_out);
  }
  return table_result("SHOW PIPELINE", b.finish());
}

Result<ExecResult> Pipeline::describe(const Statement& s) const {
  const Catalog::Entry* e = catalog_.find(s.name);
  if (e == nullptr) return not_found(s.name, catalog_, s.name_pos);
  SchemaPtr schema = e->schema();
  if (!schema) schema = catalog_.find(e->input())->schema();  // a sink: what it receives
  BatchBuilder b(make_schema({{"column", DataType::kVarchar, false},
                              {"type", DataType::kVarchar, false},
                              {"nullable", DataType::kBoolean, false}}));
  for (const Field& f : schema->fields()) {
    b.column(0).append_string(f.name);
    b.column(1).append_string(type_name(f.type));
    b.column(2).append_bool(f.nullable);
  }
  return table_result("DESCRIBE " + upper_kind(e->kind) + " " + e->name(), b.finish());
}

std::string Pipeline::node_line(const Node& n) const {
  std::string line = std::string(sql::object_kind_name(n.kind)) + " " + n.name;
  if (n.source) {
    line += " (" + n.source->schema->to_string() + ")";
    if (n.source->watermark_column >= 0) {
      line += " watermark " + n.source->schema->field(n.source->watermark_column).name;
      if (n.source->watermark_delay) {
        line += " - ";
        append_interval(n.source->watermark_delay, line);
      }
    }
    line += n.source->connector.empty() ? " [push]" : " [" + n.source->connector + "]";
  } else if (n.op) {
    line += ": " + n.op->describe();
  } else if (n.sink) {
    if (n.sink->where) line += ": filter " + n.sink->where->sql + " →";
    line += " " + n.sink->connector + "(";
    bool first = true;
    for (const auto& [k, v] : n.sink->options) {
      line += (first ? "" : ", ") + k + "=" + v;
      first = false;
    }
    line += ")";
  }
  return line;
}

void Pipeline::explain_lines(const Node& n, const std::string& indent,
                             std::vector<std::string>& out) const {
  for (size_t i = 0; i < n.downstream.size(); ++i) {
    const bool last = i + 1 == n.downstream.size();
    out.push_back(indent + (last ? "└─ " : "├─ ") + node_line(*n.downstream[i]));
    explain_lines(*n.downstream[i], indent + (last ? "   " : "│  "), out);
  }
}

Result<ExecResult> Pipeline::explain(const Statement& s) {
  std::vector<std::string> lines;
  if (s.query) {
    // EXPLAIN SELECT: bind and show the operator it would run, over its input chain.
    SLC_ASSIGN_OR_RETURN(sql::BoundQuery q, sql::Binder(catalog_).bind_query(*s.query));
    auto shared = std::make_shared<const sql::BoundQuery>(std::move(q));
    std::unique_ptr<Operator> op;
    if (shared->aggregate) {
      op = std::make_unique<AggregateOperator>(shared, false);
    } else {
      op = std::make_unique<ProjectOperator>(shared);
    }
    std::vector<const Node*> chain;
    for (const Node* n = node(shared->input); n;) {
      chain.insert(chain.begin(), n);
      std::string in = n->query ? n->query->query->input : "";
      n = in.empty() ? nullptr : node(in);
    }
    for (size_t i = 0; i < chain.size(); ++i) {
      lines.push_back(std::string(3 * i, ' ') + (i ? "└─ " : "") + node_line(*chain[i]));
    }
    lines.push_back(std::string(3 * chain.size(), ' ') + "└─ query: " + op->describe());
    return table_result("EXPLAIN", lines_batch("plan", lines));
  }
  const Node* target = node(s.name);
  if (target == nullptr) return not_found(s.name, catalog_, s.name_pos);
  // The chain from the sources down to the object, then everything downstream of it.
  std::vector<const Node*> chain;
  for (const Node* n = target; n;) {
    chain.insert(chain.begin(), n);
    std::string in;
    if (n->query) in = n->query->query->input;
    if (n->sink) in = n->sink->input;
    n = in.empty() ? nullptr : node(in);
  }
  for (size_t i = 0; i < chain.size(); ++i) {
    lines.push_back(std::string(3 * i, ' ') + (i ? "└─ " : "") + node_line(*chain[i]));
  }
  explain_lines(*target, std::string(3 * chain.size(), ' '), lines);
  return table_result("EXPLAIN", lines_batch("plan", lines));
}

Result<ExecResult> Pipeline::select(const Statement& s) {
  const Catalog::Entry* e = catalog_.find(s.query->from);
  if (e == nullptr) return not_found(s.query->from, catalog_, s.query->from_pos);
  if (e->kind != ObjectKind::kView) {
    return Status(ErrorCode::kSqlInvalidQuery,
                  "an ad-hoc SELECT reads a materialized view; '" + e->name() + "' is a " +
                      sql::object_kind_name(e->kind) +
                      " (subscribe to it, or CREATE MATERIALIZED VIEW ... AS SELECT ... FROM " +
                      e->name() + ")",
                  s.query->from_pos.to_string());
  }
  const ViewTable& table = *node(e->name())->table;
  // The view's current rows are a bounded input: bind against them as a finite source.
  Catalog snapshot;
  auto def = std::make_shared<sql::SourceDef>();
  def->name = e->name();
  def->schema = table.schema;
  def->bounded = true;
  snapshot.add(Catalog::Entry{ObjectKind::kSource, def, nullptr, nullptr});
  SLC_ASSIGN_OR_RETURN(sql::BoundQuery q, sql::Binder(snapshot).bind_query(*s.query));
  auto query = std::make_shared<const sql::BoundQuery>(std::move(q));
  std::unique_ptr<Operator> op;
  if (query->aggregate) {
    op = std::make_unique<AggregateOperator>(query, false);
  } else {
    op = std::make_unique<ProjectOperator>(query);
  }
  std::vector<RecordBatch> out;
  SLC_RETURN_IF_ERROR(op->process(table.to_batch(), out));
  SLC_RETURN_IF_ERROR(op->on_watermark(kFinalWatermark, out));
  RecordBatch rows = RecordBatch::empty(query->output_schema);
  if (!out.empty()) {
    SLC_ASSIGN_OR_RETURN(rows, RecordBatch::concat(out));
  }
  return table_result("SELECT " + std::to_string(rows.num_rows()), std::move(rows));
}

// ---- data --------------------------------------------------------------------------------

Status Pipeline::push(std::string_view source, const RecordBatch& batch) {
  Node* n = node(source);
  if (n == nullptr || n->kind != ObjectKind::kSource) {
    return Status(ErrorCode::kSqlUnknownName, "unknown source '" + std::string(source) + "'");
  }
  const Schema& schema = *n->source->schema;
  if (!batch.schema() || batch.num_columns() != schema.num_fields()) {
    return Status(ErrorCode::kSchemaMismatch,
                  "source '" + n->name + "' expects (" + schema.to_string() + "), got (" +
                      (batch.schema() ? batch.schema()->to_string() : "") + ")");
  }
  for (int c = 0; c < schema.num_fields(); ++c) {
    const Field& f = schema.field(c);
    if (batch.column(c).type() != f.type) {
      return Status(ErrorCode::kSchemaMismatch, "column '" + f.name + "' of source '" + n->name +
                                                    "' is " + std::string(type_name(f.type)) +
                                                    ", the batch has " +
                                                    std::string(type_name(batch.column(c).type())));
    }
    if (!f.nullable && batch.column(c).null_count() > 0) {
      return Status(ErrorCode::kMissingValue, "column '" + f.name + "' of source '" + n->name +
                                                  "' is NOT NULL but the batch has NULLs");
    }
  }
  if (n->ended) {
    return Status(ErrorCode::kClosed, "source '" + n->name + "' has ended; it takes no more rows");
  }
  if (batch.num_rows() == 0) return Status::Ok();
  n->rows_in += batch.num_rows();
  n->rows_out += batch.num_rows();
  if (listener_) listener_(n->name, ObjectKind::kSource, batch);
  for (Node* d : n->downstream) SLC_RETURN_IF_ERROR(feed(*d, batch));
  // The watermark follows the largest event time seen.
  if (n->source->watermark_column >= 0) {
    const Column& time = batch.column(n->source->watermark_column);
    int64_t max = n->max_event_time;
    for (int64_t r = 0; r < time.length(); ++r) {
      if (!time.is_null(r)) max = std::max(max, time.int64_value(r));
    }
    n->max_event_time = max;
    if (max != kNoWatermark) SLC_RETURN_IF_ERROR(advance(*n, max - n->source->watermark_delay));
  }
  return Status::Ok();
}

Status Pipeline::push_json(std::string_view source, std::string_view lines) {
  Node* n = node(source);
  if (n == nullptr || n->kind != ObjectKind::kSource) {
    return Status(ErrorCode::kSqlUnknownName, "unknown source '" + std::string(source) + "'");
  }
  SLC_ASSIGN_OR_RETURN(RecordBatch batch, decode_json_lines(n->source->schema, lines));
  return push(source, batch);
}

Status Pipeline::advance_watermark(std::string_view source, int64_t watermark) {
  Node* n = node(source);
  if (n == nullptr || n->kind != ObjectKind::kSource) {
    return Status(ErrorCode::kSqlUnknownName, "unknown source '" + std::string(source) + "'");
  }
  return advance(*n, watermark);
}

Status Pipeline::end_input(std::string_view source) {
  Node* n = node(source);
  if (n == nullptr || n->kind != ObjectKind::kSource) {
    return Status(ErrorCode::kSqlUnknownName, "unknown source '" + std::string(source) + "'");
  }
  n->ended = true;
  return advance(*n, kFinalWatermark);
}

Status Pipeline::end_all_inputs() {
  for (const Catalog::Entry* e : catalog_.all(ObjectKind::kSource)) {
    SLC_RETURN_IF_ERROR(end_input(e->name()));
  }
  return Status::Ok();
}

Status Pipeline::feed(Node& n, const RecordBatch& batch) {
  n.rows_in += batch.num_rows();
  if (n.sink) {
    SLC_ASSIGN_OR_RETURN(RecordBatch kept, filter_batch(n.sink->where, batch, n.selection));
    if (kept.num_rows() == 0) return Status::Ok();  // nothing to send
    n.rows_out += kept.num_rows();
    if (listener_) listener_(n.name, ObjectKind::kSink, kept);
    return Status::Ok();
  }
  std::vector<RecordBatch> out;
  Status s = n.op->process(batch, out);
  if (!s.ok())
    return s.with_location(std::string(sql::object_kind_name(n.kind)) + " '" + n.name + "'");
  for (const RecordBatch& b : out) SLC_RETURN_IF_ERROR(publish(n, b));
  return Status::Ok();
}

Status Pipeline::publish(Node& n, const RecordBatch& batch) {
  RecordBatch visible = batch;
  if (n.table) {
    const int ncols = n.table->schema->num_fields();
    const bool changelog = n.view_applies_changelog;
    std::vector<Value> row(static_cast<size_t>(ncols));
    std::vector<uint32_t> inserts;
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      for (int c = 0; c < ncols; ++c)
        row[static_cast<size_t>(c)] = Value::from_column(batch.column(c), r);
      const bool insert = !changelog || batch.column(ncols).string_value(r) == "insert";
      n.table->apply(row, insert);
      if (insert) inserts.push_back(static_cast<uint32_t>(r));
    }
    // A view declared ON UPDATE shows downstream its new rows, without the changelog.
    if (changelog && n.query->query->emit == sql::EmitMode::kOnUpdate) {
      std::vector<Column> columns(batch.columns().begin(), batch.columns().begin() + ncols);
      SLC_ASSIGN_OR_RETURN(RecordBatch plain,
                           RecordBatch::make(n.table->schema, std::move(columns)));
      visible = plain.take(inserts);
      if (visible.num_rows() == 0) return Status::Ok();
    }
  }
  n.rows_out += visible.num_rows();
  if (listener_) listener_(n.name, n.kind, visible);
  for (Node* d : n.downstream) SLC_RETURN_IF_ERROR(feed(*d, visible));
  return Status::Ok();
}

Status Pipeline::advance(Node& n, int64_t watermark) {
  if (watermark <= n.watermark) return Status::Ok();
  n.watermark = watermark;
  for (Node* d : n.downstream) {
    if (!d->op) {
      d->watermark = watermark;
      continue;
    }
    std::vector<RecordBatch> out;
    Status s = d->op->on_watermark(watermark, out);
    if (!s.ok())
      return s.with_location(std::string(sql::object_kind_name(d->kind)) + " '" + d->name + "'");
    for (const RecordBatch& b : out) SLC_RETURN_IF_ERROR(publish(*d, b));
    SLC_RETURN_IF_ERROR(advance(*d, watermark));
  }
  return Status::Ok();
}

void Pipeline::snapshot(StateWriter& w) const {
  w.i64(static_cast<int64_t>(nodes_.size()));
  for (const auto& [name, n] : nodes_) {
    w.str(n->name);
    w.u8(static_cast<uint8_t>(n->kind));
    w.i64(n->watermark);
    w.i64(n->max_event_time);
    w.u8(n->ended);
    w.i64(n->rows_in);
    w.i64(n->rows_out);
    StateWriter op;
    if (n->op) n->op->snapshot(op);
    w.str(op.bytes());
    w.i64(n->table ? static_cast<int64_t>(n->table->rows.size()) : -1);
    if (n->table) {
      for (const auto& [key, entry] : n->table->rows) {
        w.i64(entry.second);
        w.i64(static_cast<int64_t>(entry.first.size()));
        for (const Value& v : entry.first) w.value(v);
      }
    }
  }
}

Status Pipeline::restore(StateReader& r) {
  int64_t count;
  SLC_RETURN_IF_ERROR(r.i64(count));
  if (count != static_cast<int64_t>(nodes_.size())) {
    return Status(ErrorCode::kSchemaMismatch,
                  "the checkpoint has " + std::to_string(count) + " objects, the pipeline " +
                      std::to_string(nodes_.size()) + ": it was declared differently");
  }
  for (int64_t i = 0; i < count; ++i) {
    std::string name, op_state;
    uint8_t kind, ended;
    int64_t watermark, max_event_time, rows_in, rows_out, table_rows;
    SLC_RETURN_IF_ERROR(r.str(name));
    SLC_RETURN_IF_ERROR(r.u8(kind));
    SLC_RETURN_IF_ERROR(r.i64(watermark));
    SLC_RETURN_IF_ERROR(r.i64(max_event_time));
    SLC_RETURN_IF_ERROR(r.u8(ended));
    SLC_RETURN_IF_ERROR(r.i64(rows_in));
    SLC_RETURN_IF_ERROR(r.i64(rows_out));
    SLC_RETURN_IF_ERROR(r.str(op_state));
    Node* n = node(name);
    if (n == nullptr || static_cast<uint8_t>(n->kind) != kind) {
      return Status(
          ErrorCode::kSchemaMismatch,
          "the checkpoint has " + name + " but the pipeline has no such object of that kind");
    }
    n->watermark = watermark;
    n->max_event_time = max_event_time;
    n->ended = ended != 0;
    n->rows_in = rows_in;
    n->rows_out = rows_out;
    if (n->op) {
      StateReader op(op_state);
      Status s = n->op->restore(op);
      if (!s.ok())
        return s.with_location(std::string(sql::object_kind_name(n->kind)) + " '" + name + "'");
    }
    SLC_RETURN_IF_ERROR(r.i64(table_rows));
    if ((table_rows >= 0) != (n->table != nullptr)) {
      return Status(ErrorCode::kSchemaMismatch,
                    "the checkpoint's view table of " + name + " does not match");
    }
    if (n->table) {
      n->table->rows.clear();
      n->table->size = 0;
      for (int64_t t = 0; t < table_rows; ++t) {
        int64_t copies, width;
        SLC_RETURN_IF_ERROR(r.i64(copies));
        SLC_RETURN_IF_ERROR(r.i64(width));
        if (width < 0 || width > 100000)
          return Status(ErrorCode::kInternal, "damaged view table in checkpoint");
        std::vector<Value> row(static_cast<size_t>(width));
        for (Value& v : row) SLC_RETURN_IF_ERROR(r.value(v));
        for (int64_t c = 0; c < copies; ++c) n->table->apply(row, true);
      }
    }
  }
  if (!r.done())
    return Status(ErrorCode::kInternal, "the checkpoint's pipeline state has trailing bytes");
  return Status::Ok();
}

Result<OperatorStats> Pipeline::stats(std::string_view name) const {
  const Node* n = node(name);
  if (n == nullptr)
    return Status(ErrorCode::kSqlUnknownName, "unknown object '" + std::string(name) + "'");
  OperatorStats s = n->op ? n->op->stats() : OperatorStats{};
  s.rows_in = n->rows_in;
  s.rows_out = n->rows_out;
  return s;
}

int64_t Pipeline::watermark(std::string_view name) const {
  const Node* n = node(name);
  return n ? n->watermark : kNoWatermark;
}

std::string Pipeline::graph_json() const {
  std::string out = "{\"nodes\":[";
  bool first = true;
  for (const Catalog::Entry* e : catalog_.all()) {
    const Node* n = node(e->name());
    out += first ? "{" : ",{";
    first = false;
    out += "\"name\":";
    append_json_string(n->name, out);
    out += ",\"kind\":";
    append_json_string(sql::object_kind_name(n->kind), out);
    out += ",\"input\":";
    const std::string input = e->input();
    if (input.empty()) {
      out += "null";
    } else {
      append_json_string(input, out);
    }
    out += ",\"outputs\":[";
    for (size_t i = 0; i < n->downstream.size(); ++i) {
      if (i) out += ",";
      append_json_string(n->downstream[i]->name, out);
    }
    out += "],\"plan\":";
    append_json_string(node_line(*n), out);
    out += ",\"rows_in\":" + std::to_string(n->rows_in) +
           ",\"rows_out\":" + std::to_string(n->rows_out) + "}";
  }
  return out + "]}";
}

}  // namespace sluice::dataflow
