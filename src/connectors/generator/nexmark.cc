#include "connectors/generator/nexmark.h"

#include <charconv>
#include <cmath>

#include "connectors/generator/nexmark_price.h"
#include "connectors/generator/random.h"
#include "sluice/schema.h"

namespace sluice::connectors {
namespace {

constexpr int64_t kFirstId = 1000;
constexpr const char* kChannels[] = {"Google", "Facebook", "Baidu", "Apple"};
constexpr const char* kFirstNames[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                       "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
constexpr const char* kLastNames[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                      "Walton", "Smith",  "Jones",   "Noris"};
constexpr const char* kCities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
                                   "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
constexpr const char* kStates[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};

template <size_t N>
const char* pick(Random& r, const char* const (&items)[N]) {
  return items[r.below(static_cast<int64_t>(N))];
}

// How many persons / auctions exist once `event` has happened (ids are dense from 1000).
int64_t last_person(int64_t event) {
  return kFirstId + event / 50;
}
int64_t last_auction(int64_t event) {
  const int64_t epoch = event / 50, offset = event % 50;
  return kFirstId + epoch * 3 + std::min<int64_t>(offset, 3) - 1;
}

void append_text(std::string& s, Random& r, size_t length) {
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz";
  const size_t at = s.size();
  s.resize(at + length);  // written in place: push_back's capacity check per letter cost more
  char* out = s.data() + at;
  for (size_t i = 0; i < length; ++i) out[i] = kLetters[r.below(26)];
}

// Appends n in decimal (as std::to_string, without a string of its own).
void append_number(std::string& s, int64_t n) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  s.append(digits, end);
}

// Pads a row to about `target` bytes, as the reference generator's `extra` does.
void extra(ColumnBuilder& column, Random& r, size_t used, size_t target, std::string& scratch) {
  scratch.clear();
  if (used < target) append_text(scratch, r, target - used);
  column.append_string(scratch);
}

}  // namespace

SchemaPtr nexmark_schema(NexmarkTable table) {
  using D = DataType;
  if (table == NexmarkTable::kPerson) {
    return make_schema({{"id", D::kInt64, false},
                        {"name", D::kVarchar, false},
                        {"email_address", D::kVarchar, false},
                        {"credit_card", D::kVarchar, false},
                        {"city", D::kVarchar, false},
                        {"state", D::kVarchar, false},
                        {"date_time", D::kTimestamp, false},
                        {"extra", D::kVarchar, false}});
  }
  if (table == NexmarkTable::kAuction) {
    return make_schema({{"id", D::kInt64, false},
                        {"item_name", D::kVarchar, false},
                        {"description", D::kVarchar, false},
                        {"initial_bid", D::kInt64, false},
                        {"reserve", D::kInt64, false},
                        {"date_time", D::kTimestamp, false},
                        {"expires", D::kTimestamp, false},
                        {"seller", D::kInt64, false},
                        {"category", D::kInt64, false},
                        {"extra", D::kVarchar, false}});
  }
  return make_schema({{"auction", D::kInt64, false},
                      {"bidder", D::kInt64, false},
                      {"price", D::kInt64, false},
                      {"channel", D::kVarchar, false},
                      {"url", D::kVarchar, false},
                      {"date_time", D::kTimestamp, false},
                      {"extra", D::kVarchar, false}});
}

bool parse_nexmark_table(const std::string& name, NexmarkTable& table) {
  if (name == "person") {
    table = NexmarkTable::kPerson;
  } else if (name == "auction") {
    table = NexmarkTable::kAuction;
  } else if (name == "bid") {
    table = NexmarkTable::kBid;
  } else {
    return false;
  }
  return true;
}

NexmarkGenerator::NexmarkGenerator(NexmarkTable table, NexmarkOptions options)
    : table_(table), options_(options) {}

int64_t NexmarkGenerator::event_time(int64_t event) const {
  return options_.base_time +
         static_cast<int64_t>(static_cast<double>(event) * 1e6 / options_.event_rate);
}

int64_t NexmarkGenerator::generate(int64_t first, int64_t count, BatchBuilder& out) {
  // Room for every event's row at once, rather than doubling as rows come (fewer copies).
  out.reserve(count);
  int64_t rows = 0;
  for (int64_t e = first; e < first + count; ++e) {
    if (!is_kind(table_, e)) continue;
    switch (table_) {
      case NexmarkTable::kPerson:
        person(e, out);
        break;
      case NexmarkTable::kAuction:
        auction(e, out);
        break;
      case NexmarkTable::kBid:
        bid(e, out);
        break;
    }
    ++rows;
  }
  return rows;
}

void NexmarkGenerator::person(int64_t e, BatchBuilder& out) {
  Random r = Random::for_row(options_.seed, e);
  const std::string name = std::string(pick(r, kFirstNames)) + " " + pick(r, kLastNames);
  std::string email;
  append_text(email, r, 7);
  email += "@";
  append_text(email, r, 5);
  email += ".com";
  std::string card;
  for (int i = 0; i < 4; ++i) card += (i ? " " : "") + std::to_string(1000 + r.below(9000));
  out.column(0).append_int64(last_person(e));
  out.column(1).append_string(name);
  out.column(2).append_string(email);
  out.column(3).append_string(card);
  out.column(4).append_string(pick(r, kCities));
  out.column(5).append_string(pick(r, kStates));
  out.column(6).append_int64(event_time(e));
  extra(out.column(7), r, name.size() + email.size() + card.size() + 40, 200, scratch_);
}

void NexmarkGenerator::auction(int64_t e, BatchBuilder& out) {
  Random r = Random::for_row(options_.seed, e);
  const int64_t id = last_auction(e);
  // The seller: 75% among the few "hot" persons, otherwise one of the last 1000.
  const int64_t persons = last_person(e);
  const int64_t seller =
      r.below(4) > 0 ? (persons / 100) * 100 : std::max<int64_t>(kFirstId, persons - r.below(1000));
  std::string item;
  append_text(item, r, 10);
  std::string description;
  append_text(description, r, 40);
  const int64_t initial = nexmark_price(r.unit());
  const int64_t now = event_time(e);
  out.column(0).append_int64(id);
  out.column(1).append_string(item);
  out.column(2).append_string(description);
  out.column(3).append_int64(initial);
  out.column(4).append_int64(initial + nexmark_price(r.unit()));
  out.column(5).append_int64(now);
  out.column(6).append_int64(now + 10'000'000 + r.below(50) * 1'000'000);
  out.column(7).append_int64(std::max(seller, kFirstId));
  out.column(8).append_int64(10 + r.below(5));
  extra(out.column(9), r, item.size() + description.size() + 56, 500, scratch_);
}

void NexmarkGenerator::bid(int64_t e, BatchBuilder& out) {
  Random r = Random::for_row(options_.seed, e);
  const int64_t auctions = last_auction(e);
  // 50% a "hot" auction, otherwise one of the last 100 (+10 not created yet).
  const int64_t auction =
      r.below(2) == 0 ? (auctions / 100) * 100 : std::max(kFirstId, auctions - 100 + r.below(110));
  // 75% a "hot" bidder, otherwise one of the last 1000 persons (+10).
  const int64_t persons = last_person(e);
  const int64_t bidder =
      r.below(4) > 0 ? (persons / 100) * 100 : std::max(kFirstId, persons - 1000 + r.below(1010));
  const int64_t price = nexmark_price(r.unit());
  // Built in the generator's own strings (their memory reused from bid to bid).
  std::string& channel = channel_;
  std::string& url = url_;
  url.assign("https://www.nexmark.com/");
  if (r.below(2) == 0) {
    const int c = static_cast<int>(r.below(4));
    channel.assign(kChannels[c]);
    url += "item.htm?query=1&channel_id=";
    append_number(url, c);
  } else {
    channel.assign("channel-");
    append_number(channel, r.below(10000));
    append_text(url, r, 5);
    url += "/item.htm?query=1";
  }
  out.column(0).append_int64(std::max(auction, kFirstId));
  out.column(1).append_int64(std::max(bidder, kFirstId));
  out.column(2).append_int64(price);
  out.column(3).append_string(channel);
  out.column(4).append_string(url);
  out.column(5).append_int64(event_time(e));
  extra(out.column(6), r, channel.size() + url.size() + 32, 100, scratch_);
}

}  // namespace sluice::connectors
