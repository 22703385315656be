#include "sink/builtin_sinks.h"

namespace sluice::sink {
namespace {

class CallbackSink final : public Sink {
 public:
  explicit CallbackSink(BatchCallback callback) : callback_(std::move(callback)) {}
  SinkCapabilities capabilities() const override { return {false, false, true, false}; }
  Status open(const SinkContext&) override { return Status::Ok(); }
  Status write(const RecordBatch& batch) override {
    callback_(batch);
    return Status::Ok();
  }
  Status flush() override { return Status::Ok(); }
  Status close() override { return Status::Ok(); }

 private:
  BatchCallback callback_;
};

}  // namespace

std::unique_ptr<Sink> make_callback_sink(BatchCallback callback) {
  return std::make_unique<CallbackSink>(std::move(callback));
}

}  // namespace sluice::sink
