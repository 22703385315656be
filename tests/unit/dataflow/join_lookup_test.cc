// The lookup join by arrival (join_lookup.h, FOR SYSTEM_TIME AS OF PROCTIME()) against a
// simple reference: the view's changelog applied, in the interleaving given, to a multiset of rows
// per key; each left row that is not late joined with its key's rows at that point (residual
// applied; NULLs for a left outer join's row that has none). Random changelogs (inserts, deletes of
// held rows, duplicates, NULL keys), random interleavings and batch sizes; each case restores a
// capture taken at a random point (its state changed before it was written) and must emit what the
// uninterrupted operator emits. For one interleaving the result does not depend on batch sizes.

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>

#include "dataflow/join_lookup.h"
#include "support/image_on_another_thread.h"
#include "temporal_join_harness.h"

namespace sluice::dataflow {
namespace {

using temporal_test::Event;
using temporal_test::Feeder;

// left: k, lv, ts; the view's changelog: k, rv, _op; the output: k, lv, ts, k, rv.
SchemaPtr left_schema() {
  return make_schema(
      {{"k", DataType::kVarchar}, {"lv", DataType::kInt64}, {"ts", DataType::kTimestamp}});
}
SchemaPtr right_schema() {
  return make_schema(
      {{"k", DataType::kVarchar}, {"rv", DataType::kInt64}, {"_op", DataType::kVarchar}});
}

struct Options {
  sql::JoinType type = sql::JoinType::kInner;
  bool residual = false;  // ON … AND r.rv >= l.lv
};

std::shared_ptr<sql::BoundJoin> lookup_join(const Options& o) {
  auto j = std::make_shared<sql::BoundJoin>();
  j->kind = sql::JoinKind::kLookup;
  j->processing_time = true;  // FOR SYSTEM_TIME AS OF PROCTIME()
  j->type = o.type;
  j->left_schema = left_schema();
  j->right_schema = right_schema();
  j->output_schema = make_schema({{"k", DataType::kVarchar},
                                  {"lv", DataType::kInt64},
                                  {"ts", DataType::kTimestamp},
                                  {"k_1", DataType::kVarchar},
                                  {"rv", DataType::kInt64}});
  j->left_keys = {sql::make_column(0, DataType::kVarchar, "k")};
  j->right_keys = {sql::make_column(0, DataType::kVarchar, "k")};
  j->left_time = 2;
  j->right_updating = true;
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
Event left_row(std::optional<std::string> k, int64_t v, std::optional<int64_t> ts) {
  Event e;
  e.side = kLeftSide;
  e.row = {key_value(k), Value::Int64(v),
           ts ? Value::Timestamp(*ts) : Value::Null(DataType::kTimestamp)};
  return e;
}
Event change(std::optional<std::string> k, int64_t v, bool insert) {
  Event e;
  e.side = kRightSide;
  e.row = {key_value(k), Value::Int64(v), Value::Varchar(insert ? "insert" : "delete")};
  return e;
}
Event left_watermark(int64_t wm) {
  Event e;
  e.side = kLeftSide;
  e.watermark = true;
  e.wm = wm;
  return e;
}

const char* const kKeys[] = {"a", "b", "c", "a key longer than eight bytes"};

std::vector<Event> random_left(std::mt19937_64& rng, int rows) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<Event> out;
  int64_t cursor = 0, wm = INT64_MIN;
  for (int i = 0; i < rows; ++i) {
    cursor += pick(0, 3);
    std::optional<std::string> k;
    if (pick(0, 10) > 0) k = kKeys[pick(0, 3)];
    std::optional<int64_t> ts;
    if (pick(0, 30) > 0) ts = cursor - pick(0, 6);
    out.push_back(left_row(k, pick(0, 9), ts));
    if (pick(0, 3) == 0 && cursor - 3 > wm) {
      wm = cursor - 3;
      out.push_back(left_watermark(wm));
    }
  }
  return out;
}

// A view's changelog: inserts (duplicates too) and deletes of rows it holds.
std::vector<Event> random_view(std::mt19937_64& rng, int changes) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<std::pair<std::optional<std::string>, int64_t>> held;
  std::vector<Event> out;
  for (int i = 0; i < changes; ++i) {
    if (!held.empty() && pick(0, 2) == 0) {
      const size_t at = static_cast<size_t>(pick(0, static_cast<int>(held.size()) - 1));
      out.push_back(change(held[at].first, held[at].second, false));
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(at));
      continue;
    }
    std::optional<std::string> k;
    if (pick(0, 10) > 0) k = kKeys[pick(0, 3)];
    const int64_t v = pick(0, 5);
    out.push_back(change(k, v, true));
    held.emplace_back(k, v);
  }
  return out;
}

