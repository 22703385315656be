#include <string>

#include "columnar/row_encoder.h"
#include "connectors/console/console_sink.h"
#include "connectors/registry.h"

namespace sluice::connectors::console {
namespace {

using sink::Sink;
using sink::SinkCapabilities;
using sink::SinkContext;

class ConsoleSink final : public Sink {
 public:
  ConsoleSink(bool jsonl, std::FILE* out) : jsonl_(jsonl), out_(out) {}
  SinkCapabilities capabilities() const override { return {false, false, true, false}; }
  std::chrono::milliseconds default_flush_interval() const override {
    return std::chrono::milliseconds(200);
  }

  Status open(const SinkContext&) override { return Status::Ok(); }

  Status write(const RecordBatch& batch) override {
    buffer_.clear();
    if (jsonl_) {
      // Keys are encoded once per schema, not per batch.
      if (!encoder_ || schema_ != batch.schema()) {
        schema_ = batch.schema();
        encoder_ = std::make_unique<JsonLinesEncoder>(*schema_);
      }
      encoder_->encode(batch, buffer_);
    } else {
      buffer_ = batch.to_string(INT64_MAX);
    }
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
      return Status(ErrorCode::kIoError, "writing to the console failed");
    }
    bytes_ += static_cast<int64_t>(buffer_.size());
    return Status::Ok();
  }
  Status flush() override {
    std::fflush(out_);
    return Status::Ok();
  }
  Status close() override { return flush(); }
  int64_t bytes_written() const override { return bytes_; }

 private:
  const bool jsonl_;
  std::FILE* const out_;
  SchemaPtr schema_;
  std::unique_ptr<JsonLinesEncoder> encoder_;
  std::string buffer_;
  int64_t bytes_ = 0;
};

}  // namespace

std::unique_ptr<Sink> make_console_sink(bool jsonl, std::FILE* out) {
  return std::make_unique<ConsoleSink>(jsonl, out);
}

void register_connector(Registry& registry) {
  using K = sql::OptionSpec::Kind;
  registry.add_sink(
      {.name = "console",
       .options = {{"format", K::kChoice, {"table", "jsonl"}, false, "table", 0}}},
      [](const sql::SinkDef& def, const SinkFactoryContext&) -> Result<std::unique_ptr<Sink>> {
        return make_console_sink(def.options.at("format") == "jsonl");
      });
}

}  // namespace sluice::connectors::console
