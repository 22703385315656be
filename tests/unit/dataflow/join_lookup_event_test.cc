// The lookup join by event time (join_lookup_event.h) against a brute-force reference that
// computes, for each left row that is not late, its key's version valid at its time: every
// insert of the view that was not late is a version from its time; a delete ends the newest
// version of its row that has no end yet, once the next version that is not late (of any key)
// comes, at the greatest time of those versions so far (or never); of the versions valid at t and
// at or before it, the newest (ties: the last to arrive). Random changelogs (updates in either
// order, lone deletes, late versions, out-of-order versions, NULL keys and times; with and without
// `_op`), random interleavings of the two inputs and random batches; each case also restores a
// capture taken at a random point whose state went on changing before it was written, and must then
// emit exactly what the uninterrupted operator emits. The output must not depend on the
// interleaving at all.

#include <gtest/gtest.h>

#include <optional>

#include "dataflow/join_lookup_event.h"
#include "support/image_on_another_thread.h"
#include "temporal_join_harness.h"

namespace sluice::dataflow {
namespace {

using temporal_test::Event;
using temporal_test::Feeder;

// left: k, lv, ts; the view: k, rv, ts[, _op]; the output: k, lv, ts, k, rv, ts.
SchemaPtr left_schema() {
  return make_schema(
      {{"k", DataType::kVarchar}, {"lv", DataType::kInt64}, {"ts", DataType::kTimestamp}});
}
SchemaPtr right_schema(bool with_op) {
  std::vector<Field> f = {
      {"k", DataType::kVarchar}, {"rv", DataType::kInt64}, {"ts", DataType::kTimestamp}};
  if (with_op) f.push_back({"_op", DataType::kVarchar});
  return make_schema(std::move(f));
}

struct Options {
  sql::JoinType type = sql::JoinType::kInner;
  bool residual = false;  // ON … AND r.rv >= l.lv
  bool with_op = true;    // the view passes its changelog (else: inserts only)
};

std::shared_ptr<sql::BoundJoin> lookup_join(const Options& o) {
  auto j = std::make_shared<sql::BoundJoin>();
  j->kind = sql::JoinKind::kLookup;
  j->type = o.type;
  j->left_schema = left_schema();
  j->right_schema = right_schema(o.with_op);
  j->output_schema = make_schema({{"k", DataType::kVarchar},
                                  {"lv", DataType::kInt64},
                                  {"ts", DataType::kTimestamp},
                                  {"k_1", DataType::kVarchar},
                                  {"rv", DataType::kInt64},
                                  {"ts_1", DataType::kTimestamp}});
  j->left_keys = {sql::make_column(0, DataType::kVarchar, "k")};
  j->right_keys = {sql::make_column(0, DataType::kVarchar, "k")};
  j->left_time = 2;
  j->right_time = 2;
  j->right_updating = o.with_op;
  if (o.residual) {
    j->residual = sql::make_call(
        sql::Fn::kGe, DataType::kBoolean,
        {sql::make_column(4, DataType::kInt64, "rv"), sql::make_column(1, DataType::kInt64, "lv")},
        sql::SqlText("rv >= lv"));
  }
  j->sql = "lookup join";
  return j;
}

std::unique_ptr<JoinOperator> make(const std::shared_ptr<sql::BoundJoin>& j) {
  auto op = make_join_operator(j);
  EXPECT_TRUE(op.ok()) << op.status().to_string();
  return std::move(op).value();
}

Value key_value(const std::optional<std::string>& k) {
  return k ? Value::Varchar(*k) : Value::Null(DataType::kVarchar);
}
Value time_value(std::optional<int64_t> t) {
  return t ? Value::Timestamp(*t) : Value::Null(DataType::kTimestamp);
}
Event left_row(std::optional<std::string> k, int64_t v, std::optional<int64_t> ts) {
  Event e;
  e.side = kLeftSide;
  e.row = {key_value(k), Value::Int64(v), time_value(ts)};
  return e;
}
// A change of the view: an insert (a version) or a delete; `with_op` false: no `_op` column.
Event change(std::optional<std::string> k, int64_t v, std::optional<int64_t> ts, bool insert,
             bool with_op = true) {
  Event e;
  e.side = kRightSide;
  e.row = {key_value(k), Value::Int64(v), time_value(ts)};
  if (with_op) e.row.push_back(Value::Varchar(insert ? "insert" : "delete"));
  return e;
}
Event watermark(int side, int64_t wm) {
  Event e;
  e.side = side;
  e.watermark = true;
  e.wm = wm;
  return e;
}

const char* const kKeys[] = {"a", "b", "c", "a key longer than eight bytes"};

std::vector<Event> random_left(std::mt19937_64& rng, int rows) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int delay = pick(0, 6);
  std::vector<Event> out;
  int64_t cursor = 0, max = INT64_MIN, wm = INT64_MIN;
  for (int i = 0; i < rows; ++i) {
    cursor += pick(0, 3);
    std::optional<std::string> k;
    if (pick(0, 10) > 0) k = kKeys[pick(0, 3)];
    std::optional<int64_t> ts;
    if (pick(0, 30) > 0) ts = cursor - pick(0, 8);
    out.push_back(left_row(k, pick(0, 9), ts));
    if (ts) max = std::max(max, *ts);
    if (max != INT64_MIN && pick(0, 2) == 0 && max - delay > wm) {
      wm = max - delay;
      out.push_back(watermark(kLeftSide, wm));
    }
  }
  return out;
}

// A view's changelog: versions with times wandering upwards out of order (some late), updates
// as a top-1 or an aggregate makes them (insert then delete, or delete then insert), lone
// deletes of rows it holds, NULL keys and times; its watermark now and then.
std::vector<Event> random_view(std::mt19937_64& rng, int changes, bool with_op) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int delay = pick(0, 6);
  struct Held {
    std::optional<std::string> k;
    int64_t v;
    std::optional<int64_t> ts;
  };
  std::vector<Held> held;
  std::vector<Event> out;
  int64_t cursor = 0, max = INT64_MIN, wm = INT64_MIN;
  auto insert = [&](std::optional<std::string> k) {
    cursor += pick(0, 3);
    std::optional<int64_t> ts;
    if (pick(0, 30) > 0) ts = cursor - pick(0, 8);
    const int64_t v = pick(0, 5);
    out.push_back(change(k, v, ts, true, with_op));
    held.push_back({k, v, ts});
    if (ts) max = std::max(max, *ts);
  };
  auto erase = [&](size_t at) {
    out.push_back(change(held[at].k, held[at].v, held[at].ts, false));
    held.erase(held.begin() + static_cast<std::ptrdiff_t>(at));
  };
  for (int i = 0; i < changes; ++i) {
    std::optional<std::string> k;
    if (pick(0, 10) > 0) k = kKeys[pick(0, 3)];
    const int what = with_op && !held.empty() ? pick(0, 5) : 0;
    const size_t at = held.empty() ? 0 : static_cast<size_t>(pick(0, int(held.size()) - 1));
    if (what <= 2) {
      insert(k);
    } else if (what == 3) {  // an update, the old row first deleted
      const std::optional<std::string> key = held[at].k;
      erase(at);
      insert(key);
    } else if (what == 4) {  // an update, the new row first (a top-1's order)
      const std::optional<std::string> key = held[at].k;
      const Held old = held[at];
      insert(key);
      for (size_t h = 0; h < held.size(); ++h) {
        if (held[h].k == old.k && held[h].v == old.v && held[h].ts == old.ts) {
          erase(h);
          break;
        }
      }
    } else {
      erase(at);  // a lone delete
    }
    if (max != INT64_MIN && pick(0, 2) == 0 && max - delay > wm) {
      wm = max - delay;
      out.push_back(watermark(kRightSide, wm));
    }
  }
  return out;
}