std::vector<std::string> reference(const Options& o, const std::shared_ptr<sql::BoundJoin>& j,
                                   const std::vector<Event>& events, int64_t& late) {
  std::map<std::string, std::multiset<int64_t>> view;
  int64_t wm = INT64_MIN;
  BatchBuilder b(j->output_schema);
  for (const Event& e : events) {
    if (e.watermark) {
      wm = std::max(wm, e.wm);
      continue;
    }
    if (e.side == kRightSide) {
      if (e.row[0].null) continue;
      auto& rows = view[e.row[0].s];
      if (e.row[2].s == "insert") {
        rows.insert(e.row[1].i);
      } else if (auto it = rows.find(e.row[1].i); it != rows.end()) {
        rows.erase(it);
      }
      continue;
    }
    if (e.row[2].null || e.row[2].i < wm) {
      ++late;
      continue;
    }
    bool any = false;
    if (!e.row[0].null) {
      for (const int64_t rv : view[e.row[0].s]) {
        if (o.residual && rv < e.row[1].i) continue;
        any = true;
        for (int c = 0; c < 3; ++c) append_value(b.column(c), e.row[static_cast<size_t>(c)]);
        append_value(b.column(3), e.row[0]);
        append_value(b.column(4), Value::Int64(rv));
      }
    }
    if (!any && o.type == sql::JoinType::kLeftOuter) {
      for (int c = 0; c < 3; ++c) append_value(b.column(c), e.row[static_cast<size_t>(c)]);
      b.column(3).append_null();
      b.column(4).append_null();
    }
  }
  return temporal_test::render(b.finish());
}

