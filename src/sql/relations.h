#pragma once
// The relations of a FROM with several (a join's sides, each table or subquery under its alias):
// what qualified names (`b.price`) name, and how an unqualified name is resolved — in the one
// relation that has such a column; in none, an unknown column with "did you mean"; in several,
// ambiguous, naming every candidate. Internal to the sql module (the binder).
//
// Thread: values, used by one thread at a time.

#include <string>
#include <vector>

#include "sluice/schema.h"
#include "sluice/status.h"
#include "sql/ast.h"

namespace sluice::sql {

struct Relation {
  std::string name;    // what qualified names say: the alias, else the object's name
  std::string object;  // what it reads, for messages (a catalog object, a WITH name, a subquery)
  SchemaPtr schema;    // its own columns, named as its object names them
  int first = 0;       // where its first column is in the input the query reads
};

// The input column the column reference `e` names, or SLC-1002 at e.
Result<int> resolve_column(const Expr& e, const std::vector<Relation>& relations);
// The relation `e`'s qualifier names (`b` of `b.*`), or SLC-1002 at e.
Result<const Relation*> find_relation(const Expr& e, const std::vector<Relation>& relations);
// "s1 AS a, s2 AS b": the relations, for messages.
std::string describe_relations(const std::vector<Relation>& relations);

}  // namespace sluice::sql
