#pragma once
// What the differential tests of the operators (tests/unit/dataflow/*_differential_test.cc)
// share to compare an operator's output with their reference: a row as text, a changelog
// applied to the multiset of rows downstream holds, batches as text (to compare two runs), the
// order of two optional values as ORDER BY sorts them; and for their checkpoint checks, a step
// fed with its watermark, a capture checked against the state it froze, and an operator restored
// from another's image. Used on the test's thread.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dataflow/operator.h"
#include "sluice/record_batch.h"
#include "sluice/value.h"

namespace sluice {

// How a test writes one value of a row (its reference writes its own values the same way).
using CellText = std::string (*)(const Value&);

inline std::string value_text(const Value& v) {
  return v.null ? "NULL" : v.to_string();
}

// Row `r` of `batch`'s first `width` columns, each cell followed by '|'.
inline std::string row_text(const RecordBatch& batch, int64_t r, int width,
                            CellText cell = value_text) {
  std::string line;
  for (int c = 0; c < width; ++c) line += cell(Value::from_column(batch.column(c), r)) + "|";
  return line;
}

// Applies an operator's output to `held`, what downstream holds: with `changes` each row's
// last column is `_op` and a delete must remove an equal row held (else the test fails);
// without, every row is inserted.
inline void apply_changes(const std::vector<RecordBatch>& out, std::multiset<std::string>& held,
                          bool changes = true, CellText cell = value_text) {
  for (const RecordBatch& b : out) {
    const int width = b.num_columns() - (changes ? 1 : 0);
    for (int64_t r = 0; r < b.num_rows(); ++r) {
      const std::string line = row_text(b, r, width, cell);
      if (!changes || b.column(width).string_value(r) == "insert") {
        held.insert(line);
        continue;
      }
      const auto it = held.find(line);
      ASSERT_NE(it, held.end()) << "a delete of a row downstream does not hold: " << line;
      held.erase(it);
    }
  }
}

// Every row of `out`, all columns, a line each: two runs' outputs compared exactly.
inline std::string batches_text(const std::vector<RecordBatch>& out) {
  std::string s;
  for (const RecordBatch& b : out) {
    for (int64_t r = 0; r < b.num_rows(); ++r) s += row_text(b, r, b.num_columns()) + "\n";
  }
  return s;
}

// -1, 0, 1 as ORDER BY orders `a` and `b` (`descending`; NULL after every value unless
// `nulls_first`).
template <typename T>
int compare_optional(const std::optional<T>& a, const std::optional<T>& b, bool descending,
                     bool nulls_first) {
  if (!a || !b) {
    if (!a && !b) return 0;
    return !a == nulls_first ? -1 : 1;
  }
  const int c = (*a > *b) - (*a < *b);
  return descending ? -c : c;
}

// Feeds `op` a step: `batch`, then `step_watermark` when it moves `watermark` forward
// (dataflow::kNoWatermark: none), appending what it emits to `out`.
template <typename Op>
::testing::AssertionResult feed_step(Op& op, const RecordBatch& batch, int64_t step_watermark,
                                     int64_t& watermark, std::vector<RecordBatch>& out) {
  Status s = op.process(batch, out);
  if (s.ok() && step_watermark != dataflow::kNoWatermark && step_watermark > watermark) {
    watermark = step_watermark;
    s = op.on_watermark(watermark, out);
  }
  if (!s.ok()) return ::testing::AssertionFailure() << s.to_string();
  return ::testing::AssertionSuccess();
}

// An operator's capture() and what its snapshot() wrote at that moment: the image, written
// later, after the operator went on changing, must write the same bytes.
class CaptureCheck {
 public:
  template <typename Op>
  void take(const Op& op) {
    image_ = op.capture();
    dataflow::StateWriter w;
    op.snapshot(w);
    at_capture_ = w.take();
  }
  // Checks the image now; `where` names the capture in a failure.
  void expect_unchanged(const std::string& where) const {
    ASSERT_NE(image_, nullptr) << where;
    dataflow::StateWriter w;
    image_->write(w);
    EXPECT_EQ(w.bytes(), at_capture_) << where;
  }

 private:
  std::unique_ptr<dataflow::StateImage> image_;
  std::string at_capture_;
};

// A new operator from `make()`, restored from what `op`'s capture() writes now (a checkpoint
// and a recovery); null, the test failed, when the restore fails or leaves bytes unread.
template <typename Op, typename Make>
auto restored_from_image(const Op& op, Make make) -> decltype(make()) {
  dataflow::StateWriter bytes;
  op.capture()->write(bytes);
  auto restored = make();
  if (!restored) return restored;
  dataflow::StateReader reader(bytes.bytes());
  const Status status = restored->restore(reader);
  if (!status.ok() || !reader.done()) {
    ADD_FAILURE() << "restore: " << status.to_string()
                  << (reader.done() ? "" : ", bytes left unread");
    return nullptr;
  }
  return restored;
}

}  // namespace sluice
