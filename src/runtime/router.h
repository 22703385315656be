#pragma once
// Router: where each graph node's output goes outside the graph. Every node has a Route (a
// dataflow::Output) holding its subscriptions and, for a sink node, its sink's task; the node
// holds a pointer to its route. Routes are resolved when the catalog changes (resolve()), so
// a batch reaches its subscribers and its sink without any lookup by name.
//
// A test may also tap every node's output (set_tap): the SQL data-file runner records what
// each object emitted that way.
//
// Thread: the compute thread only (subscribe/attach run there as commands).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/graph.h"
#include "dataflow/output.h"
#include "runtime/failure.h"
#include "runtime/subscription_state.h"
#include "sink/sink_task.h"
#include "sql/names.h"

namespace sluice::runtime {

class Router {
 public:
  using Tap = std::function<void(const std::string& node, const RecordBatch& batch)>;

  // `abandon` turns true when shutdown gives up on blocked subscribers and sinks.
  Router(Failure& failure, const std::atomic<bool>& abandon);
  ~Router();

  // After a catalog change: every node gets its route; the routes of nodes that are gone
  // close their subscriptions and are forgotten.
  void resolve(const dataflow::Graph& graph);
  void subscribe(const std::string& node, std::shared_ptr<SubscriptionState> subscription);
  // The sink node's rows go to `task` (null: nowhere, e.g. while the sink is dropped).
  void attach_sink(const std::string& node, std::shared_ptr<sink::SinkTask> task);
  // Shutdown: subscribers receive what was delivered, then the end.
  void close_subscriptions();
  void set_tap(Tap tap) { tap_ = std::move(tap); }

 private:
  class Route;

  Failure& failure_;
  const std::atomic<bool>& abandon_;
  std::map<std::string, std::unique_ptr<Route>, sql::NameLess> routes_;
  Tap tap_;
};

}  // namespace sluice::runtime
