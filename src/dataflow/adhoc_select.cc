#include "dataflow/adhoc_select.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "dataflow/adhoc_result.h"
#include "dataflow/aggregate_operator.h"
#include "dataflow/processing_clock.h"
#include "dataflow/view_node.h"
#include "sql/binder.h"
#include "sql/join_change_column.h"

namespace sluice::dataflow {

using sql::Catalog;
using sql::FromItem;
using sql::ObjectKind;
using sql::SelectStmt;

namespace {

// View rows pushed per batch: the budget is checked between batches, so a join's state and
// result grow by at most one batch's worth past it before the SELECT fails. Large, because an
// aggregate emits its groups' changes per batch: with 4,096 rows a GROUP BY over a 500 K-row
// view took 2-3x as long as in one batch; with 65,536 about as long.
constexpr int64_t kRowsPerBatch = 65536;

// The object the statement's steps and query node are named after ("select$1", …): no view
// can be called so (SELECT is a reserved word).
constexpr const char* kObject = "select";

Status refuse(ErrorCode code, sql::SourcePos at, std::string message) {
  return Status(code, std::move(message), at.to_string());
}

// Refuses, where it is written, what an ad-hoc SELECT cannot read: anything but a materialized
// view (or a WITH name in scope), and the joins whose meaning needs time to pass.
class ReadCheck {
 public:
  // `streams_only`: looks only for a source or stream read (the first refused), passing over the
  // joins an ad-hoc SELECT refuses.
  explicit ReadCheck(const Catalog& catalog, bool streams_only = false)
      : catalog_(catalog), streams_only_(streams_only) {}

  Status select(const SelectStmt& s) {
    const size_t outer = with_.size();
    for (const sql::CommonTableExpr& cte : s.with) {
      SLC_RETURN_IF_ERROR(select(*cte.query));  // sees the WITH items before it
      with_.push_back(sql::to_lower(cte.name));
    }
    Status st = from(*s.from);
    for (size_t b = 0; st.ok() && b < s.union_all.size(); ++b) st = select(*s.union_all[b]);
    with_.resize(outer);
    return st;
  }

 private:
  Status from(const FromItem& item) {
    switch (item.kind) {
      case FromItem::Kind::kSubquery:
        return select(*item.subquery);
      case FromItem::Kind::kJoin:
        if (!streams_only_) SLC_RETURN_IF_ERROR(join(item));
        SLC_RETURN_IF_ERROR(from(*item.left));
        return from(*item.right);
      case FromItem::Kind::kTable:
        break;
    }
    if (item.system_time && !streams_only_) {
      return refuse(ErrorCode::kUnsupported, item.system_time_pos,
                    "FOR SYSTEM_TIME AS OF is not supported in an ad-hoc SELECT: it reads the "
                    "views' current rows already (join on the keys without it), and keeps no "
                    "older versions to read as of a time");
    }
    if (std::find(with_.begin(), with_.end(), sql::to_lower(item.name)) != with_.end()) {
      return Status::Ok();
    }
    const Catalog::Entry* e = catalog_.find(item.name);
    // Unknown names (and sinks) are the binder's to report, with its suggestions.
    if (e == nullptr || e->kind == ObjectKind::kView || e->kind == ObjectKind::kSink) {
      return Status::Ok();
    }
    return refuse(ErrorCode::kSqlInvalidQuery, item.pos,
                  "an ad-hoc SELECT reads a materialized view; '" + e->name() + "' is a " +
                      sql::object_kind_name(e->kind) +
                      ", which has no end to read it to (subscribe to it, or CREATE "
                      "MATERIALIZED VIEW ... AS SELECT ... FROM " +
                      e->name() + " and select from that)");
  }

  // The joins a snapshot has no meaning for.
  static Status join(const FromItem& item) {
    if (item.join == sql::JoinSyntax::kAsof || item.join == sql::JoinSyntax::kAsofLeft) {
      return refuse(ErrorCode::kUnsupported, item.pos,
                    "an ASOF JOIN is not supported in an ad-hoc SELECT: it answers each left "
                    "row once the right side's watermark passes it, and among right rows of "
                    "the same time takes the last to arrive; the views' current rows have "
                    "neither a watermark nor an arrival order. Write it in a continuous "
                    "query (CREATE MATERIALIZED VIEW … AS SELECT … ASOF JOIN …)");
    }
    if (item.retention) {
      return refuse(ErrorCode::kUnsupported, item.retention->pos,
                    "RETENTION does not apply to an ad-hoc SELECT: it drops a continuous "
                    "join's rows as the watermark passes them, and an ad-hoc join reads the "
                    "views' current rows once");
    }
    return Status::Ok();
  }

