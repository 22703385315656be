#include "sql/column_usage.h"

#include <algorithm>

#include "sql/catalog.h"
#include "sql/join_change_column.h"

namespace sluice::sql {

namespace {

// Where each of `kept`'s columns lands among them (its rank), for a join reading them.
int rank_in(const std::vector<int>& kept, int column) {
  const auto it = std::lower_bound(kept.begin(), kept.end(), column);
  return it != kept.end() && *it == column ? static_cast<int>(it - kept.begin()) : -1;
}

}  // namespace

ColumnReads* ColumnUsage::reader(const std::string& step) {
  if (settled_) return nullptr;
  ++readers_[step];
  return &reads_[step];
}

ColumnReads* ColumnUsage::own(const std::string& step) {
  return settled_ ? nullptr : &reads_[step];
}

bool ColumnUsage::settle(const std::vector<PlanStep>& steps, const std::string& input) {
  settled_ = true;
  // The readers that are no join (a join passes its needs on below); a UNION ALL records none.
  std::map<std::string, int, std::less<>> readers;
  std::map<std::string, bool, std::less<>> read_whole;
  ++readers[input];
  for (const PlanStep& step : steps) {
    for (const std::string& in : step.inputs) {
      if (step.kind == PlanStep::Kind::kQuery) ++readers[in];
      if (step.kind == PlanStep::Kind::kUnion) read_whole[in] = true;
    }
  }
  // From the last step to the first: a join's readers come after it.
  std::map<std::string, std::vector<int>, std::less<>> kept_out;  // narrowed joins' columns
  bool narrowed = false;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const PlanStep& step = *it;
    if (step.kind != PlanStep::Kind::kJoin) continue;
    const BoundJoin& j = *step.join;
    const auto rs = readers_.find(step.name);
    const auto ws = readers.find(step.name);
    const int recorded = rs == readers_.end() ? 0 : rs->second;
    const int present = ws == readers.end() ? 0 : ws->second;
    const bool all = j.kind == JoinKind::kAsof || j.kind == JoinKind::kLookup ||
                     read_whole.count(step.name) > 0 || recorded != present;
    const ColumnReads& reads = reads_[step.name];
    const std::vector<int> left = join_side_columns(j, true);
    const std::vector<int> right = join_side_columns(j, false);
    const int left_width = static_cast<int>(left.size());
    Kept kept;
    std::vector<int> out;
    for (int c = 0; c < left_width + static_cast<int>(right.size()); ++c) {
      if (!all && !reads.read(c)) continue;
      out.push_back(c);
      (c < left_width ? kept.left : kept.right).push_back(c < left_width ? c : c - left_width);
      kept.names.push_back(step.schema->field(c).name);
    }
    // What it keeps of a join below it, that join must deliver.
    for (const auto& [in, side] :
         {std::pair{&step.inputs[0], &kept.left}, std::pair{&step.inputs[1], &kept.right}}) {
      const PlanStep* below = find_step(&steps, *in);
      if (below == nullptr || below->kind != PlanStep::Kind::kJoin) continue;
      for (int c : *side) reads_[*in].mark(c);
    }
    if (static_cast<int>(out.size()) < left_width + static_cast<int>(right.size())) {
      narrowed = true;
      kept_out[step.name] = std::move(out);
    }
    kept_[step.name] = std::move(kept);
  }
  // The second binding numbers a join's inputs as they are then: a narrowed join's kept columns.
  for (auto& [name, kept] : kept_) {
    const PlanStep* step = find_step(&steps, name);
    for (const auto& [in, side] :
         {std::pair{&step->inputs[0], &kept.left}, std::pair{&step->inputs[1], &kept.right}}) {
      const auto below = kept_out.find(*in);
      if (below == kept_out.end()) continue;
      for (int& c : *side) c = rank_in(below->second, c);
    }
  }
  for (auto it = kept_.begin(); it != kept_.end();) {
    it = kept_out.count(it->first) ? std::next(it) : kept_.erase(it);
  }
  return narrowed;
}

const ColumnUsage::Kept* ColumnUsage::kept(std::string_view step) const {
  const auto it = kept_.find(step);
  return it == kept_.end() ? nullptr : &it->second;
}

std::vector<Relation> kept_relations(const std::vector<Relation>& relations,
                                     const std::vector<bool>& keep) {
  std::vector<Relation> out;
  out.reserve(relations.size());
  const auto kept = [&](int c) {
    return c >= 0 && static_cast<size_t>(c) < keep.size() && keep[c];
  };
  for (const Relation& r : relations) {
    Relation n = r;
    n.first = 0;
    for (int c = 0; c < r.first; ++c) n.first += kept(c) ? 1 : 0;
    std::vector<Field> fields;
    for (int i = 0; i < r.schema->num_fields(); ++i) {
      if (kept(r.first + i)) fields.push_back(r.schema->field(i));
    }
    n.schema = make_schema(std::move(fields));
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace sluice::sql
