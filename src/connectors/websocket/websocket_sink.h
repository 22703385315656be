#pragma once
// The `websocket` sink: every client connected to `path` on `sluice serve` receives the rows.
//   INTO websocket (path = '/ws/live', format = 'batch' | 'row',
//                   client.queue.bytes = 1048576, client.slow = 'drop_oldest' | 'drop_newest' |
//                   'disconnect')
// Each batch (format 'batch') or row ('row') is encoded once, as JSON with a sequence number
// per message ({"seq":N,"rows":[...]} or {"seq":N,"row":{...}}), into one immutable buffer
// that every client's queue references. Delivery is at most once: clients come and go, slow
// ones lose messages by their policy; a gap in `seq` shows it. docs/server.md.
//
// Thread: the sink task's.

#include <atomic>
#include <memory>

#include "columnar/row_encoder.h"
#include "connectors/websocket/broadcaster.h"
#include "sink/sink.h"

namespace sluice::connectors {
class Registry;
}

namespace sluice::connectors::websocket {

// Rows [begin, end) of `batch` as one message, {"seq":N,"rows":[...]} or, `per_row` (one row),
// {"seq":N,"row":{...}}: encoded once, into an immutable buffer for every client. `scratch` is
// reused between calls. The websocket sink and `sluice serve`'s subscriptions share it.
std::shared_ptr<const std::string> encode_message(const JsonLinesEncoder& encoder,
                                                  const RecordBatch& batch, int64_t begin,
                                                  int64_t end, int64_t seq, bool per_row,
                                                  std::string& scratch);

// Messages encoded by every websocket sink of the process (a test checks: one per batch,
// however many clients).
int64_t encoded_messages();

std::unique_ptr<sink::Sink> make_websocket_sink(std::shared_ptr<Broadcaster> broadcaster,
                                                ChannelOptions options, bool per_row);

void register_connector(Registry& registry);

}  // namespace sluice::connectors::websocket
