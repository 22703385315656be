#include "dataflow/introspection.h"

#include "columnar/timestamp.h"
#include "dataflow/adhoc_result.h"
#include "dataflow/ddl.h"
#include "dataflow/join_node.h"
#include "dataflow/view_node.h"
#include "sluice/batch_builder.h"
#include "sluice/column_builder.h"
#include "sql/binder.h"

namespace sluice::dataflow {

using sql::Catalog;
using sql::ObjectKind;
using sql::Statement;

namespace {

QueryResult table_result(std::string text, RecordBatch rows) {
  QueryResult r;
  r.message = std::move(text);
  r.has_rows = true;
  r.rows = std::move(rows);
  return r;
}

// "a, b": what a node reads (empty for a source).
std::string input_list(const Node& n) {
  std::string out;
  for (const std::string& in : n.inputs()) out += (out.empty() ? "" : ", ") + in;
  return out;
}

// A one-column VARCHAR batch of lines (EXPLAIN).
RecordBatch lines_batch(const std::string& column, const std::vector<std::string>& lines) {
  BatchBuilder b(make_schema({{column, DataType::kVarchar, false}}));
  for (const std::string& l : lines) b.column(0).append_string(l);
  return b.finish();
}

}  // namespace

Result<QueryResult> Introspection::show(const Statement& s) const {
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
      const bool append_only = q.emit == sql::EmitMode::kOnUpdate && !q.aggregate;
      b.column(2).append_string(append_only ? "APPEND" : sql::emit_mode_name(q.emit));
      b.column(3).append_string(q.sql);
      if (kind == ObjectKind::kView) {
        b.column(4).append_int64(
            static_cast<const ViewNode*>(graph_.find(e->name()))->table().size());
      }
    }
    return table_result("SHOW " + what, b.finish());
  }
  // PIPELINE: every node with what it reads and what reads it; an object's steps (joins,
  // unions, subqueries) are listed just before it.
  BatchBuilder b(make_schema({{"name", DataType::kVarchar, false},
                              {"kind", DataType::kVarchar, false},
                              {"input", DataType::kVarchar, true},
                              {"outputs", DataType::kVarchar, false},
                              {"rows_in", DataType::kInt64, false},
                              {"rows_out", DataType::kInt64, false},
                              {"state_groups", DataType::kInt64, false},
                              {"state_bytes", DataType::kInt64, false},
                              {"table_rows", DataType::kInt64, true},
                              {"late_rows", DataType::kInt64, false},
                              {"unmatched_deletes", DataType::kInt64, false}}));
  for (const Node* n : listed_nodes()) {
    b.column(0).append_string(n->name());
    b.column(1).append_string(n->kind_label());
    const std::string input = input_list(*n);
    input.empty() ? b.column(2).append_null() : b.column(2).append_string(input);
    std::string outs;
    for (const Node::Link& d : n->downstream()) {
      outs += (outs.empty() ? "" : ", ") + d.node->name();
    }
    b.column(3).append_string(outs);
    b.column(4).append_int64(n->rows_in());
    b.column(5).append_int64(n->rows_out());
    const StateStats op = n->operator_state();
    const StateStats table = n->table_state();
    b.column(6).append_int64(op.groups);
    b.column(7).append_int64(op.bytes + table.bytes);
    n->has_table() ? b.column(8).append_int64(table.groups) : b.column(8).append_null();
    const OperatorStats stats = n->stats();
    b.column(9).append_int64(stats.late_rows_dropped);
    b.column(10).append_int64(stats.unmatched_deletes);
  }
  return table_result("SHOW PIPELINE", b.finish());
}

std::vector<const Node*> Introspection::listed_nodes() const {
  std::vector<const Node*> out;
  for (const Catalog::Entry* e : catalog_.all()) {
    for (const Node* step : graph_.steps_of(e->name())) out.push_back(step);
    out.push_back(graph_.find(e->name()));
  }
  return out;
}

