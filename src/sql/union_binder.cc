// Binder::bind_union: a UNION ALL. Each SELECT is a step, the UNION ALL step reads them, and the
// query reads it as it is.
//   - Columns: the first SELECT names them; each column's type is the one the SELECTs' types
//     meet in, by the rule of CASE, COALESCE and comparisons (ExprBinder::common_type: integer
//     widths, integers with DECIMAL or DOUBLE, DECIMAL scales, DATE with TIMESTAMP); a SELECT
//     whose column is narrower is cast in its own step, so the union node only relabels.
//   - Changes (join_change_column.h): when one SELECT carries its changes in `_op`, the union
//     does, the rows of the append-only ones being inserts; one that updates without `_op` (an
//     aggregate's EMIT ON UPDATE) cannot be told apart from inserts, and is refused.

#include <string>
#include <vector>

#include "sql/binder.h"
#include "sql/expr_binder.h"
#include "sql/join_change_column.h"

namespace sluice::sql {
namespace {

// One SELECT of the union, bound into its step.
struct Branch {
  size_t step = 0;  // its index in StatementSteps::steps
  SourcePos pos;    // where it is written: the statement, or its UNION ALL
  bool updates = false;
  int change = -1;  // its change column (join_change_column.h), else -1

  // Its columns, not counting `_op`.
  int width(const StatementSteps& steps) const {
    return steps.steps[step].schema->num_fields() - (change >= 0 ? 1 : 0);
  }
};

std::string nth_select(size_t b) {
  return b == 0 ? "the first SELECT" : "SELECT " + std::to_string(b + 1);
}

// The step's query, to be changed: a copy (the step's is shared and immutable).
BoundQuery& editable(PlanStep& step, std::shared_ptr<BoundQuery>& copy) {
  if (!copy) copy = std::make_shared<BoundQuery>(*step.query);
  return *copy;
}

// The edited copy, if any, as the step's query and schema.
void put_back(PlanStep& step, std::shared_ptr<BoundQuery>& copy) {
  if (!copy) return;
  step.schema = copy->output_schema;
  step.query = std::move(copy);
}

}  // namespace

Result<BoundQuery> Binder::bind_union(const SelectStmt& select, StatementSteps& steps) const {
  std::vector<Branch> branches;
  for (size_t b = 0; b <= select.union_all.size(); ++b) {
    const SelectStmt& written = b == 0 ? select : *select.union_all[b - 1];
    SLC_ASSIGN_OR_RETURN(BoundQuery q, bind_body(written, QueryUse::kContinuous, steps));
    PlanStep step;
    step.kind = PlanStep::Kind::kQuery;
    step.inputs = {q.input};
    step.schema = q.output_schema;
    step.query = std::make_shared<const BoundQuery>(std::move(q));
    Branch branch;
    branch.pos = b == 0 ? select.pos : select.union_pos[b - 1];
    const std::string name = steps.add(std::move(step));
    branch.step = steps.steps.size() - 1;
    branch.updates = catalog_.updating(name, &steps.steps);
    branch.change = change_column(*steps.steps[branch.step].schema, branch.updates);
    if (b > 0 && branch.width(steps) != branches[0].width(steps)) {
      return error_at(ErrorCode::kSqlTypeMismatch, branch.pos,
                      "UNION ALL of " + std::to_string(branches[0].width(steps)) + " and " +
                          std::to_string(branch.width(steps)) +
                          " columns: each SELECT must have the same number of columns");
    }
    branches.push_back(branch);
  }
  const int width = branches[0].width(steps);
  const SchemaPtr first = steps.steps[branches[0].step].schema;

  bool changes = false;
  for (const Branch& branch : branches) changes = changes || branch.change >= 0;
  std::vector<DataType> types;
  std::vector<Field> fields;
  ExprBinder binder;
  for (int i = 0; i < width; ++i) {
    Field f = first->field(i);
    for (size_t b = 1; b < branches.size(); ++b) {
      const Field& other = steps.steps[branches[b].step].schema->field(i);
      Result<DataType> common = binder.common_type(
          {Bound{make_column(i, f.type, f.name)}, Bound{make_column(i, other.type, other.name)}},
          branches[b].pos, "UNION ALL");
      if (!common.ok()) {
        return error_at(ErrorCode::kSqlTypeMismatch, branches[b].pos,
                        "UNION ALL column " + std::to_string(i + 1) + " ('" + f.name + "') is " +
                            tname(f.type) +
                            (b == 1 ? " in the first SELECT" : " in the SELECTs before") + " and " +
                            tname(other.type) + " in SELECT " + std::to_string(b + 1) +
                            ": they have no common type; CAST one of them");
      }
      f.type = *common;
      f.nullable = f.nullable || other.nullable;
    }
    fields.push_back(f);
  }

  // Each SELECT in its step: cast to the common types, and an append-only one's rows marked
  // inserts when the union carries changes.
  for (size_t b = 0; b < branches.size(); ++b) {
    const Branch& branch = branches[b];
    PlanStep& step = steps.steps[branch.step];
    std::shared_ptr<BoundQuery> copy;
    if (changes && branch.change < 0) {
      if (branch.updates) {
        return error_at(ErrorCode::kSqlInvalidQuery, branch.pos,
                        "UNION ALL passes the changes (_op) of its updating inputs, but " +
                            nth_select(b) +
                            " updates without passing its deletes (an aggregate's EMIT ON UPDATE "
                            "passes its new rows only, without `_op`): declare it EMIT CHANGES");
      }
      BoundQuery& q = editable(step, copy);
      q.projection.push_back(make_literal(Value::Varchar("insert")));
      std::vector<Field> out = q.output_schema->fields();
      out.push_back(Field{kChangeOpColumn, DataType::kVarchar, false});
      q.output_schema = make_schema(std::move(out));
    }
    for (int i = 0; i < width; ++i) {
      const Field& own = step.schema->field(i);
      const DataType to = fields[static_cast<size_t>(i)].type;
      if (own.type == to) continue;
      BoundQuery& q = editable(step, copy);
      if (q.top_n && q.top_n->row_number_column == i) {
        return error_at(ErrorCode::kSqlTypeMismatch, branch.pos,
                        "UNION ALL column " + std::to_string(i + 1) + " ('" + fields[i].name +
                            "') is " + tname(to) + ", but " + nth_select(b) +
                            "'s ROW_NUMBER() there is BIGINT; CAST the other SELECTs' column to "
                            "BIGINT");
      }
      SLC_ASSIGN_OR_RETURN(
          q.projection[static_cast<size_t>(i)],
          binder.coerce(Bound{q.projection[static_cast<size_t>(i)]}, to, branch.pos, "UNION ALL"));
      std::vector<Field> out = q.output_schema->fields();
      out[static_cast<size_t>(i)].type = to;
      q.output_schema = make_schema(std::move(out));
    }
    put_back(step, copy);
  }

  PlanStep all;
  all.kind = PlanStep::Kind::kUnion;
  for (const Branch& branch : branches) all.inputs.push_back(steps.steps[branch.step].name);
  if (changes) fields.push_back(Field{kChangeOpColumn, DataType::kVarchar, false});
  all.schema = make_schema(std::move(fields));
  BoundQuery q;
  q.input = steps.add(std::move(all));
  q.input_schema = steps.find(q.input)->schema;
  const int change = changes ? width : -1;
  for (int i = 0; i < width; ++i) {
    const Field& f = q.input_schema->field(i);
    q.projection.push_back(make_column(i, f.type, f.name));
  }
  q.output_schema = q.input_schema;
  q.group_schema = make_schema({});
  // The union's changes pass through its query as through any projection (join_change_column.h).
  q.emit = changes ? EmitMode::kChanges : EmitMode::kOnUpdate;
  q.input_change_column = change;
  return q;
}

}  // namespace sluice::sql
