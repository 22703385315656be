// Binder::bind_from: a FROM item — a catalog object or WITH name, a subquery (a step of its
// own), or a join (join_binder.cc) — and the relations its names resolve in.

#include "sql/binder.h"
#include "sql/expr_binder.h"

namespace sluice::sql {

namespace {

BoundFrom one_relation(std::string input, SchemaPtr schema, const std::string& object,
                       const std::string& alias) {
  BoundFrom out;
  out.input = std::move(input);
  out.schema = schema;
  out.relations.push_back(Relation{alias.empty() ? object : alias, object, schema, 0});
  out.relation = object;
  out.alias = alias;
  return out;
}

}  // namespace

Result<BoundFrom> Binder::bind_from(const FromItem& item, StatementSteps& steps,
                                    bool lookup_side) const {
  switch (item.kind) {
    case FromItem::Kind::kJoin:
      return bind_join(item, steps);
    case FromItem::Kind::kSubquery: {
      SLC_ASSIGN_OR_RETURN(BoundQuery q, bind_select(*item.subquery, QueryUse::kContinuous, steps));
      PlanStep step;
      step.kind = PlanStep::Kind::kQuery;
      step.inputs = {q.input};
      step.schema = q.output_schema;
      step.query = std::make_shared<const BoundQuery>(std::move(q));
      SchemaPtr schema = step.schema;
      const std::string& name = steps.add(std::move(step));
      // Named by its alias alone: messages say "unknown column 'x' in t".
      return one_relation(name, schema, item.alias, "");
    }
    case FromItem::Kind::kTable:
      break;
  }
  if (item.system_time && !lookup_side) {
    return error_at(ErrorCode::kSqlInvalidQuery, item.system_time_pos,
                    "FOR SYSTEM_TIME AS OF belongs to the right side of a JOIN (a lookup join "
                    "of a materialized view)");
  }
  for (auto it = steps.with.rbegin(); it != steps.with.rend(); ++it) {
    if (to_lower(it->first) == to_lower(item.name)) {
      if (item.system_time) {
        return error_at(
            ErrorCode::kSqlInvalidQuery, item.system_time_pos,
            "FOR SYSTEM_TIME AS OF needs a materialized view; '" + item.name + "' is a WITH query");
      }
      return one_relation(it->second, steps.find(it->second)->schema, it->first, item.alias);
    }
  }
  const Catalog::Entry* e = catalog_.find(item.name);
  if (e == nullptr || e->kind == ObjectKind::kSink) {
    std::string msg = "unknown source, stream or view '" + item.name + "'";
    std::string best = catalog_.closest(item.name);
    for (const auto& [name, step] : steps.with) {
      if (best.empty() && edit_distance(item.name, name) < 3) best = name;
    }
    if (!best.empty()) msg += " (did you mean '" + best + "'?)";
    return error_at(ErrorCode::kSqlUnknownName, item.pos, std::move(msg));
  }
  BoundFrom out = one_relation(e->name(), e->schema(), e->name(), item.alias);
  out.view = e->kind == ObjectKind::kView;
  return out;
}

}  // namespace sluice::sql
