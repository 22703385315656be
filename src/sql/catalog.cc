#include "sql/catalog.h"

#include <algorithm>
#include <cctype>

namespace sluice::sql {

const std::string& Catalog::Entry::name() const {
  if (source) return source->name;
  if (query) return query->name;
  return sink->name;
}

std::string Catalog::Entry::input() const {
  if (query) return query->query->input;
  if (sink) return sink->input;
  return {};
}

SchemaPtr Catalog::Entry::schema() const {
  if (source) return source->schema;
  if (query) return query->query->output_schema;
  return nullptr;
}

const Catalog::Entry* Catalog::find(std::string_view name) const {
  const std::string key = to_lower(name);
  for (const Entry& e : entries_) {
    if (to_lower(e.name()) == key) return &e;
  }
  return nullptr;
}

void Catalog::add(Entry entry) {
  entries_.push_back(std::move(entry));
}

void Catalog::remove(std::string_view name) {
  const std::string key = to_lower(name);
  std::erase_if(entries_, [&](const Entry& e) { return to_lower(e.name()) == key; });
}

std::vector<const Catalog::Entry*> Catalog::dependents(std::string_view name) const {
  const std::string key = to_lower(name);
  std::vector<const Entry*> out;
  for (const Entry& e : entries_) {
    if (to_lower(e.input()) == key) out.push_back(&e);
  }
  return out;
}

std::vector<const Catalog::Entry*> Catalog::all(ObjectKind kind) const {
  std::vector<const Entry*> out;
  for (const Entry& e : entries_) {
    if (e.kind == kind) out.push_back(&e);
  }
  return out;
}

std::vector<const Catalog::Entry*> Catalog::all() const {
  std::vector<const Entry*> out;
  for (const Entry& e : entries_) out.push_back(&e);
  return out;
}

bool Catalog::has_watermark(std::string_view name) const {
  const Entry* e = find(name);
  if (e == nullptr) return false;
  if (e->source) return e->source->watermark_column >= 0;
  return has_watermark(e->input());
}

bool Catalog::bounded(std::string_view name) const {
  const Entry* e = find(name);
  if (e == nullptr) return false;
  if (e->source) return e->source->bounded;
  return bounded(e->input());
}

std::string Catalog::unreplayable_source(std::string_view name) const {
  const Entry* e = find(name);
  if (e == nullptr) return std::string(name);
  if (e->source) return e->source->replayable ? std::string() : e->source->name;
  return unreplayable_source(e->input());
}

bool Catalog::updating(std::string_view name) const {
  const Entry* e = find(name);
  if (e == nullptr || !e->query) return false;
  const BoundQuery& q = *e->query->query;
  if (q.emit == EmitMode::kChanges) return true;
  if (q.aggregate && q.emit == EmitMode::kOnUpdate) return true;
  return updating(q.input);
}

std::string Catalog::closest(std::string_view name) const {
  std::string best;
  size_t best_distance = 3;  // suggest only near misses
  for (const Entry& e : entries_) {
    const size_t d = edit_distance(name, e.name());
    if (d < best_distance) {
      best_distance = d;
      best = e.name();
    }
  }
  return best;
}

}  // namespace sluice::sql
