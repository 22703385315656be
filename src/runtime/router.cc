#include "runtime/router.h"

namespace sluice::runtime {

class Router::Route final : public dataflow::Output {
 public:
  Route(Router& router, std::string node) : router_(router), node_(std::move(node)) {
    subscriptions_.reserve(4);
  }

  void deliver(const RecordBatch& batch) override {
    if (router_.tap_) router_.tap_(node_, batch);
    if (sink_ != nullptr) {
      Status s = sink_->submit(batch, router_.abandon_);
      if (!s.ok()) router_.failure_.record(s);
    }
    for (size_t i = 0; i < subscriptions_.size();) {
      if (subscriptions_[i]->deliver(batch, router_.abandon_)) {
        ++i;
      } else {
        subscriptions_[i] = std::move(subscriptions_.back());  // the subscriber left; no allocation
        subscriptions_.pop_back();
      }
    }
  }

  void close() {
    for (auto& s : subscriptions_) s->queue.close();
    subscriptions_.clear();
  }

  Router& router_;
  const std::string node_;
  std::shared_ptr<sink::SinkTask> sink_;
  std::vector<std::shared_ptr<SubscriptionState>> subscriptions_;
};

Router::Router(Failure& failure, const std::atomic<bool>& abandon)
    : failure_(failure), abandon_(abandon) {}

Router::~Router() = default;

void Router::resolve(const dataflow::Graph& graph) {
  for (auto it = routes_.begin(); it != routes_.end();) {
    if (graph.find(it->first) == nullptr) {
      it->second->close();
      it = routes_.erase(it);
    } else {
      ++it;
    }
  }
  for (dataflow::Node* node : graph.nodes()) {
    auto& route = routes_[node->name()];
    if (route == nullptr) route = std::make_unique<Route>(*this, node->name());
    node->set_output(route.get());
  }
}

void Router::subscribe(const std::string& node, std::shared_ptr<SubscriptionState> subscription) {
  auto it = routes_.find(node);
  if (it == routes_.end()) {
    subscription->queue.close();  // resolve() runs before any subscribe; nothing to deliver
    return;
  }
  it->second->subscriptions_.push_back(std::move(subscription));
}

void Router::attach_sink(const std::string& node, std::shared_ptr<sink::SinkTask> task) {
  auto it = routes_.find(node);
  if (it != routes_.end()) it->second->sink_ = std::move(task);
}

void Router::close_subscriptions() {
  for (auto& [name, route] : routes_) route->close();
}

}  // namespace sluice::runtime