std::vector<std::string> reference(const Options& o, const std::shared_ptr<sql::BoundJoin>& j,
                                   const std::vector<Event>& left, const std::vector<Event>& right,
                                   int64_t& late) {
  struct Version {
    std::vector<Value> row;  // k, rv, ts
    int64_t seq;
    std::optional<int64_t> end;  // none: valid for good
    bool pending = false;
  };
  std::vector<Version> versions;
  std::vector<size_t> pending;
  auto same = [](const std::vector<Value>& a, const std::vector<Value>& b) {
    for (size_t c = 0; c < 3; ++c) {
      if (a[c].null != b[c].null) return false;
      if (a[c].null) continue;
      if (c == 0 ? a[c].s != b[c].s : a[c].i != b[c].i) return false;
    }
    return true;
  };
  int64_t wm = INT64_MIN;
  int64_t clock = INT64_MIN;  // the greatest time of a version that was not late
  for (const Event& e : right) {
    if (e.watermark) {
      wm = std::max(wm, e.wm);
      continue;
    }
    const bool insert = !o.with_op || e.row[3].s == "insert";
    if (!insert) {
      if (e.row[0].null) continue;
      // The newest version of this row without an end: by (time, arrival), newest first.
      const Version* best = nullptr;
      for (const Version& v : versions) {
        if (v.end || v.pending || !same(v.row, e.row)) continue;
        if (best == nullptr || v.seq > best->seq) best = &v;
      }
      if (best != nullptr) {
        const size_t at = static_cast<size_t>(best - versions.data());
        versions[at].pending = true;
        pending.push_back(at);
      }
      continue;
    }
    if (e.row[2].null || e.row[2].i < wm) {
      ++late;
      continue;
    }
    clock = std::max(clock, e.row[2].i);
    for (const size_t p : pending) {
      versions[p].pending = false;
      versions[p].end = clock;
    }
    pending.clear();
    if (e.row[0].null) continue;
    versions.push_back({{e.row[0], e.row[1], e.row[2]},
                        static_cast<int64_t>(versions.size()),
                        std::nullopt,
                        false});
  }
  BatchBuilder b(j->output_schema);
  int64_t lwm = INT64_MIN;
  for (const Event& e : left) {
    if (e.watermark) {
      lwm = std::max(lwm, e.wm);
      continue;
    }
    if (e.row[2].null || e.row[2].i < lwm) {
      ++late;
      continue;
    }
    const int64_t t = e.row[2].i;
    const Version* best = nullptr;
    if (!e.row[0].null) {
      for (const Version& v : versions) {
        if (v.row[0].s != e.row[0].s || v.row[2].i > t || (v.end && *v.end <= t)) continue;
        if (best == nullptr || v.row[2].i > best->row[2].i ||
            (v.row[2].i == best->row[2].i && v.seq > best->seq)) {
          best = &v;
        }
      }
    }
    const bool passes = best != nullptr && (!o.residual || best->row[1].i >= e.row[1].i);
    if (!passes && o.type != sql::JoinType::kLeftOuter) continue;
    for (int c = 0; c < 3; ++c) append_value(b.column(c), e.row[static_cast<size_t>(c)]);
    for (int c = 0; c < 3; ++c) {
      append_value(b.column(3 + c),
                   passes ? best->row[static_cast<size_t>(c)] : Value::Null(DataType::kInt64));
    }
  }
  return temporal_test::render(b.finish());
}

