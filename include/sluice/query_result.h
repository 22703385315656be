#pragma once
// QueryResult: what one statement returns — a message ("CREATE STREAM vwap", "SELECT 3") and,
// for SELECT, SHOW, DESCRIBE and EXPLAIN, its rows. The one statement-result type, inside the
// engine and out.

#include <string>

#include "sluice/record_batch.h"

namespace sluice {

struct QueryResult {
  std::string message;  // "CREATE STREAM vwap", "SELECT 3"
  bool has_rows = false;
  RecordBatch rows;
};

}  // namespace sluice
