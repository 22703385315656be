#pragma once
// A generator source (`nexmark`, `datagen`): produces events on its own thread, in batches, paced
// to `rate` events per second of wall time (0: as fast as the pipeline takes them), and ends after
// `limit` events (0: never). Events are numbered; a batch covers a range of them, so the offset of
// a generator is simply the next event number.
//
// Thread: its own generator thread; start()/stop() from the owner.

#include <atomic>
#include <memory>
#include <thread>

#include "connectors/connector_thread.h"
#include "runtime/ingest.h"

namespace sluice::connectors {

class GeneratorSource {
 public:
  GeneratorSource(std::shared_ptr<runtime::Ingest> ingest,
                  std::shared_ptr<runtime::SourceRuntime> source);
  ~GeneratorSource();

  void start() {
    thread_.start([this] { run(); });
  }
  void request_stop() { thread_.request_stop(); }
  void stop() { thread_.stop(); }
  // Waits until a bounded generator has produced its last event (or stopped).
  void wait_finished() { thread_.wait_finished(); }
  int64_t events() const { return next_event_.load(); }
  // Ends by itself (a `limit` was given).
  bool bounded() const { return source_->definition->bounded; }

 private:
  void run();

  std::shared_ptr<runtime::Ingest> ingest_;
  std::shared_ptr<runtime::SourceRuntime> source_;
  std::atomic<int64_t> next_event_{0};
  ConnectorThread thread_;  // last: stopped first when the source is destroyed
};

}  // namespace sluice::connectors
