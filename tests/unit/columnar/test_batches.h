#pragma once
// A batch with every type and some nulls, shared by the columnar tests.

#include <cmath>
#include <string>

#include "columnar/timestamp.h"
#include "sluice/batch_builder.h"

namespace sluice::test {

inline SchemaPtr all_types_schema() {
  return make_schema({{"b", DataType::kBoolean, true},
                      {"i", DataType::kInt32, true},
                      {"l", DataType::kInt64, false},
                      {"d", DataType::kDouble, true},
                      {"s", DataType::kVarchar, true},
                      {"ts", DataType::kTimestamp, true},
                      {"iv", DataType::kInterval, true}});
}

// Row r: every 3rd row has nulls in the nullable columns; strings include non-ASCII text.
inline RecordBatch all_types_batch(int rows) {
  BatchBuilder b(all_types_schema());
  for (int r = 0; r < rows; ++r) {
    const bool null_row = r % 3 == 1;
    null_row ? b.column(0).append_null() : b.column(0).append_bool(r % 2 == 0);
    null_row ? b.column(1).append_null() : b.column(1).append_int32(r * 7 - 100);
    b.column(2).append_int64(int64_t{r} * 1'000'000'007);
    null_row ? b.column(3).append_null() : b.column(3).append_double(r * 0.25 - 3);
    null_row ? b.column(4).append_null()
             : b.column(4).append_string("row " + std::to_string(r) + " é\"\\,\n☃");
    null_row ? b.column(5).append_null()
             : b.column(5).append_int64(1'795'514'400'000'000 + int64_t{r} * 1'001'000);
    null_row ? b.column(6).append_null() : b.column(6).append_int64(int64_t{r} * 1'500'000);
  }
  return b.finish();
}

}  // namespace sluice::test