TEST(EventLookupJoin, MatchesTheReferenceWhateverTheInterleavingBatchesAndRestorePoint) {
  std::mt19937_64 rng(19'2019);
  for (int c = 0; c < 400; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    Options o;
    o.type = pick(0, 1) ? sql::JoinType::kLeftOuter : sql::JoinType::kInner;
    o.residual = pick(0, 2) == 0;
    o.with_op = pick(0, 3) > 0;
    const auto join = lookup_join(o);
    const auto left = random_left(rng, pick(0, 60));
    const auto right = random_view(rng, pick(0, 60), o.with_op);
    int64_t late = 0;
    const auto expected = temporal_test::sorted(reference(o, join, left, right, late));
    Feeder feeder(left_schema(), right_schema(o.with_op));

    // Two interleavings, each in its own batches: the same rows.
    for (int run = 0; run < 2; ++run) {
      const auto events = temporal_test::interleave(left, right, rng);
      const auto cuts = temporal_test::random_cuts(events.size(), rng);
      auto whole = make(join);
      std::vector<std::string> out;
      feeder.feed(*whole, events, cuts, 0, events.size(), out);
      feeder.finish(*whole, out);
      ASSERT_EQ(temporal_test::sorted(out), expected);
      EXPECT_EQ(whole->stats().late_rows_dropped, late);
      EXPECT_EQ(whole->state_stats().groups, 0);  // both sides ended: nothing kept
    }

    // Captured at a random point; the state changes before the image is written.
    const auto events = temporal_test::interleave(left, right, rng);
    const auto cuts = temporal_test::random_cuts(events.size(), rng);
    const size_t at = static_cast<size_t>(pick(0, static_cast<int>(events.size())));
    const size_t later = std::min(events.size(), at + static_cast<size_t>(pick(0, 10)));
    std::vector<std::string> before;
    ASSERT_NO_FATAL_FAILURE(
        feeder.feed_with_restore([&] { return make(join); }, events, cuts, at, later, before));
    EXPECT_EQ(temporal_test::sorted(before), expected);
  }
}

std::vector<std::string> feed_all(JoinOperator& op, const std::vector<Event>& events,
                                  bool with_op = true) {
  Feeder feeder(left_schema(), right_schema(with_op));
  std::vector<std::string> out;
  feeder.feed(op, events, std::vector<bool>(events.size(), false), 0, events.size(), out);
  return out;
}

std::string t(int64_t us) {
  return Value::Timestamp(us).to_string();
}

TEST(EventLookupJoin, EachLeftRowGetsTheVersionValidAtItsTime) {
  Options o;
  o.type = sql::JoinType::kLeftOuter;
  auto op = make(lookup_join(o));
  // Versions of a at 10 and 20, the one at 20 arriving first (out of order, within lateness);
  // left rows before the first version, between the two, after both; a NULL key.
  auto out = feed_all(*op, {change("a", 2, 20, true), left_row("a", 0, 5), left_row("a", 1, 15),
                            change("a", 1, 10, true), left_row("a", 2, 25),
                            left_row(std::nullopt, 3, 25), watermark(kRightSide, 30)});
  EXPECT_EQ(temporal_test::sorted(out),
            temporal_test::sorted(
                {"a|0|" + t(5) + "|NULL|NULL|NULL", "a|1|" + t(15) + "|a|1|" + t(10),
                 "a|2|" + t(25) + "|a|2|" + t(20), "NULL|3|" + t(25) + "|NULL|NULL|NULL"}));
}

TEST(EventLookupJoin, NothingIsAnsweredBeforeTheViewsWatermarkPassesIt) {
  auto op = make(lookup_join(Options{}));
  EXPECT_TRUE(feed_all(*op, {change("a", 1, 10, true), left_row("a", 0, 15)}).empty());
  // A version at 12 still counts: the view's watermark has not passed 15.
  EXPECT_TRUE(feed_all(*op, {change("a", 2, 12, true), watermark(kRightSide, 15)}).empty());
  EXPECT_EQ(feed_all(*op, {watermark(kRightSide, 16)}),
            std::vector<std::string>{"a|0|" + t(15) + "|a|2|" + t(12)});
  // Behind the view's watermark: a late version, dropped and counted; the left row at 17 gets
  // the version at 12.
  feed_all(*op, {change("a", 3, 14, true), left_row("a", 0, 17), watermark(kRightSide, 100)});
  EXPECT_EQ(op->stats().late_rows_dropped, 1);
}

TEST(EventLookupJoin, TheNewestValidVersionWinsAndADeleteEndsAtTheNextVersion) {
  auto op = make(lookup_join(Options{}));
  // A top-1's update of a: the new row (30), then the old one's delete; a lone delete of b.
  // Both deleted versions end when the next version (c at 40) comes, at the greatest version
  // time then (40); until then the newer version of a wins from 30, and b's holds until 40.
  auto out =
      feed_all(*op, {change("a", 1, 10, true), change("b", 7, 10, true), change("a", 2, 30, true),
                     change("a", 1, 10, false), change("b", 7, 10, false), left_row("b", 0, 35),
                     change("c", 9, 40, true), left_row("a", 0, 20), left_row("a", 0, 30),
                     left_row("b", 0, 39), left_row("b", 0, 40), watermark(kRightSide, 50)});
  EXPECT_EQ(
      temporal_test::sorted(out),
      temporal_test::sorted({"a|0|" + t(20) + "|a|1|" + t(10), "a|0|" + t(30) + "|a|2|" + t(30),
                             "b|0|" + t(35) + "|b|7|" + t(10), "b|0|" + t(39) + "|b|7|" + t(10)}));
}

TEST(EventLookupJoin, AnUpdateLeavesNoGapWhenAnOlderVersionFollowsIt) {
  auto op = make(lookup_join(Options{}));
  // a is updated from 10 to 30 (a top-1's order: the new row, then the old one's delete); the
  // next version is c's at 20, out of order: the clock is still 30, so a's version of 10 ends
  // at 30, where its successor starts, and a left row at 25 still gets it.
  auto out = feed_all(*op, {change("a", 1, 10, true), change("a", 2, 30, true),
                            change("a", 1, 10, false), change("c", 9, 20, true),
                            left_row("a", 0, 25), left_row("a", 0, 30), watermark(kRightSide, 31)});
  EXPECT_EQ(temporal_test::sorted(out), temporal_test::sorted({"a|0|" + t(25) + "|a|1|" + t(10),
                                                               "a|0|" + t(30) + "|a|2|" + t(30)}));
}

TEST(EventLookupJoin, VersionsArePrunedAsTheLeftWatermarkPasses) {
  for (const bool with_op : {false, true}) {
    SCOPED_TRACE(with_op ? "a changelog" : "inserts only");
    Options o;
    o.with_op = with_op;
    auto op = make(lookup_join(o));
    std::vector<Event> events;
    // Two keys updated 500 times each: with a changelog each update deletes the old row.
    for (int64_t i = 1; i <= 1000; ++i) {
      const std::string k = i % 2 ? "a" : "b";
      events.push_back(change(k, i, i, true, with_op));
      if (with_op && i > 2) events.push_back(change(k, i - 2, i - 2, false));
    }
    feed_all(*op, events, with_op);
    EXPECT_EQ(op->state_stats().groups, 1000);
    // No left row can ask before 500 any more. Inserts only: each key keeps its newest
    // version at or before 500 and those after it. A changelog: the versions still valid at
    // 500 (version j, deleted after j + 2 arrived, ends at j + 3: from 498 on).
    feed_all(*op, {watermark(kLeftSide, 500)}, with_op);
    EXPECT_EQ(op->state_stats().groups, with_op ? 503 : 502);
    auto out = feed_all(
        *op, {left_row("a", 0, 500), left_row("b", 0, 501), watermark(kRightSide, 2000)}, with_op);
    EXPECT_EQ(temporal_test::sorted(out),
              temporal_test::sorted(
                  {"a|0|" + t(500) + "|a|499|" + t(499), "b|0|" + t(501) + "|b|500|" + t(500)}));
    feed_all(*op, {watermark(kLeftSide, kFinalWatermark)}, with_op);
    EXPECT_EQ(op->state_stats().groups, 0);
  }
}

TEST(EventLookupJoin, AnImageWrittenOnAnotherThreadIsTheStateAtItsCapture) {
  Options o;
  o.type = sql::JoinType::kLeftOuter;
  const auto join = lookup_join(o);
  auto op = make(join);
  std::vector<Event> events;
  for (int64_t i = 0; i < 12'000; ++i) {
    const std::string k = "key " + std::to_string(i % 300);
    events.push_back(change(k, i, i, true));
    if (i >= 300) events.push_back(change(k, i - 300, i - 300, false));
    if (i % 3 == 0) events.push_back(left_row("key " + std::to_string(i % 301), i, i + 7));
  }
  feed_all(*op, events);
  const std::string at_capture = temporal_test::write_image(*op->capture());
  std::vector<Event> more;
  for (int64_t i = 12'000; i < 14'000; ++i) {
    more.push_back(change("key " + std::to_string(i % 300), i, i, true));
    more.push_back(change("key " + std::to_string(i % 300), i - 300, i - 300, false));
  }
  more.push_back(watermark(kRightSide, 6000));
  more.push_back(watermark(kLeftSide, 7000));
  more.push_back(watermark(kRightSide, 20'000));
  more.push_back(watermark(kLeftSide, 20'000));
  std::vector<std::string> expected;
  {
    ImageOnAnotherThread writer(op->capture(), at_capture);
    expected = feed_all(*op, more);  // versions added, ended, pruned under the image
    writer.drop();
    writer.finish();
    EXPECT_TRUE(writer.matches());
  }
  auto restored = make(join);
  StateReader reader(at_capture);
  ASSERT_TRUE(restored->restore(reader).ok());
  EXPECT_EQ(feed_all(*restored, more), expected);
  EXPECT_EQ(restored->state_stats().groups, op->state_stats().groups);
}

TEST(EventLookupJoin, DamagedStateIsRefused) {
  auto op = make(lookup_join(Options{}));
  feed_all(*op, {change("a long key of many bytes", 1, 10, true),
                 change("a long key of many bytes", 1, 10, false), left_row("a", 1, 20)});
  const std::string bytes = temporal_test::write_image(*op->capture());
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    auto restored = make(lookup_join(Options{}));
    StateReader reader(std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(restored->restore(reader).ok()) << "cut at " << cut;
  }
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x5a;
  auto restored = make(lookup_join(Options{}));
  StateReader reader(flipped);
  (void)restored->restore(reader);  // refused or read; never a crash (ASan checks)
}

}  // namespace
}  // namespace sluice::dataflow
