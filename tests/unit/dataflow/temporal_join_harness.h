#pragma once
// What the temporal join tests share: a side's input as a list of events (a row, or the side's
// watermark advancing), two sides merged in a random interleaving, fed to a JoinOperator in
// random batches, and its output rendered as one text line per row (sorted, a multiset, where
// only which rows matter).

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dataflow/join_operator.h"
#include "sluice/batch_builder.h"
#include "sluice/value.h"

namespace sluice::dataflow::temporal_test {

struct Event {
  int side = kLeftSide;
  bool watermark = false;
  int64_t wm = 0;          // a watermark event's value
  std::vector<Value> row;  // a row event's values, of the side's schema
};

inline std::vector<std::string> render(const RecordBatch& b) {
  std::vector<std::string> rows;
  for (int64_t r = 0; r < b.num_rows(); ++r) {
    std::string line;
    for (int c = 0; c < b.num_columns(); ++c) {
      if (c > 0) line += "|";
      line += b.column(c).value_to_string(r);
    }
    rows.push_back(std::move(line));
  }
  return rows;
}

inline void append_rendered(const std::vector<RecordBatch>& batches,
                            std::vector<std::string>& out) {
  for (const RecordBatch& b : batches) {
    for (std::string& line : render(b)) out.push_back(std::move(line));
  }
}

inline std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// The two sides' events merged, each side's order kept, the choice at each step random.
inline std::vector<Event> interleave(const std::vector<Event>& left,
                                     const std::vector<Event>& right, std::mt19937_64& rng) {
  std::vector<Event> out;
  size_t l = 0, r = 0;
  while (l < left.size() || r < right.size()) {
    const bool take_left =
        r == right.size() || (l < left.size() && std::uniform_int_distribution<int>(0, 1)(rng));
    out.push_back(take_left ? left[l++] : right[r++]);
  }
  return out;
}

inline std::string write_image(const StateImage& image) {
  StateWriter w;
  image.write(w);
  return w.take();
}

// Feeds events [from, to) to `op`: consecutive rows of one side go in one batch, cut where
// `cuts[i]` says so (a batch starts at event i). Output rows are appended to `out`.
class Feeder {
 public:
  Feeder(SchemaPtr left, SchemaPtr right) : schemas_{std::move(left), std::move(right)} {}

  void feed(JoinOperator& op, const std::vector<Event>& events, const std::vector<bool>& cuts,
            size_t from, size_t to, std::vector<std::string>& out) {
    std::vector<RecordBatch> batches;
    size_t i = from;
    while (i < to) {
      const Event& e = events[i];
      if (e.watermark) {
        ASSERT_TRUE(op.on_watermark(e.side, e.wm, batches).ok());
        ++i;
        continue;
      }
      BatchBuilder b(schemas_[e.side]);
      size_t j = i;
      do {
        for (size_t c = 0; c < events[j].row.size(); ++c) {
          append_value(b.column(static_cast<int>(c)), events[j].row[c]);
        }
        ++j;
      } while (j < to && !events[j].watermark && events[j].side == e.side && !cuts[j]);
      const Status s = op.process(e.side, b.finish(), batches);
      ASSERT_TRUE(s.ok()) << s.to_string();
      i = j;
    }
    append_rendered(batches, out);
  }

  // Both sides end: their watermarks go to the end of time.
  void finish(JoinOperator& op, std::vector<std::string>& out) {
    std::vector<RecordBatch> batches;
    ASSERT_TRUE(op.on_watermark(kLeftSide, kFinalWatermark, batches).ok());
    ASSERT_TRUE(op.on_watermark(kRightSide, kFinalWatermark, batches).ok());
    append_rendered(batches, out);
  }

  // A capture taken after event `at` whose operator goes on to `later` before the image is
  // written (the image must not change), then to the end; and an operator restored from the
  // image, fed the same events after `at` in the same batches, which must emit exactly what the
  // first one did after the capture. `all` gets the first one's whole output.
  template <typename Make>
  void feed_with_restore(const Make& make, const std::vector<Event>& events,
                         const std::vector<bool>& cuts, size_t at, size_t later,
                         std::vector<std::string>& all) {
    auto first = make();
    std::vector<std::string> after, restored_out;
    feed(*first, events, cuts, 0, at, all);
    const std::string at_capture = write_image(*first->capture());
    auto image = first->capture();
    feed(*first, events, cuts, at, later, after);
    const std::string bytes = write_image(*image);
    ASSERT_EQ(bytes, at_capture);
    feed(*first, events, cuts, later, events.size(), after);
    finish(*first, after);

    auto restored = make();
    StateReader reader(bytes);
    const Status s = restored->restore(reader);
    ASSERT_TRUE(s.ok()) << s.to_string();
    ASSERT_TRUE(reader.done());
    feed(*restored, events, cuts, at, later, restored_out);
    feed(*restored, events, cuts, later, events.size(), restored_out);
    finish(*restored, restored_out);
    EXPECT_EQ(restored_out, after);
    all.insert(all.end(), after.begin(), after.end());
  }

 private:
  SchemaPtr schemas_[2];
};

inline std::vector<bool> random_cuts(size_t n, std::mt19937_64& rng) {
  const int every = std::uniform_int_distribution<int>(1, 8)(rng);
  std::vector<bool> cuts(n);
  for (size_t i = 0; i < n; ++i) cuts[i] = std::uniform_int_distribution<int>(1, every)(rng) == 1;
  return cuts;
}

}  // namespace sluice::dataflow::temporal_test
