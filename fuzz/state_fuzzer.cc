// Fuzz target: a checkpoint's operator state → Graph::restore, then the restored graph runs.
//
// The input is the bytes of a state file (what a checkpoint's manifest names), for the
// pipeline in pipeline.h. The manifest's CRC-32C over the state file is checked by the manifest
// store before the state is decoded; this target calls the decoder directly, so every input
// reaches it. A restore that succeeds must leave a graph that works: rows are pushed, inputs
// end (closing every window), the graph is checkpointed again and the views are read.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge_rows.h"
#include "fuzz_check.h"
#include "pipeline.h"
#include "support/test_graph.h"

namespace sluice::fuzz {
namespace {

void run(std::string_view state) {
  TestGraph g;
  g.catalog.set_checkpointing(true);  // the source is durable
  for (const std::string& s : pipeline_statements())
    FUZZ_CHECK(g.execute(s).ok(), "the pipeline of pipeline.h");

  dataflow::StateReader reader(state);
  if (!g.graph.restore(reader).ok()) return;

  g.push_json("events", event_lines()).ignore();
  g.push("events", edge_rows(events_schema())).ignore();
  g.end_all_inputs().ignore();
  dataflow::StateWriter writer;
  g.graph.snapshot(writer);
  for (const sql::Catalog::Entry* view : g.catalog.all(sql::ObjectKind::kView))
    g.execute("SELECT * FROM " + view->name()).status().ignore();
}

}  // namespace
}  // namespace sluice::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
