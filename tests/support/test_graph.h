#pragma once
// TestGraph: a catalog and a graph driven directly on the test's thread — DDL, pushes,
// watermarks, ad-hoc SELECT — for tests, benchmarks and fuzz targets of the dataflow layer
// alone. (A database runs statements through the runtime's dispatcher; this is the layer below
// it.)

#include <map>
#include <string>
#include <vector>

#include "columnar/row_decoder.h"
#include "connectors/registry.h"
#include "dataflow/ddl.h"
#include "dataflow/graph.h"
#include "dataflow/introspection.h"
#include "sql/parser.h"

namespace sluice {

class TestGraph {
 public:
  TestGraph() {
    connectors::register_builtin_connectors(registry);
    catalog.set_connectors(&registry);
  }

  // CREATE / DROP, SHOW / DESCRIBE / EXPLAIN, or an ad-hoc SELECT over a view.
  Result<QueryResult> execute(std::string_view text) {
    SLC_ASSIGN_OR_RETURN(sql::Statement s, sql::parse_statement(text));
    return execute(s);
  }
  Result<QueryResult> execute(const sql::Statement& s) {
    dataflow::Ddl ddl(catalog, graph);
    const dataflow::Introspection introspection(catalog, graph);
    switch (s.kind) {
      case sql::StatementKind::kCreateSource:
        return ddl.create_source(s);
      case sql::StatementKind::kCreateStream:
      case sql::StatementKind::kCreateView:
        return ddl.create_query(s);
      case sql::StatementKind::kCreateSink:
        return ddl.create_sink(s);
      case sql::StatementKind::kDrop:
        return ddl.drop(s);
      case sql::StatementKind::kShow:
        return introspection.show(s);
      case sql::StatementKind::kDescribe:
        return introspection.describe(s);
      case sql::StatementKind::kExplain:
        return introspection.explain(s);
      case sql::StatementKind::kSelect:
        return introspection.select(s);
      default:
        return Status(ErrorCode::kUnsupported,
                      "TestGraph runs DDL, SHOW, DESCRIBE, EXPLAIN and SELECT only");
    }
  }
  Status push(std::string_view source, const RecordBatch& batch) {
    dataflow::SourceNode* node = graph.source(source);
    if (node == nullptr) return Status(ErrorCode::kSqlUnknownName, "unknown source");
    SLC_RETURN_IF_ERROR(dataflow::check_batch(node->definition(), batch));
    return node->push(batch);
  }
  Status push_json(std::string_view source, std::string_view lines) {
    dataflow::SourceNode* node = graph.source(source);
    if (node == nullptr) return Status(ErrorCode::kSqlUnknownName, "unknown source");
    SLC_ASSIGN_OR_RETURN(RecordBatch batch, decode_json_lines(node->definition().schema, lines));
    return push(source, batch);
  }
  Status end_all_inputs() {
    for (dataflow::Node* n : graph.nodes()) {
      if (n->kind() == sql::ObjectKind::kSource)
        SLC_RETURN_IF_ERROR(static_cast<dataflow::SourceNode*>(n)->end_input());
    }
    return Status::Ok();
  }

  connectors::Registry registry;  // the connectors CREATE statements may name
  sql::Catalog catalog;
  dataflow::Graph graph;
};

}  // namespace sluice
