// Fuzz target: a push write-ahead-log segment → its records → PushWal::decode.
//
// The input is a segment file of the durable source `events` (pipeline.h): records framed as
// [length][crc32c][bytes]. Reading a log checks each record's checksum and stops at the first
// damaged one; here every framed record goes to the decoder whatever its checksum, so inputs a
// fuzzer makes (which never carry a right CRC) reach it. A decoded batch must be whole: every
// value of it is read back.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checkpoint/push_wal.h"
#include "checkpoint/record_log.h"
#include "pipeline.h"
#include "sluice/value.h"

namespace sluice::fuzz {
namespace {

void run(std::string_view segment) {
  static const SchemaPtr schema = events_schema();
  size_t at = 0;
  while (auto frame = checkpoint::read_frame(segment, at)) {
    at = frame->end;
    (void)frame->intact();
    auto batch = checkpoint::PushWal::decode(frame->record, schema);
    if (!batch.ok()) continue;
    for (int c = 0; c < batch->num_columns(); ++c) {
      for (int64_t r = 0; r < batch->num_rows(); ++r)
        (void)Value::from_column(batch->column(c), r).to_string();
    }
  }
}

}  // namespace
}  // namespace sluice::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
