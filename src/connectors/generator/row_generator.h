#pragma once
// RowGenerator: what a generator source asks of a generator. Rows are numbered; generate()
// appends the rows among [first, first + count) (a generator may skip some numbers, as
// Nexmark keeps only its table's events), so an offset replays exactly.

#include <cstdint>

#include "sluice/batch_builder.h"

namespace sluice::connectors {

class RowGenerator {
 public:
  virtual ~RowGenerator() = default;
  virtual int64_t generate(int64_t first, int64_t count, BatchBuilder& out) = 0;
};

}  // namespace sluice::connectors
