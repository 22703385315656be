#pragma once
// A generator source (`nexmark`, `datagen`): produces events on its own thread, in batches, paced
// to `rate` events per second of wall time (0: as fast as the pipeline takes them), and ends after
// `limit` events (0: never). Events are numbered; a batch covers a range of them, so the offset of
// a generator is simply the next event number.
//
// Thread: its own generator thread (SourceConnector); start()/stop() from the owner.

#include <atomic>
#include <cstdint>

#include "connectors/source_connector.h"

namespace sluice::connectors {

class GeneratorSource final : public SourceConnector {
 public:
  enum class Kind { kDatagen, kNexmark };
  // Events per batch without a `batch.size` option (the registry fills in this default; an
  // option map built elsewhere may lack it).
  static constexpr int64_t kDefaultBatchSize = 4096;
  GeneratorSource(Kind kind, std::shared_ptr<runtime::Ingest> ingest,
                  std::shared_ptr<runtime::SourceRuntime> source)
      : SourceConnector(std::move(ingest), std::move(source)), kind_(kind) {}
  ~GeneratorSource() override { stop(); }

  int64_t events() const { return next_event_.load(); }

 private:
  void run() override;

  const Kind kind_;
  std::atomic<int64_t> next_event_{0};
};

}  // namespace sluice::connectors
