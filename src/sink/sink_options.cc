#include "sink/sink_options.h"

#include "columnar/value_parse.h"
#include "sql/options.h"

namespace sluice::sink {
namespace {

std::chrono::milliseconds millis(int64_t micros) {
  return std::chrono::milliseconds(micros / 1000);
}

}  // namespace

Result<SinkOptions> parse_sink_options(const sql::OptionMap& options) {
  SinkOptions o;
  auto get = [&](const char* key) -> const std::string* {
    auto it = options.find(key);
    return it == options.end() ? nullptr : &it->second;
  };
  if (const std::string* v = get("queue.capacity")) {
    int64_t n;
    SLC_RETURN_IF_ERROR(parse_int64(*v, n));
    o.queue_capacity = static_cast<size_t>(n);
  }
  if (const std::string* v = get("queue.full")) {
    o.queue_full = *v == "drop"   ? QueueFull::kDrop
                   : *v == "fail" ? QueueFull::kFail
                                  : QueueFull::kBlock;
  }
  if (const std::string* v = get("flush.interval")) {
    SLC_ASSIGN_OR_RETURN(int64_t micros, sql::parse_duration(*v));
    o.flush_interval = millis(micros);
  }
  if (const std::string* v = get("write.timeout")) {
    SLC_ASSIGN_OR_RETURN(int64_t micros, sql::parse_duration(*v));
    o.write_timeout = millis(micros);
  }
  if (const std::string* v = get("retry.max")) {
    int64_t n;
    SLC_RETURN_IF_ERROR(parse_int64(*v, n));
    o.retry_max = static_cast<int>(n);
  }
  if (const std::string* v = get("retry.backoff")) {
    SLC_ASSIGN_OR_RETURN(int64_t micros, sql::parse_duration(*v));
    o.retry_backoff = millis(micros);
  }
  if (const std::string* v = get("on.error")) {
    o.on_error = *v == "pause"         ? OnError::kPause
                 : *v == "dead_letter" ? OnError::kDeadLetter
                                       : OnError::kFail;
  }
  if (const std::string* v = get("dead_letter.sink")) o.dead_letter_sink = *v;
  if (o.on_error == OnError::kDeadLetter && o.dead_letter_sink.empty()) {
    return Status(ErrorCode::kSqlInvalidOption,
                  "on.error = 'dead_letter' needs dead_letter.sink = '<sink name>'");
  }
  if (const std::string* v = get("delivery")) o.exactly_once = *v == "exactly-once";
  return o;
}

}  // namespace sluice::sink
