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

std::vector<std::string> Catalog::Entry::inputs() const {
  if (sink) return {sink->input};
  if (!query) return {};
  const BoundQuery& q = *query->query;
  std::vector<std::string> out;
  auto add = [&](const std::string& name) {
    if (find_step(&q.steps, name) != nullptr) return;
    for (const std::string& seen : out) {
      if (to_lower(seen) == to_lower(name)) return;
    }
    out.push_back(name);
  };
  for (const PlanStep& step : q.steps) {
    for (const std::string& in : step.inputs) add(in);
  }
  add(q.input);
  return out;
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
    for (const std::string& in : e.inputs()) {
      if (to_lower(in) == key) {
        out.push_back(&e);
        break;
      }
    }
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

const PlanStep* find_step(const std::vector<PlanStep>* steps, std::string_view name) {
  if (steps == nullptr) return nullptr;
  const std::string key = to_lower(name);
  for (const PlanStep& step : *steps) {
    if (to_lower(step.name) == key) return &step;
  }
  return nullptr;
}

bool emits_updates(const BoundQuery& q) {
  return q.emit == EmitMode::kChanges || (q.aggregate && q.emit == EmitMode::kOnUpdate);
}

// A step's inputs are in the statement's steps (or the catalog); an object's in its own steps.
template <typename Visit>
bool Catalog::for_inputs(std::string_view name, const std::vector<PlanStep>* steps,
                         Visit visit) const {
  if (const PlanStep* step = find_step(steps, name)) {
    for (const std::string& in : step->inputs) visit(in, steps);
    return true;
  }
  const Entry* e = find(name);
  if (e == nullptr || e->source) return false;
  if (e->sink) {
    visit(e->sink->input, nullptr);
  } else {
    visit(e->query->query->input, &e->query->query->steps);
  }
  return true;
}

bool Catalog::has_watermark(std::string_view name, const std::vector<PlanStep>* steps) const {
  bool all = true;
  const bool reads =
      for_inputs(name, steps, [&](const std::string& in, const std::vector<PlanStep>* in_steps) {
        all = all && has_watermark(in, in_steps);
      });
  if (reads) return all;
  const Entry* e = find(name);
  return e != nullptr && e->source && e->source->watermark_column >= 0;
}

bool Catalog::bounded(std::string_view name, const std::vector<PlanStep>* steps) const {
  bool all = true;
  const bool reads =
      for_inputs(name, steps, [&](const std::string& in, const std::vector<PlanStep>* in_steps) {
        all = all && bounded(in, in_steps);
      });
  if (reads) return all;
  const Entry* e = find(name);
  return e != nullptr && e->source && e->source->bounded;
}

std::vector<std::string> Catalog::sources_upstream(std::string_view name,
                                                   const std::vector<PlanStep>* steps) const {
  std::vector<std::string> out;
  const bool reads =
      for_inputs(name, steps, [&](const std::string& in, const std::vector<PlanStep>* in_steps) {
        for (std::string& s : sources_upstream(in, in_steps)) {
          if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
        }
      });
  if (!reads) {
    const Entry* e = find(name);
    if (e != nullptr && e->source) out.push_back(e->source->name);
  }
  return out;
}

std::string Catalog::unreplayable_source(std::string_view name,
                                         const std::vector<PlanStep>* steps) const {
  std::string first;
  const bool reads =
      for_inputs(name, steps, [&](const std::string& in, const std::vector<PlanStep>* in_steps) {
        if (first.empty()) first = unreplayable_source(in, in_steps);
      });
  if (reads) return first;
  const Entry* e = find(name);
  if (e == nullptr) return std::string(name);
  return e->source->replayable ? std::string() : e->source->name;
}

bool Catalog::updating(std::string_view name, const std::vector<PlanStep>* steps) const {
  if (const PlanStep* step = find_step(steps, name)) {
    switch (step->kind) {
      case PlanStep::Kind::kQuery:
        if (emits_updates(*step->query)) return true;
        break;
      case PlanStep::Kind::kJoin: {
        const Schema& out = *step->join->output_schema;
        return out.num_fields() > 0 &&
               out.field(out.num_fields() - 1).name == std::string(kChangeOpColumn);
      }
      case PlanStep::Kind::kUnion:
        break;
    }
  } else {
    const Entry* e = find(name);
    if (e == nullptr || !e->query) return false;
    if (emits_updates(*e->query->query)) return true;
  }
  bool any = false;
  for_inputs(name, steps, [&](const std::string& in, const std::vector<PlanStep>* in_steps) {
    any = any || updating(in, in_steps);
  });
  return any;
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
