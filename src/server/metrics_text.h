#pragma once
// The Prometheus text exposition (format 0.0.4) of a database's metrics, for GET /metrics:
// every source, sink and graph node, with stable names (`sluice_<object>_<what>[_total]`)
// and labels (`source`, `sink`, `node`, `kind`). docs/server.md lists them.
//
// A writer of our own rather than prometheus-cpp: the database already keeps every counter;
// a scrape reads them once (Database::sink_metrics, source_metrics, graph_json) and writes
// them out. prometheus-cpp would have us mirror each counter into its registry's own objects
// and keep those in step as objects are created and dropped; its text format is the only part
// we would use, and that is a few dozen lines here.
//
// Thread: any thread; calls only thread-safe Database methods.

#include <string>

#include "sluice/database.h"
#include "websocket_hub.h"

namespace sluice::server {

// `hub`: the WebSocket channels (sluice_websocket_*); null: none.
Result<std::string> prometheus_text(Database& db, const WebSocketHub* hub = nullptr);

}  // namespace sluice::server