Result<QueryResult> Introspection::describe(const Statement& s) const {
  const Catalog::Entry* e = catalog_.find(s.name);
  if (e == nullptr) return unknown_object(s.name, catalog_, s.name_pos);
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
  return table_result("DESCRIBE " + sql::to_upper(sql::object_kind_name(e->kind)) + " " + e->name(),
                      b.finish());
}

std::string Introspection::node_line(const Node& n) const {
  return std::string(n.kind_label()) + " " + n.name() + n.describe();
}

void Introspection::explain_below(const Node& n, const std::string& indent,
                                  std::vector<std::string>& out) const {
  // A node reading this one on two ports (a self-join) is shown once.
  std::vector<const Node*> down;
  for (const Node::Link& d : n.downstream()) {
    if (std::find(down.begin(), down.end(), d.node) == down.end()) down.push_back(d.node);
  }
  for (size_t i = 0; i < down.size(); ++i) {
    const bool last = i + 1 == down.size();
    out.push_back(indent + (last ? "└─ " : "├─ ") + node_line(*down[i]));
    explain_below(*down[i], indent + (last ? "   " : "│  "), out);
  }
}

size_t Introspection::explain_chain(const Node* node, std::vector<std::string>& out) const {
  // Up through nodes of one input, to a source or to a node with several inputs.
  std::vector<const Node*> chain;
  for (const Node* n = node; n != nullptr;) {
    chain.insert(chain.begin(), n);
    const std::vector<std::string> in = n->inputs();
    n = in.size() == 1 ? graph_.find(in[0]) : nullptr;
  }
  // A node with several inputs: each input's chain first (once each), then a new block.
  std::vector<std::string> seen;
  for (const std::string& in : chain.front()->inputs()) {
    if (std::find(seen.begin(), seen.end(), in) != seen.end()) continue;
    seen.push_back(in);
    explain_chain(graph_.find(in), out);
  }
  for (size_t i = 0; i < chain.size(); ++i) {
    out.push_back(std::string(3 * i, ' ') + (i ? "└─ " : "") + node_line(*chain[i]));
  }
  return chain.size();
}

void Introspection::explain_steps(const std::vector<sql::PlanStep>& steps,
                                  std::vector<std::string>& lines) const {
  for (const sql::PlanStep& step : steps) {
    std::string inputs;
    for (const std::string& in : step.inputs) inputs += (inputs.empty() ? "" : ", ") + in;
    switch (step.kind) {
      case sql::PlanStep::Kind::kJoin:
        lines.push_back("join " + step.name + ": " + describe_join(*step.join, step.inputs));
        break;
      case sql::PlanStep::Kind::kUnion:
        lines.push_back("union " + step.name + ": union all of " + inputs);
        break;
      case sql::PlanStep::Kind::kQuery:
        lines.push_back("subquery " + step.name + " of " + inputs + ": " +
                        make_operator(step.query)->describe());
        break;
    }
  }
}

