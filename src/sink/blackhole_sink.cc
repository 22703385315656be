#include "sink/builtin_sinks.h"

namespace sluice::sink {
namespace {

class BlackholeSink final : public Sink {
 public:
  SinkCapabilities capabilities() const override { return {false, false, true, true}; }
  Status open(const SinkContext&) override { return Status::Ok(); }
  Status write(const RecordBatch&) override { return Status::Ok(); }
  Status flush() override { return Status::Ok(); }
  Status close() override { return Status::Ok(); }
};

}  // namespace

std::unique_ptr<Sink> make_blackhole_sink() {
  return std::make_unique<BlackholeSink>();
}

}  // namespace sluice::sink
