// The Nexmark generator's events are exactly those of its first, plain version (which every
// recorded result and the oracle depend on): prices without pow (nexmark_price.h), strings
// built in reused buffers. The reference below is that version's code for auctions and bids,
// as it was.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "connectors/generator/nexmark.h"
#include "connectors/generator/nexmark_price.h"
#include "connectors/generator/random.h"
#include "sluice/batch_builder.h"

namespace sluice::connectors {
namespace {

int64_t reference_price(double unit) {
  return static_cast<int64_t>(std::round(std::pow(10.0, unit * 6) * 100));
}

TEST(NexmarkPrice, IsThePowOfTheReferenceGenerator) {
  std::mt19937_64 rng(16);
  int64_t checked = 0;
  auto check = [&](double unit) {
    ASSERT_EQ(nexmark_price(unit), reference_price(unit)) << "unit " << unit;
    ++checked;
  };
  for (int i = 0; i < 2'000'000; ++i) check(static_cast<double>(rng() >> 11) * 0x1.0p-53);
  // The ends, the tables' steps (x = k/4096 exactly) and their neighbours.
  check(0);
  check(std::nextafter(1.0, 0.0));
  for (int k = 0; k < 6 * 4096; ++k) {
    const double unit = (k / 4096.0) / 6;
    check(unit);
    check(std::nextafter(unit, 0.0));
    check(std::nextafter(unit, 1.0));
  }
  // Units whose price lies next to a half cent, where rounding is decided by the last bits.
  for (int64_t cents = 100; cents < 100'000'000; cents = cents * 3 / 2 + 1) {
    const double unit = std::log10((static_cast<double>(cents) + 0.5) / 100) / 6;
    double u = unit;
    for (int k = 0; k < 8; ++k) u = std::nextafter(u, 0.0);
    for (int k = 0; k < 16; ++k, u = std::nextafter(u, 1.0)) check(u);
  }
  EXPECT_GT(checked, 2'000'000);
}

// The first version's auction and bid, verbatim but for their names.
constexpr int64_t kFirstId = 1000;
constexpr const char* kChannels[] = {"Google", "Facebook", "Baidu", "Apple"};

int64_t last_person(int64_t event) {
  return kFirstId + event / 50;
}
int64_t last_auction(int64_t event) {
  const int64_t epoch = event / 50, offset = event % 50;
  return kFirstId + epoch * 3 + std::min<int64_t>(offset, 3) - 1;
}
void append_text(std::string& s, Random& r, size_t length) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz";
  for (size_t i = 0; i < length; ++i) s.push_back(kLetters[r.below(26)]);
}
std::string extra(Random& r, size_t used, size_t target) {
  std::string s;
  if (used < target) append_text(s, r, target - used);
  return s;
}
int64_t event_time(const NexmarkOptions& o, int64_t event) {
  return o.base_time + static_cast<int64_t>(static_cast<double>(event) * 1e6 / o.event_rate);
}

std::string reference_auction(const NexmarkOptions& o, int64_t e) {
  Random r = Random::for_row(o.seed, e);
  const int64_t id = last_auction(e);
  const int64_t persons = last_person(e);
  const int64_t seller =
      r.below(4) > 0 ? (persons / 100) * 100 : std::max<int64_t>(kFirstId, persons - r.below(1000));
  std::string item;
  append_text(item, r, 10);
  std::string description;
  append_text(description, r, 40);
  const int64_t initial = static_cast<int64_t>(std::round(std::pow(10.0, r.unit() * 6) * 100));
  const int64_t now = event_time(o, e);
  const int64_t reserve =
      initial + static_cast<int64_t>(std::round(std::pow(10.0, r.unit() * 6) * 100));
  const int64_t expires = now + 10'000'000 + r.below(50) * 1'000'000;
  const int64_t category = 10 + r.below(5);
  return std::to_string(id) + "|" + item + "|" + description + "|" + std::to_string(initial) + "|" +
         std::to_string(reserve) + "|" + std::to_string(now) + "|" + std::to_string(expires) + "|" +
         std::to_string(std::max(seller, kFirstId)) + "|" + std::to_string(category) + "|" +
         extra(r, item.size() + description.size() + 56, 500);
}

std::string reference_bid(const NexmarkOptions& o, int64_t e) {
  Random r = Random::for_row(o.seed, e);
  const int64_t auctions = last_auction(e);
  const int64_t auction =
      r.below(2) == 0 ? (auctions / 100) * 100 : std::max(kFirstId, auctions - 100 + r.below(110));
  const int64_t persons = last_person(e);
  const int64_t bidder =
      r.below(4) > 0 ? (persons / 100) * 100 : std::max(kFirstId, persons - 1000 + r.below(1010));
  const int64_t price = static_cast<int64_t>(std::round(std::pow(10.0, r.unit() * 6) * 100));
  std::string channel;
  std::string url = "https://www.nexmark.com/";
  if (r.below(2) == 0) {
    const int c = static_cast<int>(r.below(4));
    channel = kChannels[c];
    url += "item.htm?query=1&channel_id=" + std::to_string(c);
  } else {
    channel = "channel-" + std::to_string(r.below(10000));
    append_text(url, r, 5);
    url += "/item.htm?query=1";
  }
  return std::to_string(std::max(auction, kFirstId)) + "|" +
         std::to_string(std::max(bidder, kFirstId)) + "|" + std::to_string(price) + "|" + channel +
         "|" + url + "|" + std::to_string(event_time(o, e)) + "|" +
         extra(r, channel.size() + url.size() + 32, 100);
}

std::string row_text(const RecordBatch& b, int64_t row) {
  std::string s;
  for (int c = 0; c < b.num_columns(); ++c) {
    const Column& col = b.column(c);
    if (c) s += "|";
    s += col.type() == DataType::kVarchar ? std::string(col.string_value(row))
                                          : std::to_string(col.int64_value(row));
  }
  return s;
}

TEST(NexmarkGenerator, AuctionsAndBidsAreTheFirstVersionsEvents) {
  for (uint64_t seed : {1, 7}) {
    NexmarkOptions options;
    options.seed = seed;
    for (NexmarkTable table : {NexmarkTable::kAuction, NexmarkTable::kBid}) {
      NexmarkGenerator generator(table, options);
      BatchBuilder builder(nexmark_schema(table));
      constexpr int64_t kEvents = 200'000, kBatch = 4096;
      for (int64_t first = 0; first < kEvents; first += kBatch) {
        generator.generate(first, kBatch, builder);
        const RecordBatch batch = builder.finish();
        int64_t row = 0;
        for (int64_t e = first; e < first + kBatch; ++e) {
          if (!NexmarkGenerator::is_kind(table, e)) continue;
          ASSERT_LT(row, batch.num_rows());
          ASSERT_EQ(row_text(batch, row), table == NexmarkTable::kBid
                                              ? reference_bid(options, e)
                                              : reference_auction(options, e))
              << "seed " << seed << ", event " << e;
          ++row;
        }
        ASSERT_EQ(row, batch.num_rows());
      }
    }
  }
}

}  // namespace
}  // namespace sluice::connectors
