#pragma once
// The `file` sink: JSON lines or CSV part files under a directory, rolled by size and age;
// exactly-once capable (one staged part per epoch, published at commit). file_sink.cc has
// how it works; docs/sinks.md the user's view.
//
// Thread: the sink task's, from open() on.

#include <cstdint>
#include <memory>
#include <string>

#include "sink/sink.h"

namespace sluice::connectors::file {

struct FileSinkOptions {
  std::string directory;
  bool csv = false;
  int64_t roll_bytes = 128 << 20;       // start a new file past this size
  int64_t roll_micros = 3'600'000'000;  // ... or past this age
};
std::unique_ptr<sink::Sink> make_file_sink(FileSinkOptions options);

}  // namespace sluice::connectors::file
