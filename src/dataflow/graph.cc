#include "dataflow/graph.h"

#include <algorithm>
#include <set>

#include "dataflow/join_node.h"
#include "dataflow/union_node.h"
#include "dataflow/view_node.h"

namespace sluice::dataflow {

Graph::Graph() : join_factory_(make_join_operator) {}
Graph::~Graph() = default;

SourceNode* Graph::add_source(std::shared_ptr<const sql::SourceDef> definition) {
  auto node = std::make_unique<SourceNode>(std::move(definition));
  SourceNode* raw = node.get();
  nodes_[raw->name()] = std::move(node);
  return raw;
}

Result<QueryNode*> Graph::add_query(std::shared_ptr<const sql::QueryDef> definition) {
  const std::string object = definition->name;
  const std::string where =
      std::string(sql::object_kind_name(definition->kind)) + " '" + object + "'";
  // Every node is made, and every input checked, before any is added: nothing half-exists.
  std::vector<std::unique_ptr<Node>> made;
  std::set<std::string, sql::NameLess> names;
  auto check_inputs = [&](const Node& n) -> Status {
    for (const std::string& in : n.inputs()) {
      if (find(in) == nullptr && !names.contains(in)) {
        return Status(
            ErrorCode::kInternal,
            "'" + n.name() + "' reads '" + in + "', which is neither an object nor an earlier step",
            where);
      }
    }
    if (find(n.name()) != nullptr || names.contains(n.name())) {
      return Status(ErrorCode::kSqlDuplicateName, "a node named '" + n.name() + "' already exists",
                    where);
    }
    return Status::Ok();
  };
  for (const sql::PlanStep& step : definition->query->steps) {
    std::unique_ptr<Node> node;
    switch (step.kind) {
      case sql::PlanStep::Kind::kQuery: {
        auto def = std::make_shared<sql::QueryDef>();
        def->name = step.name;
        def->kind = sql::ObjectKind::kStream;
        def->query = step.query;
        def->anonymous = true;
        def->sql = definition->sql;
        node = std::make_unique<QueryNode>(def, make_operator(step.query, false, &clock_), object);
        break;
      }
      case sql::PlanStep::Kind::kJoin: {
        Result<std::unique_ptr<JoinOperator>> op = join_factory_(step.join);
        if (!op.ok()) return op.status().with_location("step " + step.name + " of " + where);
        node = std::make_unique<JoinNode>(step, std::move(*op), object);
        break;
      }
      case sql::PlanStep::Kind::kUnion:
        node = std::make_unique<UnionNode>(step, object);
        break;
    }
    SLC_RETURN_IF_ERROR(check_inputs(*node));
    names.insert(node->name());
    made.push_back(std::move(node));
  }
  std::unique_ptr<QueryNode> own;
  if (definition->kind == sql::ObjectKind::kView) {
    own = std::make_unique<ViewNode>(std::move(definition), &clock_);
  } else {
    auto op = make_operator(definition->query, false, &clock_);
    own = std::make_unique<QueryNode>(std::move(definition), std::move(op));
  }
  SLC_RETURN_IF_ERROR(check_inputs(*own));
  made.push_back(std::move(own));
  QueryNode* raw = static_cast<QueryNode*>(made.back().get());
  for (std::unique_ptr<Node>& node : made) {
    Node* n = node.get();
    nodes_[n->name()] = std::move(node);
    link(n);
    if (n->processing_time()) processing_time_nodes_.push_back(n);
  }
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
  const std::vector<std::string> inputs = node->inputs();
  for (size_t port = 0; port < inputs.size(); ++port) {
    Node* up = find(inputs[port]);
    up->add_downstream(node, static_cast<int>(port));
    // A node joining a running graph starts at its inputs' watermarks (their minimum).
    node->join_input(static_cast<int>(port), up->watermark(), up->idle());
  }
}

void Graph::erase(std::string_view name) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  for (const std::string& in : it->second->inputs()) {
    if (Node* up = find(in)) up->remove_downstream(it->second.get());
  }
  std::erase(processing_time_nodes_, it->second.get());
  nodes_.erase(it);
}

void Graph::remove(std::string_view name) {
  const std::vector<Node*> steps = steps_of(name);
  erase(name);
  // The steps go after their object, the last first: each is read only by later ones.
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) erase((*it)->name());
}

std::vector<Node*> Graph::steps_of(std::string_view object) const {
  std::vector<Node*> out;
  const Node* n = find(object);
  if (n == nullptr || !n->step_of().empty()) return out;
  if (n->kind() != sql::ObjectKind::kStream && n->kind() != sql::ObjectKind::kView) return out;
  for (const sql::PlanStep& step : static_cast<const QueryNode*>(n)->query().steps) {
    if (Node* s = find(step.name)) out.push_back(s);
  }
  return out;
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
  SLC_RETURN_IF_ERROR(r.count(count, 1));
  // Each node the checkpoint names must be in the pipeline, of the same kind, and every node
  // of the pipeline in the checkpoint: else it was declared differently, and the message says
  // which object or step differs.
  std::set<std::string, sql::NameLess> seen;
  for (int64_t i = 0; i < count; ++i) {
    std::string name;
    std::string_view op_state;  // in place: an operator's state is read without a copy
    uint8_t kind, ended;
    Node::Progress p{};
    SLC_RETURN_IF_ERROR(r.str(name));
    SLC_RETURN_IF_ERROR(r.u8(kind));
    SLC_RETURN_IF_ERROR(r.i64(p.watermark));
    SLC_RETURN_IF_ERROR(r.i64(p.max_event_time));
    SLC_RETURN_IF_ERROR(r.u8(ended));
    SLC_RETURN_IF_ERROR(r.i64(p.rows_in));
    SLC_RETURN_IF_ERROR(r.i64(p.rows_out));
    SLC_RETURN_IF_ERROR(r.str_view(op_state));
    p.ended = ended != 0;
    Node* n = find(name);
    if (n == nullptr || static_cast<uint8_t>(n->kind()) != kind) {
      return Status(ErrorCode::kSchemaMismatch,
                    "the checkpoint has " + name +
                        " but the pipeline has no such object or step of that kind: it was "
                        "declared differently");
    }
    seen.insert(name);
    n->set_progress(p);
    StateReader op(op_state);
    SLC_RETURN_IF_ERROR(n->restore_operator(op));
    SLC_RETURN_IF_ERROR(n->restore_table(r));
  }
  if (!r.done())
    return Status(ErrorCode::kInternal, "the checkpoint's pipeline state has trailing bytes");
  std::string missing;
  for (const auto& [name, n] : nodes_) {
    if (!seen.contains(name)) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty()) {
    return Status(ErrorCode::kSchemaMismatch,
                  "the pipeline has " + missing +
                      " that the checkpoint has not: it was declared differently");
  }
  for (const Node* n : processing_time_nodes_) {
    if (n->watermark() != kFinalWatermark) clock_.not_before(n->watermark());
  }
  return Status::Ok();
}

int64_t Graph::next_processing_deadline() const {
  int64_t next = kFinalWatermark;
  for (const Node* n : processing_time_nodes_) next = std::min(next, n->next_processing_deadline());
  return next;
}

Status Graph::advance_processing_time() {
  const int64_t now = clock_.now();
  for (Node* n : processing_time_nodes_) SLC_RETURN_IF_ERROR(n->advance_processing_time(now));
  return Status::Ok();
}

}  // namespace sluice::dataflow
