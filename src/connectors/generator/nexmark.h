#pragma once
// The Nexmark event generator (after the nexmark/nexmark project's Java generator, as
// ../shared/BENCHMARKS.md describes it). Event n is a Person when n % 50 == 0, an Auction
// when n % 50 is 1..3, a Bid otherwise; persons and auctions have dense ids from 1000.
// Every value of event n comes from a random stream seeded by (seed, n), so any range of
// events can be generated again exactly (a replay from an offset).
//
// Event time: base_time + n / event_rate, the published runs' 10 M events/s by default.
//
// Thread: a generator is used by one thread.

#include <cstdint>
#include <string>

#include "connectors/generator/row_generator.h"
#include "sluice/batch_builder.h"
#include "sluice/schema.h"

namespace sluice::connectors {

enum class NexmarkTable { kPerson, kAuction, kBid };

struct NexmarkOptions {
  uint64_t seed = 1;
  double event_rate = 10'000'000;             // events per second of event time
  int64_t base_time = 1'795'514'400'000'000;  // µs: 2026-11-24T10:00:00Z
};

// The schema of a table: Person(id, name, email_address, credit_card, city, state,
// date_time, extra), Auction(id, item_name, description, initial_bid, reserve, date_time,
// expires, seller, category, extra), Bid(auction, bidder, price, channel, url, date_time,
// extra). Prices are BIGINT cents.
SchemaPtr nexmark_schema(NexmarkTable table);
bool parse_nexmark_table(const std::string& name, NexmarkTable& table);

class NexmarkGenerator final : public RowGenerator {
 public:
  NexmarkGenerator(NexmarkTable table, NexmarkOptions options);

  // Appends the rows of `table` among events [first, first + count) to `out`, which must
  // have nexmark_schema(table). Returns how many rows it appended.
  int64_t generate(int64_t first, int64_t count, BatchBuilder& out) override;

  static bool is_kind(NexmarkTable table, int64_t event) {
    const int64_t k = event % 50;
    return table == NexmarkTable::kPerson    ? k == 0
           : table == NexmarkTable::kAuction ? (k >= 1 && k <= 3)
                                             : k >= 4;
  }

 private:
  void person(int64_t event, BatchBuilder& out);
  void auction(int64_t event, BatchBuilder& out);
  void bid(int64_t event, BatchBuilder& out);
  int64_t event_time(int64_t event) const;

  NexmarkTable table_;
  NexmarkOptions options_;
  std::string scratch_;
  std::string channel_, url_;  // a bid's, reused
};

}  // namespace sluice::connectors
