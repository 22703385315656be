// The Binder's CREATE SOURCE and CREATE SINK: options checked against the connector's spec
// (sql::ConnectorCatalog, from the catalog), watermarks, a sink's WHERE, and the rules for
// delivery = 'exactly-once'. Queries and expressions are bound in binder.cc / expr_binder.cc.

#include <algorithm>

#include <string>
#include <unordered_set>

#include "sql/alignment_options.h"
#include "sql/binder.h"
#include "sql/expr_binder.h"
#include "sql/options.h"

namespace sluice::sql {

Result<SourceDef> Binder::bind_source(const Statement& s) const {
  SourceDef def;
  def.name = s.name;
  def.sql = s.text;
  std::vector<Field> fields;
  std::unordered_set<std::string> names;  // a set, not pairs: a wide source binds in linear time
  for (const ColumnDef& c : s.columns) {
    if (!names.insert(to_lower(c.name)).second) {
      return error_at(ErrorCode::kSqlDuplicateName, c.pos,
                      "column '" + c.name + "' is declared twice");
    }
    fields.push_back(Field{c.name, c.type, !c.not_null});
  }
  def.schema = make_schema(std::move(fields));
  if (!s.watermark_column.empty()) {
    const int col = def.schema->find(s.watermark_column);
    if (col < 0) {
      return error_at(ErrorCode::kSqlUnknownName, s.watermark_pos,
                      "WATERMARK FOR names unknown column '" + s.watermark_column + "'");
    }
    if (def.schema->field(col).type != DataType::kTimestamp) {
      return error_at(ErrorCode::kSqlTypeMismatch, s.watermark_pos,
                      "WATERMARK FOR needs a TIMESTAMP column; '" + s.watermark_column + "' is " +
                          tname(def.schema->field(col).type));
    }
    // Accepted forms: col, col - INTERVAL '...' UNIT.
    const Expr& w = *s.watermark_expr;
    const auto same_column = [&](const Expr& x) {
      return x.kind == ExprKind::kColumn && to_lower(x.name) == to_lower(s.watermark_column);
    };
    if (same_column(w)) {
      def.watermark_delay = 0;
    } else if (w.kind == ExprKind::kBinary && w.args.size() == 2 && w.ops[0].text == "-" &&
               same_column(*w.args[0]) && w.args[1]->kind == ExprKind::kLiteral &&
               w.args[1]->literal_kind == LiteralKind::kInterval &&
               w.args[1]->interval_micros >= 0) {
      def.watermark_delay = w.args[1]->interval_micros;
    } else {
      return error_at(ErrorCode::kSqlInvalidQuery, w.pos,
                      "a watermark must be '" + s.watermark_column + "' or '" + s.watermark_column +
                          " - INTERVAL ...'");
    }
    def.watermark_column = col;
  }
  std::vector<Option> options;
  std::vector<Option> alignment;  // watermark.alignment.*: every connector source's
  for (const Option& o : s.options) {
    if (o.key == "connector") {
      def.connector = to_lower(o.value);
    } else if (is_alignment_option(o)) {
      alignment.push_back(o);
    } else {
      options.push_back(o);
    }
  }
  const std::string what = "source '" + s.name + "'";
  if (def.connector.empty() && s.columns.empty()) {
    return error_at(ErrorCode::kSqlSyntax, s.name_pos,
                    "source '" + s.name + "' needs a column list");
  }
  if (def.connector.empty()) {
    SLC_ASSIGN_OR_RETURN(def.options,
                         validate_options(options, push_source_spec(), "push " + what));
    SLC_RETURN_IF_ERROR(bind_alignment_options(alignment, def, "push " + what));
    def.replayable = def.options.at("durable") == "true";  // replayed from the write-ahead log
    if (def.replayable && !catalog_.checkpointing()) {
      return error_at(ErrorCode::kUnsupported, s.name_pos,
                      "source '" + s.name +
                          "': durable = true needs a database with a data_dir, where its "
                          "write-ahead log lives");
    }
    return def;
  }
  const ConnectorCatalog* connectors = catalog_.connectors();
  const ConnectorSpec* spec = connectors ? connectors->find_source(def.connector) : nullptr;
  if (spec == nullptr) {
    const std::string names = connectors ? join_names(connectors->source_names()) : "";
    return Status(ErrorCode::kSqlInvalidOption,
                  "unknown source connector '" + def.connector + "' (available: " + names + ")");
  }
  SLC_ASSIGN_OR_RETURN(def.options, validate_options(options, *spec, what));
  def.bounded = spec->bounded && spec->bounded(def.options);
  def.replayable = spec->capabilities.replayable;
  def.connector_watermark = spec->capabilities.own_watermark && def.watermark_column >= 0;
  if (SchemaPtr fixed = spec->fixed_schema ? spec->fixed_schema(def.options) : nullptr) {
    if (!s.columns.empty()) {
      return error_at(ErrorCode::kSqlInvalidQuery, s.columns[0].pos,
                      "connector '" + def.connector +
                          "' defines the columns itself; write CREATE SOURCE " + s.name +
                          " WITH (connector = '" + def.connector + "', ...)");
    }
    def.schema = fixed;
    def.watermark_column = fixed->find(spec->fixed_schema_time_column);
    def.watermark_delay = 0;  // generated in event-time order
  } else if (s.columns.empty()) {
    return error_at(ErrorCode::kSqlSyntax, s.name_pos,
                    "source '" + s.name + "' needs a column list");
  }
  // The connector's own checks (options against columns), so a bad source fails its CREATE.
  if (spec->check) {
    if (Status checked = spec->check(def.options, *def.schema); !checked.ok()) {
      return checked.with_location(what);
    }
  }
  SLC_RETURN_IF_ERROR(bind_alignment_options(alignment, def, what));
  return def;
}

// delivery = 'exactly-once' holds only when every link can keep it: the connector stages
// epochs, the database checkpoints, every source upstream can replay, and no policy drops.
Status Binder::check_exactly_once(const Statement& s, const SinkDef& def,
                                  const ConnectorSpec& spec) const {
  const std::string what = "sink '" + s.name + "': delivery = 'exactly-once' ";
  if (!spec.capabilities.exactly_once) {
    return error_at(ErrorCode::kUnsupported, s.connector_pos,
                    what + "is not supported by the '" + spec.name +
                        "' connector; use delivery = 'at-least-once'");
  }
  if (!catalog_.checkpointing()) {
    return error_at(ErrorCode::kUnsupported, s.name_pos,
                    what +
                        "needs checkpoints, and this database has none: open it with a "
                        "data_dir (sluice run --data-dir DIR)");
  }
  if (const std::string source = catalog_.unreplayable_source(def.input); !source.empty()) {
    return error_at(ErrorCode::kUnsupported, s.sink_from_pos,
                    what + "needs sources that can replay, and source '" + source +
                        "' cannot: declare it WITH (durable = true) so its rows are logged");
  }
  auto is = [&](const char* key, const char* value) {
    auto it = def.options.find(key);
    return it != def.options.end() && it->second == value;
  };
  if (is("queue.full", "drop")) {
    return error_at(ErrorCode::kSqlInvalidOption, s.name_pos,
                    what + "cannot drop rows: use queue.full = 'block' or 'fail'");
  }
  if (is("on.error", "dead_letter")) {
    return error_at(ErrorCode::kSqlInvalidOption, s.name_pos,
                    what + "cannot send rows elsewhere: use on.error = 'fail' or 'pause'");
  }
  return Status::Ok();
}

Result<SinkDef> Binder::bind_sink(const Statement& s, const std::string& input) const {
  SinkDef def;
  def.name = s.name;
  def.input = input;
  def.sql = s.text;
  def.connector = s.connector;
  const Catalog::Entry* from = catalog_.find(input);
  if (from == nullptr || from->kind == ObjectKind::kSink) {
    std::string msg = "unknown stream '" + input + "' for sink '" + s.name + "'";
    const std::string best = catalog_.closest(input);
    if (!best.empty()) msg += " (did you mean '" + best + "'?)";
    return error_at(ErrorCode::kSqlUnknownName, s.sink_from_pos, std::move(msg));
  }
  if (s.sink_where) {
    SLC_ASSIGN_OR_RETURN(BoundExprPtr w, bind_scalar(*s.sink_where, *from->schema(), from->name()));
    if (w->type != DataType::kBoolean) {
      return error_at(ErrorCode::kSqlTypeMismatch, s.sink_where->pos,
                      "a sink's WHERE must be BOOLEAN, got " + tname(w->type));
    }
    def.where = w;
  }
  const ConnectorCatalog* connectors = catalog_.connectors();
  const ConnectorSpec* spec = connectors ? connectors->find_sink(s.connector) : nullptr;
  if (spec == nullptr) {
    const std::string names = connectors ? join_names(connectors->sink_names()) : "";
    return error_at(ErrorCode::kSqlInvalidOption, s.connector_pos,
                    "unknown sink connector '" + s.connector + "' (available: " + names + ")");
  }
  SLC_ASSIGN_OR_RETURN(def.options,
                       validate_sink_options(s.options, *spec, "sink '" + s.name + "'"));
  for (const OptionSpec& o : spec->options) {
    if (o.secret) def.secret_options.push_back(o.key);
  }
  if (spec->check) {
    if (Status checked = spec->check(def.options, *from->schema()); !checked.ok()) {
      return error_at(checked.code(), s.connector_pos,
                      "sink '" + s.name + "': " + std::string(checked.message()));
    }
  }
  if (auto it = def.options.find("delivery");
      it != def.options.end() && it->second == "exactly-once") {
    SLC_RETURN_IF_ERROR(check_exactly_once(s, def, *spec));
  }
  const auto on_error = def.options.find("on.error");
  const auto dead_letter = def.options.find("dead_letter.sink");
  if (on_error != def.options.end() && on_error->second == "dead_letter") {
    if (dead_letter == def.options.end()) {
      return Status(
          ErrorCode::kSqlInvalidOption,
          "sink '" + s.name + "': on.error = 'dead_letter' needs dead_letter.sink = '<sink>'");
    }
    const Catalog::Entry* target = catalog_.find(dead_letter->second);
    if (target == nullptr || target->kind != ObjectKind::kSink) {
      return Status(ErrorCode::kSqlUnknownName, "sink '" + s.name + "': dead_letter.sink '" +
                                                    dead_letter->second +
                                                    "' is not an existing sink");
    }
  } else if (dead_letter != def.options.end()) {
    return Status(
        ErrorCode::kSqlInvalidOption,
        "sink '" + s.name + "': dead_letter.sink is only used with on.error = 'dead_letter'");
  }
  return def;
}

}  // namespace sluice::sql