TEST(LookupJoin, MatchesTheReferenceWhateverTheBatchesAndRestorePoint) {
  std::mt19937_64 rng(19'1919);
  for (int c = 0; c < 300; ++c) {
    SCOPED_TRACE("case " + std::to_string(c));
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    Options o;
    o.type = pick(0, 1) ? sql::JoinType::kLeftOuter : sql::JoinType::kInner;
    o.residual = pick(0, 2) == 0;
    const auto join = lookup_join(o);
    const auto events = temporal_test::interleave(random_left(rng, pick(0, 60)),
                                                  random_view(rng, pick(0, 60)), rng);
    int64_t late = 0;
    const auto expected = temporal_test::sorted(reference(o, join, events, late));
    const auto cuts = temporal_test::random_cuts(events.size(), rng);
    Feeder feeder(left_schema(), right_schema());

    auto whole = make(join);
    std::vector<std::string> out;
    feeder.feed(*whole, events, cuts, 0, events.size(), out);
    feeder.finish(*whole, out);
    ASSERT_EQ(temporal_test::sorted(out), expected);
    EXPECT_EQ(whole->stats().late_rows_dropped, late);

    const size_t at = static_cast<size_t>(pick(0, static_cast<int>(events.size())));
    const size_t later = std::min(events.size(), at + static_cast<size_t>(pick(0, 10)));
    std::vector<std::string> before;
    ASSERT_NO_FATAL_FAILURE(
        feeder.feed_with_restore([&] { return make(join); }, events, cuts, at, later, before));
    EXPECT_EQ(temporal_test::sorted(before), temporal_test::sorted(out));
  }
}

std::vector<std::string> feed_all(JoinOperator& op, const std::vector<Event>& events) {
  Feeder feeder(left_schema(), right_schema());
  std::vector<std::string> out;
  feeder.feed(op, events, std::vector<bool>(events.size(), false), 0, events.size(), out);
  return out;
}

TEST(LookupJoin, ALeftRowSeesTheViewAsOfItsArrival) {
  Options o;
  o.type = sql::JoinType::kLeftOuter;
  auto op = make(lookup_join(o));
  auto out = feed_all(
      *op, {left_row("a", 1, 10), change("a", 5, true), left_row("a", 2, 11), change("a", 5, false),
            change("a", 6, true), left_row("a", 3, 12), left_row(std::nullopt, 4, 12)});
  EXPECT_EQ(out, (std::vector<std::string>{
                     "a|1|1970-01-01T00:00:00.000010Z|NULL|NULL",
                     "a|2|1970-01-01T00:00:00.000011Z|a|5",
                     "a|3|1970-01-01T00:00:00.000012Z|a|6",
                     "NULL|4|1970-01-01T00:00:00.000012Z|NULL|NULL",
                 }));
}

TEST(LookupJoin, StateIsTheViewsCurrentRows) {
  auto op = make(lookup_join(Options{}));
  std::vector<Event> events;
  for (int i = 0; i < 1000; ++i) events.push_back(change("k" + std::to_string(i % 50), i, true));
  feed_all(*op, events);
  const StateStats full = op->state_stats();
  EXPECT_EQ(full.groups, 1000);
  events.clear();
  for (int i = 0; i < 990; ++i) events.push_back(change("k" + std::to_string(i % 50), i, false));
  feed_all(*op, events);
  EXPECT_EQ(op->state_stats().groups, 10);
  EXPECT_EQ(feed_all(*op, {left_row("k991", 0, 0), left_row("k45", 0, 0)}),
            (std::vector<std::string>{"k45|0|1970-01-01T00:00:00Z|k45|995"}));
}

TEST(LookupJoin, AnAppendOnlyViewsRowsAreAllInserts) {
  // A view whose output has no `_op`: every row it emits is one more row it holds.
  auto j = lookup_join(Options{});
  j->right_schema = make_schema({{"k", DataType::kVarchar}, {"rv", DataType::kInt64}});
  j->right_updating = false;
  auto op = make(j);
  std::vector<RecordBatch> out;
  BatchBuilder view(j->right_schema);
  view.column(0).append_string("a");
  view.column(1).append_int64(1);
  view.column(0).append_string("a");
  view.column(1).append_int64(2);
  ASSERT_TRUE(op->process(kRightSide, view.finish(), out).ok());
  BatchBuilder left(left_schema());
  left.column(0).append_string("a");
  left.column(1).append_int64(0);
  left.column(2).append_int64(5);
  ASSERT_TRUE(op->process(kLeftSide, left.finish(), out).ok());
  std::vector<std::string> rows;
  temporal_test::append_rendered(out, rows);
  EXPECT_EQ(temporal_test::sorted(rows),
            (std::vector<std::string>{"a|0|1970-01-01T00:00:00.000005Z|a|1",
                                      "a|0|1970-01-01T00:00:00.000005Z|a|2"}));
}

TEST(LookupJoin, AnImageWrittenOnAnotherThreadIsTheStateAtItsCapture) {
  const auto join = lookup_join(Options{});
  auto op = make(join);
  std::vector<Event> events;
  for (int i = 0; i < 10'000; ++i) {
    events.push_back(change("key number " + std::to_string(i % 700) + " of the view", i, true));
  }
  feed_all(*op, events);
  const std::string at_capture = temporal_test::write_image(*op->capture());
  std::vector<Event> more;
  for (int i = 0; i < 9'000; ++i)
    more.push_back(change("key number " + std::to_string(i % 700) + " of the view", i, false));
  for (int i = 0; i < 50; ++i)
    more.push_back(left_row("key number " + std::to_string(i * 13) + " of the view", i, i));
  std::vector<std::string> expected;
  {
    ImageOnAnotherThread writer(op->capture(), at_capture);
    expected = feed_all(*op, more);  // deletes rewrite and free what the image holds
    writer.drop();
    writer.finish();
    EXPECT_TRUE(writer.matches());
  }
  auto restored = make(join);
  StateReader reader(at_capture);
  ASSERT_TRUE(restored->restore(reader).ok());
  EXPECT_EQ(feed_all(*restored, more), expected);
  EXPECT_EQ(restored->state_stats().groups, 1000);
}

}  // namespace
}  // namespace sluice::dataflow
