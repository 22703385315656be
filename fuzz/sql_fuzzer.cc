// Fuzz target: SQL text → lexer, parser, binder, DDL, and the queries it creates run on rows.
//
// Each input is a script of ';'-separated statements run against a small fixed catalog (a
// durable source with a watermark, a plain source, a materialized view), through the same
// dataflow entry points a database's statement runner uses (tests/support/test_graph.h): CREATE
// and DROP bind and build operators, SHOW / DESCRIBE / EXPLAIN / SELECT read the catalog. Then
// every source, declared here or by the input, gets rows of edge values and its input ends, so
// each query the input managed to create evaluates its expressions, windows and aggregates.
// Errors are expected results; only crashes, sanitizer reports and hangs are findings.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge_rows.h"
#include "fuzz_check.h"
#include "pipeline.h"
#include "support/test_graph.h"

namespace sluice::fuzz {
namespace {

constexpr std::string_view kCatalog[] = {
    "CREATE SOURCE quotes (symbol VARCHAR NOT NULL, bid DOUBLE, size INT, at TIMESTAMP)",
    "CREATE MATERIALIZED VIEW totals AS SELECT symbol, COUNT(*) AS n, SUM(price) AS total "
    "FROM events GROUP BY symbol",
};

void run(std::string_view script) {
  TestGraph g;
  g.catalog.set_checkpointing(true);  // durable sources and exactly-once sinks bind
  FUZZ_CHECK(g.execute(pipeline_statements()[0]).ok(), "the events source");
  for (std::string_view s : kCatalog) FUZZ_CHECK(g.execute(s).ok(), "the fixed catalog");

  auto statements = sql::parse_statements(script);
  if (!statements.ok()) return;
  for (const sql::Statement& s : *statements) g.execute(s).status().ignore();

  for (dataflow::Node* node : g.graph.nodes()) {
    if (node->kind() != sql::ObjectKind::kSource) continue;
    auto* source = static_cast<dataflow::SourceNode*>(node);
    source->push(edge_rows(source->definition().schema)).ignore();
  }
  g.end_all_inputs().ignore();
  for (const sql::Catalog::Entry* view : g.catalog.all(sql::ObjectKind::kView))
    g.execute("SELECT * FROM " + view->name()).status().ignore();
}

}  // namespace
}  // namespace sluice::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
