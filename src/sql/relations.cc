#include "sql/relations.h"

#include "sql/names.h"

namespace sluice::sql {

namespace {

Status unknown(const Expr& e, std::string msg) {
  return Status(ErrorCode::kSqlUnknownName, std::move(msg), e.pos.to_string());
}

// `name` among the relation's own columns, or -1.
int find_in(const Relation& r, std::string_view name) {
  return r.schema->find(name);
}

}  // namespace

std::string describe_relations(const std::vector<Relation>& relations) {
  std::string out;
  for (const Relation& r : relations) {
    if (!out.empty()) out += ", ";
    out += r.object;
    if (to_lower(r.object) != to_lower(r.name)) out += " AS " + r.name;
  }
  return out;
}

Result<const Relation*> find_relation(const Expr& e, const std::vector<Relation>& relations) {
  std::string best;
  size_t best_d = 3;
  for (const Relation& r : relations) {
    if (to_lower(r.name) == to_lower(e.qualifier)) return &r;
    // Only near misses of a name long enough for a miss to mean something.
    const size_t d = edit_distance(e.qualifier, r.name);
    if (d < best_d && 2 * d <= e.qualifier.size()) {
      best_d = d;
      best = r.name;
    }
  }
  std::string msg =
      "unknown table '" + e.qualifier + "' (the query reads " + describe_relations(relations) + ")";
  if (!best.empty()) msg += " (did you mean '" + best + "'?)";
  return unknown(e, std::move(msg));
}

Result<int> resolve_column(const Expr& e, const std::vector<Relation>& relations) {
  const Relation* in = nullptr;
  int found = -1;
  if (!e.qualifier.empty()) {
    SLC_ASSIGN_OR_RETURN(in, find_relation(e, relations));
    found = find_in(*in, e.name);
  } else {
    std::vector<const Relation*> candidates;
    for (const Relation& r : relations) {
      const int i = find_in(r, e.name);
      if (i < 0) continue;
      if (candidates.empty()) found = i;
      candidates.push_back(&r);
      in = &r;
    }
    if (candidates.size() > 1) {
      std::string names;
      for (size_t k = 0; k < candidates.size(); ++k) {
        names += (k == 0                       ? ""
                  : k + 1 == candidates.size() ? " or "
                                               : ", ") +
                 candidates[k]->name + "." + e.name;
      }
      return Status(ErrorCode::kSqlAmbiguousName,
                    "column '" + e.name + "' is ambiguous: it may be " + names + "; qualify it",
                    e.pos.to_string());
    }
    if (!candidates.empty()) in = candidates[0];
  }
  if (found >= 0) return in->first + found;
  // Unknown: suggest the nearest column of the relation named, or of any.
  std::string best;
  size_t best_d = 3;
  for (const Relation& r : relations) {
    if (!e.qualifier.empty() && &r != in) continue;
    for (const Field& f : r.schema->fields()) {
      const size_t d = edit_distance(e.name, f.name);
      if (d < best_d) {
        best_d = d;
        best = (e.qualifier.empty() ? r.name + "." : std::string()) + f.name;
      }
    }
  }
  std::string msg = "unknown column '" + e.name + "' in " +
                    (in != nullptr ? in->name : describe_relations(relations));
  if (!best.empty()) msg += " (did you mean '" + best + "'?)";
  return unknown(e, std::move(msg));
}

}  // namespace sluice::sql
