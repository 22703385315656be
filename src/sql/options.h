#pragma once
// Options of WITH (...) and INTO connector (...): each connector declares the options it
// takes (sql/connector_spec.h); anything else, or a value of the wrong form, is an error
// naming the option at CREATE time. Nothing is parsed and then ignored. This file holds the
// options that belong to no connector: push sources' and those every sink takes.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sluice/status.h"
#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/connector_spec.h"

namespace sluice::sql {

// The columns of a `primary.key` option ("id, region"), trimmed; empty when there are none.
std::vector<std::string> split_column_list(std::string_view text);

// `idle.timeout`, a duration every source takes (default 0s: never idle): a source that has
// received no rows for that long is idle, left out of the watermark of every join and union
// below it until rows come again (runtime/idle_sources.h; Kafka: per partition too).
const OptionSpec& idle_timeout_option();
// Options of a source without a connector (fed through the API): `credits` (rows in flight
// before `overflow` applies), `overflow` = block | drop | error, `durable`, `idle.timeout`.
const ConnectorSpec& push_source_spec();
// The options every sink takes besides its connector's own (the sink task's: queue.capacity,
// queue.full, flush.interval, write.timeout, retry.max, retry.backoff, on.error,
// dead_letter.sink, delivery); src/sink/sink_options.h reads them.
const std::vector<OptionSpec>& sink_task_option_specs();

// Checks `given` against `spec` and returns the options with defaults filled in.
// `what` names the object in messages ("source 'trades'").
Result<OptionMap> validate_options(const std::vector<Option>& given, const ConnectorSpec& spec,
                                   std::string_view what);
// The same for a sink: its connector's options, then the ones every sink takes.
Result<OptionMap> validate_sink_options(const std::vector<Option>& given, const ConnectorSpec& spec,
                                        std::string_view what);

// "250ms", "1s", "5 seconds", "2m", "1h", or a bare number of milliseconds → µs.
Result<int64_t> parse_duration(std::string_view text);
// A size in bytes: a whole number, optionally with a unit — B, KB/MB/GB (powers of 1000),
// KiB/MiB/GiB (powers of 1024), case-insensitive: "512MiB", "2 GB", "1048576".
Result<int64_t> parse_byte_size(std::string_view text);

}  // namespace sluice::sql