  const Catalog& catalog_;
  const bool streams_only_;
  std::vector<std::string> with_;  // the WITH names in scope, lower case
};

// The views the bound query reads: its steps' inputs and its own that are not steps.
std::vector<std::string> views_read(const sql::BoundQuery& q) {
  std::set<std::string, sql::NameLess> steps;
  for (const sql::PlanStep& step : q.steps) steps.insert(step.name);
  std::set<std::string, sql::NameLess> seen;
  std::vector<std::string> views;
  auto note = [&](const std::string& input) {
    if (!steps.contains(input) && seen.insert(input).second) views.push_back(input);
  };
  for (const sql::PlanStep& step : q.steps) {
    for (const std::string& input : step.inputs) note(input);
  }
  note(q.input);
  return views;
}

// A global aggregate (no GROUP BY keys, no window) over no rows still answers one row, as in
// PostgreSQL (COUNT(*) = 0, SUM NULL); its operator makes it, without `_op`.
Result<RecordBatch> empty_global_group(std::shared_ptr<const sql::BoundQuery> query,
                                       const SchemaPtr& schema) {
  AggregateOperator op(query, false);
  std::vector<RecordBatch> out;
  SLC_RETURN_IF_ERROR(op.emit_empty_global_group(out));
  if (out.empty()) return RecordBatch::empty(schema);
  SLC_ASSIGN_OR_RETURN(RecordBatch rows, RecordBatch::concat(out));
  std::vector<Column> columns(rows.columns().begin(),
                              rows.columns().begin() + schema->num_fields());
  return RecordBatch::make(schema, std::move(columns));
}

}  // namespace

bool reads_a_stream(const SelectStmt& select, const Catalog& catalog) {
  return !ReadCheck(catalog, true).select(select).ok();
}

Result<AdhocPlan> bind_adhoc_select(const SelectStmt& select, const Catalog& catalog,
                                    const Graph& graph) {
  ReadCheck check(catalog);
  SLC_RETURN_IF_ERROR(check.select(select));
  // Every view as a bounded source of its current rows' schema: the binder sees what the
  // graph below reads (and suggests among all views when a name is wrong).
  AdhocPlan plan;
  for (const Catalog::Entry* e : catalog.all(ObjectKind::kView)) {
    const auto* node = static_cast<const ViewNode*>(graph.find(e->name()));
    auto def = std::make_shared<sql::SourceDef>();
    def->name = e->name();
    def->schema = node->table().schema();
    def->bounded = true;
    plan.snapshot.add(Catalog::Entry{ObjectKind::kSource, def, nullptr, nullptr});
  }
  // NOW() is the statement's time, read once (PostgreSQL's transaction time): every row of the
  // answer sees the same value.
  const int64_t statement_time = ProcessingClock::wall_micros();
  SLC_ASSIGN_OR_RETURN(sql::BoundQuery bound,
                       sql::Binder(plan.snapshot, statement_time)
                           .bind_query(select, sql::QueryUse::kAdhoc, kObject));
  plan.query = std::make_shared<const sql::BoundQuery>(std::move(bound));
  plan.views = views_read(*plan.query);
  return plan;
}

Result<RecordBatch> run_adhoc_select(const SelectStmt& select, const Catalog& catalog,
                                     const Graph& graph, const AdhocStateCheck& check_state) {
  SLC_ASSIGN_OR_RETURN(AdhocPlan plan, bind_adhoc_select(select, catalog, graph));
  const std::shared_ptr<const sql::BoundQuery>& query = plan.query;

  // The plan in a graph of its own: the views read as sources, then the steps and the query,
  // whose node keeps the result as a view keeps its rows.
  Graph run;
  std::vector<std::pair<SourceNode*, const ViewTable*>> inputs;
  for (const std::string& name : plan.views) {
    const sql::Catalog::Entry* e = plan.snapshot.find(name);
    SourceNode* source = run.add_source(e->source);
    inputs.emplace_back(source, &static_cast<const ViewNode*>(graph.find(name))->table());
  }
  auto def = std::make_shared<sql::QueryDef>();
  def->name = kObject;
  def->kind = ObjectKind::kView;
  def->query = query;
  def->anonymous = true;
  def->sql = query->sql;
  SLC_ASSIGN_OR_RETURN(QueryNode * node, run.add_query(def));
  const ViewTable& result = static_cast<const ViewNode*>(node)->table();

  auto within_budget = [&]() -> Status {
    if (!check_state) return Status::Ok();
    Status s = check_state(run);
    return s.ok() ? s : s.with_location("ad-hoc SELECT");
  };
  for (const auto& [source, table] : inputs) {
    const RecordBatch rows = table->to_batch();
    for (int64_t at = 0; at < rows.num_rows(); at += kRowsPerBatch) {
      SLC_RETURN_IF_ERROR(
          source->push(rows.slice(at, std::min(kRowsPerBatch, rows.num_rows() - at))));
      SLC_RETURN_IF_ERROR(within_budget());
    }
  }
  for (const auto& [source, table] : inputs) {
    SLC_RETURN_IF_ERROR(source->end_input());
    SLC_RETURN_IF_ERROR(within_budget());
  }

  RecordBatch rows = result.to_batch();
  if (rows.num_rows() == 0 && query->aggregate && query->keys.empty() && !query->window) {
    SLC_ASSIGN_OR_RETURN(rows, empty_global_group(query, result.schema()));
  }
  return finish_adhoc_result(*query, std::move(rows));
}

}  // namespace sluice::dataflow
