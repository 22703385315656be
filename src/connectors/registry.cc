#include "connectors/registry.h"

#include <cstdio>
#include <cstdlib>

#include "sql/env_reference.h"
#include "sql/names.h"

namespace sluice::connectors {
namespace {

[[noreturn]] void duplicate(const std::string& kind, const std::string& name) {
  std::fprintf(stderr, "sluice: %s connector '%s' registered twice\n", kind.c_str(), name.c_str());
  std::abort();
}

template <typename Entry>
const Entry* find_in(const std::deque<Entry>& entries, std::string_view name) {
  const std::string key = sql::to_lower(name);
  for (const Entry& e : entries) {
    if (e.spec.name == key) return &e;
  }
  return nullptr;
}

template <typename Entry>
std::vector<std::string> names_of(const std::deque<Entry>& entries) {
  std::vector<std::string> out;
  for (const Entry& e : entries) out.push_back(e.spec.name);
  return out;
}

}  // namespace

void Registry::add_source(sql::ConnectorSpec spec, SourceFactory factory) {
  spec.kind = sql::ConnectorKind::kSource;
  if (source(spec.name) != nullptr) duplicate("source", spec.name);
  sources_.push_back(Source{std::move(spec), std::move(factory)});
}

void Registry::add_sink(sql::ConnectorSpec spec, SinkFactory factory) {
  spec.kind = sql::ConnectorKind::kSink;
  if (sink(spec.name) != nullptr) duplicate("sink", spec.name);
  sinks_.push_back(Sink{std::move(spec), std::move(factory)});
}

const Registry::Source* Registry::source(std::string_view name) const {
  return find_in(sources_, name);
}

const Registry::Sink* Registry::sink(std::string_view name) const {
  return find_in(sinks_, name);
}

const sql::ConnectorSpec* Registry::find_source(std::string_view name) const {
  const Source* s = source(name);
  return s ? &s->spec : nullptr;
}

const sql::ConnectorSpec* Registry::find_sink(std::string_view name) const {
  const Sink* s = sink(name);
  return s ? &s->spec : nullptr;
}

std::vector<std::string> Registry::source_names() const {
  return names_of(sources_);
}

std::vector<std::string> Registry::sink_names() const {
  return names_of(sinks_);
}

bool Registry::secret_option(std::string_view key) const {
  auto in = [&](const auto& entries) {
    for (const auto& e : entries) {
      for (const sql::OptionSpec& o : e.spec.options) {
        if (o.secret && o.key == key) return true;
      }
    }
    return false;
  };
  return in(sources_) || in(sinks_);
}

std::unique_ptr<SourceConnector> Registry::make_source(
    std::shared_ptr<runtime::Ingest> ingest, std::shared_ptr<runtime::SourceRuntime> s) const {
  const std::string& connector = s->definition->connector;
  if (connector.empty()) return nullptr;
  const Source* entry = source(connector);
  if (entry == nullptr || !entry->factory) return nullptr;
  return entry->factory(std::move(ingest), std::move(s));
}

Result<std::unique_ptr<sink::Sink>> Registry::make_sink(const sql::SinkDef& definition,
                                                        const SinkFactoryContext& context) const {
  const Sink* entry = sink(definition.connector);
  if (entry == nullptr || !entry->factory) {
    return Status(ErrorCode::kSqlInvalidOption, "no sink connector '" + definition.connector + "'");
  }
  // Resolved now, on every open (a restart reads the environment again); kept nowhere else.
  Result<sql::OptionMap> resolved = sql::resolve_env_options(definition.options);
  if (!resolved.ok()) return resolved.status().with_location("sink '" + definition.name + "'");
  sql::SinkDef opened = definition;
  opened.options = std::move(resolved).value();
  return entry->factory(opened, context);
}

}  // namespace sluice::connectors
