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

#include "common/wait_signal.h"
#include "runtime/engine.h"

namespace sluice::connectors {

class GeneratorSource {
 public:
  GeneratorSource(std::shared_ptr<runtime::Engine> engine,
                  std::shared_ptr<runtime::SourceRuntime> source);
  ~GeneratorSource();

  void start();
  void stop();
  void join();
  int64_t events() const { return next_event_.load(); }
  // Ends by itself (a `limit` was given).
  bool bounded() const { return source_->definition->bounded; }

 private:
  void run();

  std::shared_ptr<runtime::Engine> engine_;
  std::shared_ptr<runtime::SourceRuntime> source_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  WaitSignal stop_signal_;
  std::atomic<int64_t> next_event_{0};
};

}  // namespace sluice::connectors
