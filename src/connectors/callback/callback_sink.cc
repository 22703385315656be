#include "connectors/callback/callback_sink.h"

#include "connectors/registry.h"

namespace sluice::connectors::callback {
namespace {

using sink::Sink;
using sink::SinkCapabilities;
using sink::SinkContext;

class CallbackSink final : public Sink {
 public:
  explicit CallbackSink(BatchCallback callback) : callback_(std::move(callback)) {}
  SinkCapabilities capabilities() const override { return {false, false, true, false}; }
  Status open(const SinkContext&) override { return Status::Ok(); }
  Status write(const RecordBatch& batch) override { return callback_(batch); }
  Status flush() override { return Status::Ok(); }
  Status close() override { return Status::Ok(); }

 private:
  BatchCallback callback_;
};

}  // namespace

std::unique_ptr<Sink> make_callback_sink(BatchCallback callback) {
  return std::make_unique<CallbackSink>(std::move(callback));
}

void register_connector(Registry& registry) {
  using K = sql::OptionSpec::Kind;
  registry.add_sink({.name = "callback", .options = {{"function", K::kString, {}, true, "", 0}}},
                    [](const sql::SinkDef& def,
                       const SinkFactoryContext& context) -> Result<std::unique_ptr<sink::Sink>> {
                      const std::string& name = def.options.at("function");
                      BatchCallback callback =
                          context.callback ? context.callback(name) : BatchCallback();
                      if (!callback) {
                        return Status(ErrorCode::kSqlInvalidOption,
                                      "no callback named '" + name +
                                          "' is registered; call Database::register_callback first",
                                      "sink '" + def.name + "'");
                      }
                      return make_callback_sink(std::move(callback));
                    });
}

}  // namespace sluice::connectors::callback
