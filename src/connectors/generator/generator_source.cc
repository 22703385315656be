#include "connectors/generator/generator_source.h"

#include "columnar/value_parse.h"
#include "connectors/generator/datagen.h"
#include "connectors/generator/nexmark.h"
#include "connectors/generator/pacing.h"

namespace sluice::connectors {
namespace {

int64_t option(const sql::OptionMap& options, const char* key) {
  int64_t v = 0;
  if (auto it = options.find(key); it != options.end()) parse_int64(it->second, v).ignore();
  return v;
}

}  // namespace

void GeneratorSource::run() {
  const sql::OptionMap& o = source().definition->options;
  std::unique_ptr<RowGenerator> generator;
  if (kind_ == Kind::kDatagen) {
    auto made = make_datagen(*source().schema(), o);
    if (!made.ok()) {
      ingest().fail(made.status().with_location("source '" + source().name() + "'"));
      return;
    }
    generator = std::move(made).value();
  } else {
    NexmarkTable table;
    parse_nexmark_table(o.at("table"), table);
    NexmarkOptions options;
    options.seed = static_cast<uint64_t>(option(o, "seed"));
    options.event_rate = static_cast<double>(option(o, "event.rate"));
    generator = std::make_unique<NexmarkGenerator>(table, options);
  }
  const int64_t rate = option(o, "rate");
  const int64_t limit = option(o, "limit");
  const int64_t batch_size =
      o.count("batch.size") ? std::max<int64_t>(1, option(o, "batch.size")) : kDefaultBatchSize;
  // Small batches at low rates keep latency low; large ones at full speed keep cost low.
  const int64_t per_batch = rate > 0 ? std::clamp<int64_t>(rate / 100, 1, batch_size) : batch_size;
  // A recovered database resumes at the checkpoint's event number; the pace starts there, as
  // if the earlier events had just been made.
  const int64_t resumed_at = source().resume_offset.load(std::memory_order_acquire);
  next_event_.store(resumed_at);
  const auto start = SteadyClock::now();
  BatchBuilder builder(source().schema());
  while (!stopping()) {
    if (!wait_aligned()) return;  // ahead of its alignment group: paused
    const int64_t first = next_event_.load();
    const int64_t count = limit > 0 ? std::min(per_batch, limit - first) : per_batch;
    if (count <= 0) {
      ingest().end_input(source()).ignore();
      return;
    }
    if (rate > 0) {  // wait until this batch is due
      const auto due = start + pace_offset(first - resumed_at, rate);
      if (!sleep_until(due)) return;
    }
    generator->generate(first, count, builder);
    next_event_.store(first + count);
    if (builder.num_rows() == 0) continue;
    // The offset is the next event number: replay restarts there.
    if (!ingest().push(source(), builder.finish(), first + count).ok()) return;  // shut down
  }
}

}  // namespace sluice::connectors
