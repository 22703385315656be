#pragma once
// The sinks built into sluice. Each is a Sink for a SinkTask to drive.
//   blackhole  counts rows and does nothing else (benchmarks, tests)
//   console    writes rows to stdout as an aligned table or JSON lines
//   callback   hands each batch to a function the application registered (no copy, no
//              allocation per write: the plan's synchronous sink)
//   file       JSON lines or CSV files under a directory, rolled by size and age

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "sink/sink.h"

namespace sluice::sink {

using BatchCallback = std::function<void(const RecordBatch&)>;

std::unique_ptr<Sink> make_blackhole_sink();
// `out` defaults to stdout; `jsonl` picks JSON lines over a table.
std::unique_ptr<Sink> make_console_sink(bool jsonl, std::FILE* out = stdout);
std::unique_ptr<Sink> make_callback_sink(BatchCallback callback);

struct FileSinkOptions {
  std::string directory;
  bool csv = false;
  int64_t roll_bytes = 128 << 20;       // start a new file past this size
  int64_t roll_micros = 3'600'000'000;  // ... or past this age
};
std::unique_ptr<Sink> make_file_sink(FileSinkOptions options);

}  // namespace sluice::sink
