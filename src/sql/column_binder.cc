// ExprBinder's column references: a name in one input, in several relations (a join's,
// qualified or not), or in an aggregate's group row (keys, window bounds), with "did you
// mean" for an unknown one.
#include "sql/expr_binder.h"

#include "sql/names.h"

namespace sluice::sql {

int ExprBinder::find_column(const Schema& schema, std::string_view name) {
  // Schema::find reads the fields in turn: a wide SELECT over a wide input would take time
  // quadratic in its width.
  if (schema.num_fields() <= 16) return schema.find(name);
  if (indexed_ != &schema) {
    index_.clear();
    index_.reserve(static_cast<size_t>(schema.num_fields()));
    for (int i = 0; i < schema.num_fields(); ++i) index_.emplace(to_lower(schema.field(i).name), i);
    indexed_ = &schema;
  }
  const auto it = index_.find(to_lower(name));
  return it == index_.end() ? -1 : it->second;
}

Result<Bound> ExprBinder::column(const Expr& e, Scope& scope) {
  if (e.kind == ExprKind::kStar) {
    return error_at(ErrorCode::kSqlSyntax, e.pos,
                    "'*' is only allowed as a select item or in COUNT(*)");
  }
  if (Status s = check_qualifier(e, scope); !s.ok()) return s;
  if (scope.query != nullptr) {
    // In an aggregate's SELECT/HAVING: window bounds, or a key column by name.
    const std::string name = to_lower(e.name);
    if (scope.query->window && (name == "window_start" || name == "window_end")) {
      const int index = scope.query->window_start_index() + (name == "window_end");
      return Bound{make_column(index, DataType::kTimestamp, name)};
    }
    for (size_t k = 0; k < scope.key_sql->size(); ++k) {
      if ((*scope.group_fields)[k].name == name || (*scope.key_sql)[k] == name) {
        const Field& f = (*scope.group_fields)[k];
        return Bound{make_column(static_cast<int>(k), f.type, f.name)};
      }
    }
    const bool known = scope.relations != nullptr ? resolve_column(e, *scope.relations).ok()
                                                  : find_column(*scope.input, e.name) >= 0;
    if (known) {
      return error_at(ErrorCode::kSqlInvalidQuery, e.pos,
                      "column '" + e.name + "' must appear in GROUP BY or be used in an aggregate");
    }
  }
  if (scope.relations != nullptr) {
    // Several relations: the one the name is in; a column of no relation (a join's `_op`) by
    // its name in the input.
    Result<int> found = resolve_column(e, *scope.relations);
    int index = found.ok() ? *found : -1;
    if (!found.ok() && e.qualifier.empty() && found.status().code() == ErrorCode::kSqlUnknownName) {
      index = find_column(*scope.input, e.name);
    }
    if (index < 0) return found.status();
    SLC_RETURN_IF_ERROR(check_processing_time_use(e, scope, index));
    if (scope.reads != nullptr) scope.reads->mark(index);
    const Field& f = scope.input->field(index);
    return Bound{make_column(index, f.type, e.name)};
  }
  const int index = find_column(*scope.input, e.name);
  if (index < 0) {
    std::string msg = "unknown column '" + e.name + "' in " + scope.relation;
    std::string best;
    size_t best_d = 3;
    for (const Field& f : scope.input->fields()) {
      const size_t d = edit_distance(e.name, f.name);
      if (d < best_d) {
        best_d = d;
        best = f.name;
      }
    }
    const std::string lname = to_lower(e.name);
    if (best.empty() && (lname == "window_start" || lname == "window_end")) {
      msg +=
          " (window_start and window_end exist when GROUP BY has a TUMBLE, HOP or SESSION "
          "window)";
    } else if (!best.empty()) {
      msg += " (did you mean '" + best + "'?)";
    }
    return error_at(ErrorCode::kSqlUnknownName, e.pos, std::move(msg));
  }
  SLC_RETURN_IF_ERROR(check_processing_time_use(e, scope, index));
  if (scope.reads != nullptr) scope.reads->mark(index);
  const Field& f = scope.input->field(index);
  return Bound{make_column(index, f.type, f.name)};
}

Status ExprBinder::check_processing_time_use(const Expr& e, const Scope& scope, int index) {
  if (scope.processing_time == nullptr || !(*scope.processing_time)[static_cast<size_t>(index)]) {
    return Status::Ok();
  }
  return error_at(ErrorCode::kSqlInvalidQuery, e.pos,
                  "'" + e.name +
                      "' is a processing-time attribute (PROCTIME()): its value depends on when "
                      "each row was processed, so it may only be the time of a TUMBLE or HOP "
                      "window in GROUP BY, or be selected as it is");
}

}  // namespace sluice::sql
