#include "connectors/blackhole/blackhole_sink.h"

#include "connectors/registry.h"

namespace sluice::connectors::blackhole {
namespace {

using sink::Sink;
using sink::SinkCapabilities;
using sink::SinkContext;

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

void register_connector(Registry& registry) {
  registry.add_sink(
      {.name = "blackhole"},
      [](const sql::SinkDef&, const SinkFactoryContext&) -> Result<std::unique_ptr<sink::Sink>> {
        return make_blackhole_sink();
      });
}

}  // namespace sluice::connectors::blackhole
