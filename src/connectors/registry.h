#pragma once
// The connector registry: every connector the database knows, by name and kind, with its spec
// (options, capabilities, validation hooks; what the binder sees through
// sql::ConnectorCatalog) and its factory (what the database calls to run it). Each connector
// registers itself from its own folder (`<name>::register_connector(registry)`), and
// builtin.cc lists those calls, one line each. docs/connectors.md is the guide.
//
// Thread: filled once before the database runs a statement, then only read (from any thread).

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/source_connector.h"
#include "sink/sink.h"
#include "sql/catalog.h"
#include "sql/connector_spec.h"

namespace sluice::connectors {

// A function the application registered for `callback` sinks (Database::register_callback,
// register_fallible_callback). An error it returns is a failed write: the sink's retry.max and
// on.error apply.
using BatchCallback = std::function<Status(const RecordBatch&)>;

// What a sink factory may need from the application embedding the database.
struct SinkFactoryContext {
  // Finds a registered callback by name; an empty function when there is none.
  std::function<BatchCallback(const std::string& name)> callback;
  // The database's data directory (empty without one): where a sink keeps what it must find
  // again after a crash (the kafka sink's staged epochs, under kafka/<sink>/).
  std::string data_dir;
  // Finds a service the application provides by name (DatabaseOptions::services); null when
  // there is none. The connector that asks knows the type behind it (the `websocket` sink:
  // websocket::kBroadcasterService).
  std::function<std::shared_ptr<void>(const std::string& name)> service;
};

// Makes a source connector's reader for one source (validated definition in
// source->definition, start offset in source->resume_offset). Called with the database's
// mutex held; the connector's thread starts with start().
using SourceFactory = std::function<std::unique_ptr<SourceConnector>(
    std::shared_ptr<runtime::Ingest> ingest, std::shared_ptr<runtime::SourceRuntime> source)>;
// Makes the sink a CREATE SINK names from its validated definition. Called on the compute
// thread: read options here, do I/O in Sink::open (the sink task's thread).
using SinkFactory = std::function<Result<std::unique_ptr<sink::Sink>>(
    const sql::SinkDef& definition, const SinkFactoryContext& context)>;

class Registry final : public sql::ConnectorCatalog {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Adds a connector. `spec.kind` says which; its name is lower case and unique among
  // connectors of that kind (a second registration of a name is a programming error: abort).
  void add_source(sql::ConnectorSpec spec, SourceFactory factory);
  void add_sink(sql::ConnectorSpec spec, SinkFactory factory);

  // sql::ConnectorCatalog: case-insensitive lookups; names in registration order.
  const sql::ConnectorSpec* find_source(std::string_view name) const override;
  const sql::ConnectorSpec* find_sink(std::string_view name) const override;
  std::vector<std::string> source_names() const override;
  std::vector<std::string> sink_names() const override;
  bool secret_option(std::string_view key) const override;

  // The reader of a source whose connector is registered; null for a push source (no
  // connector) or an unknown connector.
  std::unique_ptr<SourceConnector> make_source(
      std::shared_ptr<runtime::Ingest> ingest,
      std::shared_ptr<runtime::SourceRuntime> source) const;
  // The connector of a CREATE SINK. Its factory gets the options with ${env:NAME} references
  // resolved (sql/env_reference.h): the definition keeps them as written.
  Result<std::unique_ptr<sink::Sink>> make_sink(const sql::SinkDef& definition,
                                                const SinkFactoryContext& context) const;

 private:
  struct Source {
    sql::ConnectorSpec spec;
    SourceFactory factory;
  };
  struct Sink {
    sql::ConnectorSpec spec;
    SinkFactory factory;
  };
  const Source* source(std::string_view name) const;
  const Sink* sink(std::string_view name) const;

  std::deque<Source> sources_;  // a deque: specs keep their address as more are added
  std::deque<Sink> sinks_;
};

// Registers every connector built into sluice (builtin.cc: one line per connector).
void register_builtin_connectors(Registry& registry);

}  // namespace sluice::connectors
