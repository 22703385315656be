#include "dataflow/adhoc_result.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_set>
#include <vector>

#include "dataflow/aggregate_operator.h"
#include "dataflow/key_bytes.h"

namespace sluice::dataflow {
namespace {

// -1, 0, 1 comparing two non-null values of one column type. NaN sorts above every other
// double, as in PostgreSQL.
int compare_cells(const Column& c, int64_t a, int64_t b) {
  switch (c.type()) {
    case DataType::kBoolean:
      return static_cast<int>(c.bool_value(a)) - static_cast<int>(c.bool_value(b));
    case DataType::kInt32:
    case DataType::kDate:
      return (c.int32_value(a) > c.int32_value(b)) - (c.int32_value(a) < c.int32_value(b));
    case DataType::kDecimal:  // one column, one scale
      return (c.decimal_value(a) > c.decimal_value(b)) - (c.decimal_value(a) < c.decimal_value(b));
    case DataType::kDouble: {
      const double x = c.double_value(a), y = c.double_value(b);
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) - std::isnan(y);
      return (x > y) - (x < y);
    }
    case DataType::kVarchar: {
      const int r = c.string_value(a).compare(c.string_value(b));
      return (r > 0) - (r < 0);
    }
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      return (c.int64_value(a) > c.int64_value(b)) - (c.int64_value(a) < c.int64_value(b));
  }
  return 0;
}

// The rows of `rows` whose selected columns (before the hidden ones) differ from every row
// before them: the first of each set of equal rows, in order.
std::vector<uint32_t> distinct_rows(const RecordBatch& rows, int selected) {
  std::vector<uint32_t> keep;
  std::unordered_set<std::string> seen;
  std::string key;
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    key.clear();
    for (int c = 0; c < selected; ++c) append_key(key, rows.column(c), r);
    if (seen.insert(key).second) keep.push_back(static_cast<uint32_t>(r));
  }
  return keep;
}

}  // namespace

Result<RecordBatch> finish_adhoc_result(const sql::BoundQuery& query, RecordBatch rows) {
  const int width = rows.num_columns();
  const int hidden_begin = query.hidden_columns ? query.first_hidden_column : width;
  const int hidden_end = hidden_begin + query.hidden_columns;
  std::vector<uint32_t> order;
  if (query.distinct) {
    order = distinct_rows(rows, hidden_begin);
  } else {
    order.resize(static_cast<size_t>(rows.num_rows()));
    std::iota(order.begin(), order.end(), 0u);
  }
  if (!query.order_by.empty()) {
    // Stable: rows equal under ORDER BY keep the order the query produced them in.
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      for (const sql::SortKey& k : query.order_by) {
        const Column& c = rows.column(k.column);
        const bool na = c.is_null(a), nb = c.is_null(b);
        if (na || nb) {
          if (na == nb) continue;
          return na == k.nulls_first;
        }
        const int cmp = compare_cells(c, a, b);
        if (cmp != 0) return k.descending ? cmp > 0 : cmp < 0;
      }
      return false;
    });
  }
  const auto skip = static_cast<size_t>(std::min<int64_t>(query.offset, std::ssize(order)));
  order.erase(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(skip));
  if (query.limit && *query.limit < std::ssize(order)) {
    order.resize(static_cast<size_t>(*query.limit));
  }
  if (static_cast<int64_t>(order.size()) != rows.num_rows() || !query.order_by.empty()) {
    rows = rows.take(order);
  }
  if (hidden_end == hidden_begin) return rows;
  std::vector<Field> fields;
  std::vector<Column> columns;
  for (int c = 0; c < width; ++c) {
    if (c >= hidden_begin && c < hidden_end) continue;
    fields.push_back(rows.schema()->field(c));
    columns.push_back(rows.column(c));
  }
  return RecordBatch::make(make_schema(std::move(fields)), std::move(columns));
}

std::string describe_adhoc_finish(const sql::BoundQuery& query) {
  std::vector<std::string> parts;
  if (query.distinct) parts.emplace_back("DISTINCT");
  if (!query.order_by.empty()) {
    std::string order = "ORDER BY ";
    for (size_t i = 0; i < query.order_by.size(); ++i) {
      const sql::SortKey& k = query.order_by[i];
      order += (i ? ", " : "") + query.output_schema->field(k.column).name;
      if (k.descending) order += " DESC";
      // PostgreSQL's default puts NULLs last ascending, first descending: said when otherwise.
      if (k.nulls_first != k.descending) order += k.nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
    parts.push_back(std::move(order));
  }
  if (query.offset > 0) parts.push_back("OFFSET " + std::to_string(query.offset));
  if (query.limit) parts.push_back("LIMIT " + std::to_string(*query.limit));
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " → ") + p;
  return out;
}

}  // namespace sluice::dataflow
