#include "dataflow/graph.h"

#include "dataflow/view_node.h"

namespace sluice::dataflow {

Graph::Graph() = default;
Graph::~Graph() = default;

SourceNode* Graph::add_source(std::shared_ptr<const sql::SourceDef> definition) {
  auto node = std::make_unique<SourceNode>(std::move(definition));
  SourceNode* raw = node.get();
  nodes_[raw->name()] = std::move(node);
  return raw;
}

QueryNode* Graph::add_query(std::shared_ptr<const sql::QueryDef> definition) {
  std::unique_ptr<QueryNode> node;
  if (definition->kind == sql::ObjectKind::kView) {
    node = std::make_unique<ViewNode>(std::move(definition));
  } else {
    auto op = make_operator(definition->query);
    node = std::make_unique<QueryNode>(std::move(definition), std::move(op));
  }
  QueryNode* raw = node.get();
  nodes_[raw->name()] = std::move(node);
  link(raw);
  return raw;
}

SinkNode* Graph::add_sink(std::shared_ptr<const sql::SinkDef> definition) {
  auto node = std::make_unique<SinkNode>(std::move(definition));
  SinkNode* raw = node.get();
  nodes_[raw->name()] = std::move(node);
  link(raw);
  return raw;
}

void Graph::link(Node* node) {
  Node* up = find(node->input());
  up->add_downstream(node);
  // A node joining a running graph starts at its input's watermark.
  node->join_at(up->watermark());
}

void Graph::remove(std::string_view name) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  if (Node* up = find(it->second->input())) up->remove_downstream(it->second.get());
  nodes_.erase(it);
}

Node* Graph::find(std::string_view name) const {
  if (name.empty()) return nullptr;
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : it->second.get();
}

SourceNode* Graph::source(std::string_view name) const {
  Node* n = find(name);
  return n != nullptr && n->kind() == sql::ObjectKind::kSource ? static_cast<SourceNode*>(n)
                                                               : nullptr;
}

std::vector<Node*> Graph::nodes() const {
  std::vector<Node*> out;
  out.reserve(nodes_.size());
  for (const auto& [name, n] : nodes_) out.push_back(n.get());
  return out;
}

GraphImage Graph::capture() const {
  GraphImage image;
  for (const auto& [name, n] : nodes_) {
    image.add({n->name(), n->kind(), n->progress(), n->capture_operator(), n->capture_table()});
  }
  return image;
}

void Graph::snapshot(StateWriter& w) const {
  capture().write(w);
}

Status Graph::restore(StateReader& r) {
  int64_t count;
  SLC_RETURN_IF_ERROR(r.i64(count));
  if (count != static_cast<int64_t>(nodes_.size())) {
    return Status(ErrorCode::kSchemaMismatch,
                  "the checkpoint has " + std::to_string(count) + " objects, the pipeline " +
                      std::to_string(nodes_.size()) + ": it was declared differently");
  }
  for (int64_t i = 0; i < count; ++i) {
    std::string name, op_state;
    uint8_t kind, ended;
    Node::Progress p{};
    SLC_RETURN_IF_ERROR(r.str(name));
    SLC_RETURN_IF_ERROR(r.u8(kind));
    SLC_RETURN_IF_ERROR(r.i64(p.watermark));
    SLC_RETURN_IF_ERROR(r.i64(p.max_event_time));
    SLC_RETURN_IF_ERROR(r.u8(ended));
    SLC_RETURN_IF_ERROR(r.i64(p.rows_in));
    SLC_RETURN_IF_ERROR(r.i64(p.rows_out));
    SLC_RETURN_IF_ERROR(r.str(op_state));
    p.ended = ended != 0;
    Node* n = find(name);
    if (n == nullptr || static_cast<uint8_t>(n->kind()) != kind) {
      return Status(
          ErrorCode::kSchemaMismatch,
          "the checkpoint has " + name + " but the pipeline has no such object of that kind");
    }
    n->set_progress(p);
    StateReader op(op_state);
    SLC_RETURN_IF_ERROR(n->restore_operator(op));
    SLC_RETURN_IF_ERROR(n->restore_table(r));
  }
  if (!r.done())
    return Status(ErrorCode::kInternal, "the checkpoint's pipeline state has trailing bytes");
  return Status::Ok();
}

}  // namespace sluice::dataflow