Result<QueryResult> Introspection::explain(const Statement& s) const {
  std::vector<std::string> lines;
  if (s.query && reads_a_stream(*s.query, catalog_)) {
    // EXPLAIN SELECT of a source or stream: a continuous query's SELECT, which runs only as
    // CREATE … AS it; shown as that would run it, over its input chain (a FROM of several
    // objects: the steps it would make after their inputs' chains).
    lines.push_back(
        "a continuous query: what CREATE STREAM, MATERIALIZED VIEW or SINK … AS this "
        "SELECT would run (a SELECT alone reads materialized views only)");
    SLC_ASSIGN_OR_RETURN(sql::BoundQuery q, sql::Binder(catalog_).bind_query(*s.query));
    auto shared = std::make_shared<const sql::BoundQuery>(std::move(q));
    size_t depth = 0;
    if (shared->steps.empty()) {
      depth = explain_chain(graph_.find(shared->input), lines);
    } else {
      std::vector<std::string> seen;
      for (const sql::PlanStep& step : shared->steps) {
        for (const std::string& in : step.inputs) {
          const Node* n = graph_.find(in);
          if (n == nullptr || std::find(seen.begin(), seen.end(), in) != seen.end()) continue;
          seen.push_back(in);
          explain_chain(n, lines);
        }
      }
      explain_steps(shared->steps, lines);
      depth = 1;
    }
    lines.push_back(std::string(3 * depth, ' ') + "└─ query: " + make_operator(shared)->describe());
    return table_result("EXPLAIN", lines_batch("plan", lines));
  }
  if (s.query) {
    // EXPLAIN SELECT: what the ad-hoc SELECT would run, bound as it binds it (the same
    // refusals): each view it reads, as its current rows, then the steps it would make, its
    // query and the finishing steps over the whole result.
    SLC_ASSIGN_OR_RETURN(AdhocPlan plan, bind_adhoc_select(*s.query, catalog_, graph_));
    for (const std::string& view : plan.views) {
      const int64_t rows = static_cast<const ViewNode*>(graph_.find(view))->table().size();
      lines.push_back("materialized view " + view + ": its current rows (" + std::to_string(rows) +
                      " now), read once");
    }
    explain_steps(plan.query->steps, lines);
    lines.push_back("   └─ query: " + make_operator(plan.query)->describe());
    const std::string finish = describe_adhoc_finish(*plan.query);
    if (!finish.empty()) lines.push_back("      └─ then: " + finish);
    return table_result("EXPLAIN", lines_batch("plan", lines));
  }
  const Node* target = graph_.find(s.name);
  if (target == nullptr) return unknown_object(s.name, catalog_, s.name_pos);
  // The chain from the sources down to the object, then everything downstream of it.
  const size_t depth = explain_chain(target, lines);
  explain_below(*target, std::string(3 * depth, ' '), lines);
  return table_result("EXPLAIN", lines_batch("plan", lines));
}

Result<QueryResult> Introspection::select(const Statement& s,
                                          const AdhocStateCheck& check_state) const {
  SLC_ASSIGN_OR_RETURN(RecordBatch rows, run_adhoc_select(*s.query, catalog_, graph_, check_state));
  std::string tag = "SELECT " + std::to_string(rows.num_rows());  // before rows is moved
  return table_result(std::move(tag), std::move(rows));
}

void Introspection::write_nodes(JsonWriter& w) const {
  w.key("nodes").begin_array();
  for (const Node* n : listed_nodes()) {
    w.begin_object();
    w.key("name").value(n->name());
    w.key("kind").value(n->kind_label());
    const std::string input = input_list(*n);
    w.key("input");
    input.empty() ? w.null() : w.value(input);
    w.key("outputs").begin_array();
    for (const Node::Link& d : n->downstream()) w.value(d.node->name());
    w.end_array();
    w.key("plan").value(node_line(*n));
    w.key("step_of");
    n->step_of().empty() ? w.null() : w.value(n->step_of());
    w.key("rows_in").value(n->rows_in());
    w.key("rows_out").value(n->rows_out());
    const OperatorStats stats = n->stats();
    w.key("late_rows").value(stats.late_rows_dropped);
    // Deletes of an input's changelog that matched nothing held (OperatorStats).
    w.key("unmatched_deletes").value(stats.unmatched_deletes);
    // No rows for idle.timeout: left out of the watermark of joins and unions below.
    w.key("idle").value(n->idle());
    // What the node holds: its operator's live groups (a join's: rows kept on both sides),
    // the bytes of its operator state and view table, and the table's distinct rows (null:
    // no table).
    const StateStats op = n->operator_state();
    const StateStats table = n->table_state();
    w.key("state_groups").value(op.groups);
    w.key("state_bytes").value(op.bytes + table.bytes);
    w.key("table_rows");
    n->has_table() ? w.value(table.groups) : w.null();
    w.end_object();
  }
  w.end_array();
}

}  // namespace sluice::dataflow
