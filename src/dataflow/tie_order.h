#pragma once
// TieOrder: one total order of rows by their values, for the rows of equal time an OrderedInput
// holds. Any order would do as long as it is one order, a function of the values alone; this
// one is cheap to compare: the fixed-width columns first (rows of equal time mostly differ in
// one of them, and each compares in one load), as unsigned numbers of their bits; then BOOLEANs
// by their bit and VARCHARs by their bytes; in every column a NULL after a value. It is not
// SQL's order of the values. The time column itself is left out: rows are compared only when
// their times are equal.
//
// A batch is compared through views of its columns, made once per batch (each buffer's address
// and the column's offset), so a comparison reads only the values it needs.
//
// Thread: any; immutable once made.

#include <cstdint>
#include <vector>

#include "sluice/record_batch.h"
#include "sluice/schema.h"

namespace sluice::dataflow {

class TieOrder {
 public:
  // Rows of `schema`, whose column `time_column` is left out.
  TieOrder(const Schema& schema, int time_column);

  // A compared column of one batch.
  struct View {
    const uint8_t* validity;  // null: no NULLs
    const uint8_t* values;
    const uint8_t* data;  // a VARCHAR's bytes
    int64_t offset;
  };
  // The views of `batch`'s compared columns, in comparison order.
  std::vector<View> views(const RecordBatch& batch) const;
  // <0, 0 or >0 as row `ra` of the batch viewed by `a` comes before, ties or comes after row
  // `rb` of the batch viewed by `b`.
  int compare(const std::vector<View>& a, int64_t ra, const std::vector<View>& b, int64_t rb) const;

 private:
  struct Key {
    int column;
    int width;     // fixed_width of its type; 0 for a VARCHAR or a BOOLEAN
    bool varchar;  // (width 0)
  };
  std::vector<Key> keys_;
};

}  // namespace sluice::dataflow
