#pragma once
// ViewTable: the current rows of a materialized view, a multiset kept from the view's output
// (inserts, and deletes when its query emits a changelog). Ad-hoc SELECTs read it.
//
// Thread: the compute thread (or a test's) only.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dataflow/state_codec.h"
#include "sluice/record_batch.h"
#include "sluice/value.h"

namespace sluice::dataflow {

class ViewTable {
 public:
  explicit ViewTable(SchemaPtr schema) : schema_(std::move(schema)) {}

  const SchemaPtr& schema() const { return schema_; }
  int64_t size() const { return size_; }
  // Adds one copy of `row`, or (insert = false) removes one if present.
  void apply(const std::vector<Value>& row, bool insert);
  RecordBatch to_batch() const;

  // Distinct rows with their counts, for checkpoints.
  void snapshot(StateWriter& writer) const;
  // `max_rows` bounds the copies: a view holds at most the rows it has emitted, so a count past
  // it is damage, refused before anything is sized by it (SELECT would materialize them).
  Status restore(StateReader& reader, int64_t distinct_rows, int64_t max_rows);
  int64_t distinct_rows() const { return static_cast<int64_t>(rows_.size()); }

 private:
  SchemaPtr schema_;
  std::map<std::string, std::pair<std::vector<Value>, int64_t>> rows_;  // encoded → (row, count)
  int64_t size_ = 0;
};

}  // namespace sluice::dataflow
