#include "metrics_text.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

namespace sluice::server {
namespace {

// Writes one metric family at a time: its HELP and TYPE lines, then its samples.
class PrometheusWriter {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // `labels`: (name, value) pairs; values are escaped as the format asks (\\, \", \n).
  void sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              double value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [key, text] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += key;
        out_ += "=\"";
        for (char c : text) {
          if (c == '\\')
            out_ += "\\\\";
          else if (c == '"')
            out_ += "\\\"";
          else if (c == '\n')
            out_ += "\\n";
          else
            out_ += c;
        }
        out_ += '"';
      }
      out_ += '}';
    }
    char number[32];
    std::snprintf(number, sizeof number, " %.17g\n", value);
    out_ += number;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// The names in the first column of a SHOW statement's rows.
Result<std::vector<std::string>> names(Database& db, const char* show) {
  SLC_ASSIGN_OR_RETURN(QueryResult shown, db.execute(show));
  std::vector<std::string> out;
  for (int64_t i = 0; i < shown.rows.num_rows(); ++i)
    out.emplace_back(shown.rows.column(0).string_value(i));
  return out;
}

struct SinkCounter {
  std::string_view name;
  std::string_view help;
  int64_t SinkMetrics::*field;
};
constexpr SinkCounter kSinkCounters[] = {
    {"sluice_sink_rows_total", "Rows the sink wrote.", &SinkMetrics::rows},
    {"sluice_sink_batches_total", "Batches the sink wrote.", &SinkMetrics::batches},
    {"sluice_sink_bytes_total", "Bytes the sink wrote.", &SinkMetrics::bytes},
    {"sluice_sink_write_errors_total", "Failed writes and flushes.", &SinkMetrics::write_errors},
    {"sluice_sink_retries_total", "Retried writes and flushes.", &SinkMetrics::retries},
    {"sluice_sink_backpressure_events_total", "Times the compute thread found the queue full.",
     &SinkMetrics::backpressure_events},
    {"sluice_sink_dropped_rows_total", "Rows dropped by queue.full = 'drop'.",
     &SinkMetrics::dropped_rows},
    {"sluice_sink_failed_rows_total", "Rows given up on.", &SinkMetrics::failed_rows},
    {"sluice_sink_dead_lettered_rows_total", "Rows sent to the dead-letter sink.",
     &SinkMetrics::dead_lettered_rows},
    {"sluice_sink_slow_writes_total", "Writes longer than write.timeout.",
     &SinkMetrics::slow_writes},
};

struct SourceCounter {
  std::string_view name;
  std::string_view help;
  int64_t SourceMetrics::*field;
};
constexpr SourceCounter kSourceCounters[] = {
    {"sluice_source_rows_total", "Rows accepted from the source.", &SourceMetrics::pushed_rows},
    {"sluice_source_blocked_total", "Pushes that waited for credits.", &SourceMetrics::blocked},
    {"sluice_source_dropped_rows_total", "Rows dropped by overflow = 'drop'.",
     &SourceMetrics::dropped_rows},
    {"sluice_source_rejected_total", "Pushes refused by overflow = 'error'.",
     &SourceMetrics::rejected},
    {"sluice_source_skipped_lines_total", "Bad input lines skipped.",
     &SourceMetrics::skipped_lines},
    {"sluice_source_alignment_pauses_total",
     "Times the reader paused, ahead of its watermark alignment group.",
     &SourceMetrics::alignment_pauses},
    {"sluice_source_alignment_paused_microseconds_total",
     "Time the reader spent paused for watermark alignment.",
     &SourceMetrics::alignment_paused_micros},
};

Status write_sources(Database& db, PrometheusWriter& w) {
  SLC_ASSIGN_OR_RETURN(std::vector<std::string> sources, names(db, "SHOW SOURCES"));
  std::vector<std::pair<std::string, SourceMetrics>> metrics;
  for (const std::string& name : sources) {
    if (auto m = db.source_metrics(name); m.ok()) metrics.emplace_back(name, *m);
  }
  for (const SourceCounter& c : kSourceCounters) {
    w.family(c.name, "counter", c.help);
    for (const auto& [name, m] : metrics) w.sample(c.name, {{"source", name}}, double(m.*c.field));
  }
  w.family("sluice_source_in_flight_rows", "gauge", "Rows accepted, not yet processed.");
  for (const auto& [name, m] : metrics)
    w.sample("sluice_source_in_flight_rows", {{"source", name}}, double(m.in_flight));
  return Status::Ok();
}

Status write_sinks(Database& db, PrometheusWriter& w) {
  SLC_ASSIGN_OR_RETURN(std::vector<std::string> sinks, names(db, "SHOW SINKS"));
  std::vector<SinkMetrics> metrics;
  for (const std::string& name : sinks) {
    if (auto m = db.sink_metrics(name); m.ok()) metrics.push_back(*m);
  }
  for (const SinkCounter& c : kSinkCounters) {
    w.family(c.name, "counter", c.help);
    for (const SinkMetrics& m : metrics) w.sample(c.name, {{"sink", m.name}}, double(m.*c.field));
  }
  w.family("sluice_sink_queue_depth", "gauge", "Batches waiting in the sink's queue.");
  for (const SinkMetrics& m : metrics)
    w.sample("sluice_sink_queue_depth", {{"sink", m.name}}, double(m.queue_depth));
  w.family("sluice_sink_last_committed_epoch", "gauge",
           "The newest epoch the sink committed (-1: none).");
  for (const SinkMetrics& m : metrics)
    w.sample("sluice_sink_last_committed_epoch", {{"sink", m.name}},
             double(m.last_committed_epoch));
  // Write latency as a Prometheus histogram: cumulative buckets in seconds, +Inf the count.
  constexpr std::string_view kLatency = "sluice_sink_write_latency_seconds";
  w.family(kLatency, "histogram", "Time of the connector's write call per batch.");
  for (const SinkMetrics& m : metrics) {
    for (size_t i = 0; i < kWriteLatencyBoundsNs.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", double(kWriteLatencyBoundsNs[i]) / 1e9);
      w.sample("sluice_sink_write_latency_seconds_bucket", {{"sink", m.name}, {"le", le}},
               double(std::min(m.write_latency_buckets[i], m.write_latency_count)));
    }
    w.sample("sluice_sink_write_latency_seconds_bucket", {{"sink", m.name}, {"le", "+Inf"}},
             double(m.write_latency_count));
    w.sample("sluice_sink_write_latency_seconds_sum", {{"sink", m.name}},
             double(m.write_latency_sum_ns) / 1e9);
    w.sample("sluice_sink_write_latency_seconds_count", {{"sink", m.name}},
             double(m.write_latency_count));
  }
  w.family("sluice_sink_up", "gauge", "1 while the sink is running, with its state as a label.");
  for (const SinkMetrics& m : metrics)
    w.sample("sluice_sink_up", {{"sink", m.name}, {"state", m.state}},
             m.state == "running" ? 1 : 0);
  return Status::Ok();
}

// Graph nodes (sources, streams, views, sinks, and the steps of a query: joins, unions,
// subqueries): rows in and out, late rows, unmatched deletes, state, from the graph JSON. `object`
// is the object a step belongs to (for an object, itself).
Status write_nodes(Database& db, PrometheusWriter& w) {
  SLC_ASSIGN_OR_RETURN(std::string graph, db.graph_json());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array nodes;
  if (parser.parse(simdjson::padded_string(graph)).get(doc) != simdjson::SUCCESS ||
      doc["nodes"].get(nodes) != simdjson::SUCCESS) {
    return Status(ErrorCode::kInternal, "the graph JSON has no \"nodes\" array");
  }
  struct Node {
    std::string name, kind, object;
    int64_t in = 0, out = 0, late = 0, unmatched_deletes = 0;
    int64_t state_groups = 0, state_bytes = 0;
    int64_t table_rows = -1;  // -1: no view table
  };
  std::vector<Node> read;
  for (simdjson::dom::element node : nodes) {
    Node n;
    std::string_view name, kind;
    if (node["name"].get(name) || node["kind"].get(kind)) continue;
    n.name = name;
    n.kind = kind;
    std::string_view object;
    n.object = node["step_of"].get(object) == simdjson::SUCCESS ? object : name;
    if (node["rows_in"].get(n.in) || node["rows_out"].get(n.out)) continue;
    if (node["late_rows"].get(n.late) || node["unmatched_deletes"].get(n.unmatched_deletes))
      continue;
    if (node["state_groups"].get(n.state_groups) || node["state_bytes"].get(n.state_bytes))
      continue;
    int64_t table_rows;
    if (node["table_rows"].get(table_rows) == simdjson::SUCCESS) n.table_rows = table_rows;
    read.push_back(std::move(n));
  }
  w.family("sluice_node_rows_in_total", "counter", "Rows into a graph node.");
  for (const Node& n : read)
    w.sample("sluice_node_rows_in_total",
             {{"node", n.name}, {"kind", n.kind}, {"object", n.object}}, double(n.in));
  w.family("sluice_node_rows_out_total", "counter", "Rows out of a graph node.");
  for (const Node& n : read)
    w.sample("sluice_node_rows_out_total",
             {{"node", n.name}, {"kind", n.kind}, {"object", n.object}}, double(n.out));
  w.family("sluice_node_late_rows_total", "counter",
           "Rows a graph node dropped as late (behind its watermark beyond the lateness).");
  for (const Node& n : read)
    w.sample("sluice_node_late_rows_total",
             {{"node", n.name}, {"kind", n.kind}, {"object", n.object}}, double(n.late));
  w.family("sluice_node_unmatched_deletes_total", "counter",
           "Deletes of an input's changelog that matched nothing the node holds (dropped).");
  for (const Node& n : read)
    w.sample("sluice_node_unmatched_deletes_total",
             {{"node", n.name}, {"kind", n.kind}, {"object", n.object}},
             double(n.unmatched_deletes));
  w.family("sluice_node_state_groups", "gauge",
           "Live groups of the node's operator state (a join: rows kept on both sides).");
  for (const Node& n : read)
    w.sample("sluice_node_state_groups", {{"node", n.name}, {"kind", n.kind}, {"object", n.object}},
             double(n.state_groups));
  w.family("sluice_node_state_bytes", "gauge",
           "Bytes of memory the node's operator state and view table take.");
  for (const Node& n : read)
    w.sample("sluice_node_state_bytes", {{"node", n.name}, {"kind", n.kind}, {"object", n.object}},
             double(n.state_bytes));
  w.family("sluice_view_table_rows", "gauge", "Distinct rows a materialized view holds.");
  for (const Node& n : read) {
    if (n.table_rows >= 0)
      w.sample("sluice_view_table_rows", {{"node", n.name}}, double(n.table_rows));
  }
  return Status::Ok();
}

// Checkpoints (with a data_dir): counts, the compute thread's pause, durations, state bytes.
void write_checkpoints(const CheckpointMetrics& m, PrometheusWriter& w) {
  if (!m.enabled) return;
  w.family("sluice_checkpoints_completed_total", "counter", "Checkpoints committed.");
  w.sample("sluice_checkpoints_completed_total", {}, double(m.completed));
  w.family("sluice_checkpoints_failed_total", "counter", "Checkpoints that failed.");
  w.sample("sluice_checkpoints_failed_total", {}, double(m.failed));
  w.family("sluice_checkpoint_last_epoch", "gauge", "The newest committed epoch (0: none).");
  w.sample("sluice_checkpoint_last_epoch", {}, double(m.last_epoch));
  w.family("sluice_checkpoint_pause_seconds", "gauge",
           "The compute thread's time inside the last checkpoint cut.");
  w.sample("sluice_checkpoint_pause_seconds", {}, double(m.last_pause_ns) / 1e9);
  w.family("sluice_checkpoint_pause_max_seconds", "gauge",
           "The longest compute-thread pause of any checkpoint cut since open.");
  w.sample("sluice_checkpoint_pause_max_seconds", {}, double(m.max_pause_ns) / 1e9);
  constexpr std::string_view kDuration = "sluice_checkpoint_duration_seconds";
  w.family(kDuration, "histogram", "Time from a checkpoint's cut to its commit on every sink.");
  for (size_t i = 0; i < kCheckpointDurationBoundsNs.size(); ++i) {
    char le[32];
    std::snprintf(le, sizeof le, "%g", double(kCheckpointDurationBoundsNs[i]) / 1e9);
    w.sample("sluice_checkpoint_duration_seconds_bucket", {{"le", le}},
             double(std::min(m.duration_buckets[i], m.duration_count)));
  }
  w.sample("sluice_checkpoint_duration_seconds_bucket", {{"le", "+Inf"}}, double(m.duration_count));
  w.sample("sluice_checkpoint_duration_seconds_sum", {}, double(m.duration_sum_ns) / 1e9);
  w.sample("sluice_checkpoint_duration_seconds_count", {}, double(m.duration_count));
  w.family("sluice_checkpoint_state_bytes", "gauge", "Bytes of the last checkpoint's state file.");
  w.sample("sluice_checkpoint_state_bytes", {}, double(m.last_state_bytes));
  w.family("sluice_checkpoint_state_bytes_total", "counter",
           "Bytes of state written by every checkpoint.");
  w.sample("sluice_checkpoint_state_bytes_total", {}, double(m.state_bytes_total));
}

struct ChannelCounter {
  std::string_view name;
  std::string_view type;
  std::string_view help;
  std::atomic<int64_t> ChannelCounters::*field;
};
constexpr ChannelCounter kChannelCounters[] = {
    {"sluice_websocket_clients", "gauge", "Clients connected to the sink's path.",
     &ChannelCounters::clients},
    {"sluice_websocket_messages_encoded_total", "counter",
     "Messages the sink encoded (once each, whatever the number of clients).",
     &ChannelCounters::published},
    {"sluice_websocket_messages_sent_total", "counter", "Messages written to clients (per client).",
     &ChannelCounters::messages_sent},
    {"sluice_websocket_bytes_sent_total", "counter", "Bytes written to clients (per client).",
     &ChannelCounters::bytes_sent},
    {"sluice_websocket_dropped_messages_total", "counter",
     "Messages a slow client's queue dropped (per client).", &ChannelCounters::dropped_messages},
    {"sluice_websocket_disconnects_total", "counter",
     "Clients closed by client.slow = 'disconnect'.", &ChannelCounters::disconnects},
};

void write_channels(const WebSocketHub& hub, PrometheusWriter& w) {
  const auto channels = hub.channels();
  for (const ChannelCounter& c : kChannelCounters) {
    w.family(c.name, c.type, c.help);
    for (const auto& channel : channels) {
      w.sample(c.name, {{"sink", channel->options().sink}, {"path", channel->options().path}},
               double((channel->counters().*c.field).load()));
    }
  }
}

}  // namespace

Result<std::string> prometheus_text(Database& db, const WebSocketHub* hub) {
  PrometheusWriter w;
  SLC_RETURN_IF_ERROR(write_sources(db, w));
  SLC_RETURN_IF_ERROR(write_nodes(db, w));
  SLC_RETURN_IF_ERROR(write_sinks(db, w));
  write_checkpoints(db.checkpoint_metrics(), w);
  if (hub != nullptr) write_channels(*hub, w);
  return w.take();
}

}  // namespace sluice::server
