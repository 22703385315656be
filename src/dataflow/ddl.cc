#include "dataflow/ddl.h"

#include "sql/binder.h"

namespace sluice::dataflow {

using sql::Catalog;
using sql::ObjectKind;
using sql::Statement;

namespace {

QueryResult message(std::string text) {
  QueryResult r;
  r.message = std::move(text);
  return r;
}

std::string upper_kind(ObjectKind k) {
  return sql::to_upper(sql::object_kind_name(k));
}

// "CREATE SOURCE t (already exists)" for IF NOT EXISTS of an object of the same kind; an error
// for any other object of that name; nothing when the name is free.
Result<std::optional<QueryResult>> existing(const Catalog& catalog, const Statement& s,
                                            ObjectKind kind) {
  const Catalog::Entry* e = catalog.find(s.name);
  if (e == nullptr) return std::optional<QueryResult>();
  if (s.if_not_exists && e->kind == kind) {
    return std::optional<QueryResult>(
        message("CREATE " + upper_kind(kind) + " " + s.name + " (already exists)"));
  }
  return Status(ErrorCode::kSqlDuplicateName,
                "a " + std::string(sql::object_kind_name(e->kind)) + " named '" + e->name() +
                    "' already exists",
                s.name_pos.to_string());
}

}  // namespace

Status unknown_object(std::string_view name, const Catalog& catalog, sql::SourcePos pos) {
  std::string msg = "unknown object '" + std::string(name) + "'";
  const std::string best = catalog.closest(name);
  if (!best.empty()) msg += " (did you mean '" + best + "'?)";
  return Status(ErrorCode::kSqlUnknownName, std::move(msg), pos.to_string());
}

Result<QueryResult> Ddl::create_source(const Statement& s) {
  SLC_ASSIGN_OR_RETURN(auto found, existing(catalog_, s, ObjectKind::kSource));
  if (found) return std::move(*found);
  SLC_ASSIGN_OR_RETURN(sql::SourceDef def, sql::Binder(catalog_).bind_source(s));
  auto shared = std::make_shared<const sql::SourceDef>(std::move(def));
  catalog_.add(Catalog::Entry{ObjectKind::kSource, shared, nullptr, nullptr});
  graph_.add_source(shared);
  return message("CREATE SOURCE " + s.name);
}

Result<std::shared_ptr<const sql::QueryDef>> Ddl::add_query(
    const std::string& name, ObjectKind kind, std::shared_ptr<const sql::BoundQuery> query,
    bool anonymous, const std::string& text) {
  auto def = std::make_shared<sql::QueryDef>();
  def->name = name;
  def->kind = kind;
  def->query = std::move(query);
  def->anonymous = anonymous;
  def->sql = text;
  // The graph first: it refuses as a whole (a join whose operator cannot be made), and then
  // the catalog is untouched too.
  SLC_RETURN_IF_ERROR(graph_.add_query(def).status());
  catalog_.add(Catalog::Entry{kind, nullptr, def, nullptr});
  return std::shared_ptr<const sql::QueryDef>(def);
}

Result<QueryResult> Ddl::create_query(const Statement& s) {
  const ObjectKind kind =
      s.kind == sql::StatementKind::kCreateView ? ObjectKind::kView : ObjectKind::kStream;
  SLC_ASSIGN_OR_RETURN(auto found, existing(catalog_, s, kind));
  if (found) return std::move(*found);
  SLC_ASSIGN_OR_RETURN(sql::BoundQuery q, sql::Binder(catalog_).bind_query(
                                              *s.query, sql::QueryUse::kContinuous, s.name));
  SLC_RETURN_IF_ERROR(
      add_query(s.name, kind, std::make_shared<const sql::BoundQuery>(std::move(q)), false, s.text)
          .status());
  return message("CREATE " + upper_kind(kind) + " " + s.name);
}

Result<QueryResult> Ddl::create_sink(const Statement& s) {
  SLC_ASSIGN_OR_RETURN(auto found, existing(catalog_, s, ObjectKind::kSink));
  if (found) return std::move(*found);
  std::string input = s.sink_from;
  if (s.query) {
    // CREATE SINK ... AS SELECT: an anonymous stream the sink reads. Bind the sink against a
    // probe catalog first, so a bad connector or option creates nothing.
    input = "_sink_" + s.name;
    SLC_ASSIGN_OR_RETURN(sql::BoundQuery q, sql::Binder(catalog_).bind_query(
                                                *s.query, sql::QueryUse::kContinuous, input));
    auto anonymous = std::make_shared<const sql::BoundQuery>(std::move(q));
    Catalog probe = catalog_;
    auto def = std::make_shared<sql::QueryDef>();
    def->name = input;
    def->query = anonymous;
    probe.add(Catalog::Entry{ObjectKind::kStream, nullptr, def, nullptr});
    SLC_RETURN_IF_ERROR(sql::Binder(probe).bind_sink(s, input).status());
    SLC_RETURN_IF_ERROR(add_query(input, ObjectKind::kStream, anonymous, true, s.text).status());
  }
  Result<sql::SinkDef> bound_sink = sql::Binder(catalog_).bind_sink(s, input);
  if (!bound_sink.ok()) {
    if (s.query) remove(input);  // the anonymous stream (and its steps) made above
    return bound_sink.status();
  }
  sql::SinkDef bound = std::move(*bound_sink);
  auto def = std::make_shared<const sql::SinkDef>(std::move(bound));
  catalog_.add(Catalog::Entry{ObjectKind::kSink, nullptr, nullptr, def});
  graph_.add_sink(def);
  return message("CREATE SINK " + s.name);
}

Result<QueryResult> Ddl::drop(const Statement& s) {
  const Catalog::Entry* e = catalog_.find(s.name);
  if (e == nullptr || (e->query && e->query->anonymous)) {
    if (s.if_exists)
      return message("DROP " + upper_kind(s.object) + " " + s.name + " (did not exist)");
    return unknown_object(s.name, catalog_, s.name_pos);
  }
  if (e->kind != s.object) {
    return Status(ErrorCode::kSqlUnknownName,
                  "'" + e->name() + "' is a " + sql::object_kind_name(e->kind) + ", not a " +
                      sql::object_kind_name(s.object),
                  s.name_pos.to_string());
  }
  const std::vector<const Catalog::Entry*> dependents = catalog_.dependents(e->name());
  if (!dependents.empty()) {
    std::string list;
    for (const Catalog::Entry* d : dependents) {
      list += (list.empty() ? "" : ", ") + std::string(sql::object_kind_name(d->kind)) + " '" +
              d->name() + "'";
    }
    const bool one = dependents.size() == 1;
    return Status(ErrorCode::kSqlHasDependents,
                  "cannot drop " + std::string(sql::object_kind_name(e->kind)) + " '" + e->name() +
                      "': " + list + " depend" + (one ? "s" : "") + " on it; drop " +
                      (one ? "it" : "them") + " first",
                  s.name_pos.to_string());
  }
  const std::string name = e->name();
  remove(name);
  return message("DROP " + upper_kind(s.object) + " " + name);
}

void Ddl::remove(const std::string& name) {
  const Catalog::Entry* e = catalog_.find(name);
  if (e == nullptr) return;
  std::string anonymous_input;
  if (e->sink) {
    const Catalog::Entry* in = catalog_.find(e->sink->input);
    if (in != nullptr && in->query && in->query->anonymous) anonymous_input = in->name();
  }
  for (const std::string& victim : {name, anonymous_input}) {
    if (victim.empty()) continue;
    graph_.remove(victim);
    catalog_.remove(victim);
  }
}

}  // namespace sluice::dataflow
