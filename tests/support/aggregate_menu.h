#pragma once
// What the aggregate operator's differential tests (append-only input:
// tests/unit/dataflow/aggregate_differential_test.cc; over changes:
// aggregate_changes_differential_test.cc) share to make random GROUP BY queries and compute
// their reference: the input row (k, g, v, x and a time), the menu of aggregates with how each is
// computed from a group's rows, the FILTERs, the group keys, the SELECT list, and how a value is
// written as text. Used on the test's thread.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "sluice/batch_builder.h"
#include "sluice/value.h"

namespace sluice {

// An input row: k VARCHAR, g BIGINT, v BIGINT, x DOUBLE (multiples of 0.25, small: sums are
// exact in any order), and ts (µs) where the input has a time.
struct AggRow {
  std::optional<std::string> k;
  std::optional<int64_t> g;
  std::optional<int64_t> v;
  std::optional<double> x;
  int64_t ts = 0;

  bool operator<(const AggRow& o) const {
    return std::tie(k, g, v, x, ts) < std::tie(o.k, o.g, o.v, o.x, o.ts);
  }
};

// Appends k, g, v and x of `r` to columns 0 to 3 of `b`.
inline void append_agg_row(BatchBuilder& b, const AggRow& r) {
  r.k ? b.column(0).append_string(*r.k) : b.column(0).append_null();
  r.g ? b.column(1).append_int64(*r.g) : b.column(1).append_null();
  r.v ? b.column(2).append_int64(*r.v) : b.column(2).append_null();
  r.x ? b.column(3).append_double(*r.x) : b.column(3).append_null();
}

// A random row's k, g, v and x (NULLs among them; keys inline and longer than 16 bytes).
inline AggRow random_agg_row(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const char* keys[] = {"a", "b", "c", "dd-a-key-longer-than-16-bytes", ""};
  AggRow r;
  if (pick(8)) r.k = keys[pick(5)];
  if (pick(6)) r.g = pick(4) - 1;
  if (pick(5)) r.v = pick(21) - 5;
  if (pick(5)) r.x = (pick(17) - 4) * 0.25;
  return r;
}

inline std::string render_double(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

// A value as the tests write the operator's output cells (strings quoted, doubles exact).
inline std::string render(const Value& v) {
  if (v.null) return "NULL";
  switch (v.type) {
    case DataType::kVarchar:
      return "'" + v.s + "'";
    case DataType::kDouble:
      return render_double(v.d);
    default:
      return std::to_string(v.i);
  }
}

// The same for a reference's value.
template <typename T>
std::string render(const std::optional<T>& v) {
  if (!v) return "NULL";
  if constexpr (std::is_same_v<T, std::string>) {
    return "'" + *v + "'";
  } else if constexpr (std::is_same_v<T, double>) {
    return render_double(*v);
  } else {
    return std::to_string(*v);
  }
}

using AggRows = std::vector<const AggRow*>;

// One aggregate of the menu: its SQL and its value over a group's rows (in arrival order).
struct AggSpec {
  std::string sql;
  std::function<std::string(const AggRows&)> compute;
  bool order_sensitive = false;      // FIRST/LAST: by arrival (no FILTER; refused over changes)
  bool rounds_after_delete = false;  // VAR/STDDEV: Welford reversed rounds (not over changes)
};

namespace detail {

template <typename T, typename Get>
std::vector<T> present(const AggRows& rows, Get get) {
  std::vector<T> out;
  for (const AggRow* r : rows) {
    const auto& field = get(*r);
    if (field) out.push_back(*field);
  }
  return out;
}

template <typename T>
std::string extremum(const std::vector<T>& values, bool max) {
  if (values.empty()) return "NULL";
  return render(std::optional<T>(max ? *std::max_element(values.begin(), values.end())
                                     : *std::min_element(values.begin(), values.end())));
}

inline std::optional<double> variance(const std::vector<double>& xs, bool sample) {
  if (xs.size() < (sample ? 2u : 1u)) return std::nullopt;
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  double m2 = 0;
  for (double x : xs) m2 += (x - mean) * (x - mean);
  return m2 / static_cast<double>(sample ? xs.size() - 1 : xs.size());
}

}  // namespace detail

// Every aggregate the tests draw from; COUNT(*) first (a HAVING counts it).
inline std::vector<AggSpec> aggregate_menu() {
  using detail::extremum;
  auto v = [](const AggRows& rows) {
    return detail::present<int64_t>(rows, [](const AggRow& r) { return r.v; });
  };
  auto x = [](const AggRows& rows) {
    return detail::present<double>(rows, [](const AggRow& r) { return r.x; });
  };
  auto k = [](const AggRows& rows) {
    return detail::present<std::string>(rows, [](const AggRow& r) { return r.k; });
  };
  auto count_distinct = [](const auto& values) {
    return std::to_string(std::set(values.begin(), values.end()).size());
  };
  return {
      {"COUNT(*)", [](const AggRows& rows) { return std::to_string(rows.size()); }},
      {"COUNT(v)", [=](const AggRows& rows) { return std::to_string(v(rows).size()); }},
      {"SUM(v)",
       [=](const AggRows& rows) {
         const auto vs = v(rows);
         if (vs.empty()) return std::string("NULL");
         int64_t s = 0;
         for (int64_t e : vs) s += e;
         return std::to_string(s);
       }},
      {"AVG(v)",
       [=](const AggRows& rows) {
         const auto vs = v(rows);
         if (vs.empty()) return std::string("NULL");
         double s = 0;
         for (int64_t e : vs) s += static_cast<double>(e);
         return render_double(s / static_cast<double>(vs.size()));
       }},
      {"MIN(v)", [=](const AggRows& rows) { return extremum(v(rows), false); }},
      {"MAX(v)", [=](const AggRows& rows) { return extremum(v(rows), true); }},
      {"MIN(k)", [=](const AggRows& rows) { return extremum(k(rows), false); }},
      {"MAX(k)", [=](const AggRows& rows) { return extremum(k(rows), true); }},
      {"COUNT(DISTINCT v)", [=](const AggRows& rows) { return count_distinct(v(rows)); }},
      {"COUNT(DISTINCT k)", [=](const AggRows& rows) { return count_distinct(k(rows)); }},
      {"SUM(x)",
       [=](const AggRows& rows) {
         const auto xs = x(rows);
         if (xs.empty()) return std::string("NULL");
         double s = 0;
         for (double e : xs) s += e;
         return render_double(s);
       }},
      {"MAX(x)", [=](const AggRows& rows) { return extremum(x(rows), true); }},
      {"VAR_POP(x)", [=](const AggRows& rows) { return render(detail::variance(x(rows), false)); },
       false, true},
      {"STDDEV_SAMP(v)",
       [=](const AggRows& rows) {
         std::vector<double> xs;
         for (int64_t e : v(rows)) xs.push_back(static_cast<double>(e));
         const auto var = detail::variance(xs, true);
         return var ? render_double(std::sqrt(*var)) : std::string("NULL");
       },
       false, true},
      {"FIRST_VALUE(v)",
       [](const AggRows& rows) {
         return rows.empty() ? std::string("NULL") : render(rows.front()->v);
       },
       true},
      {"LAST_VALUE(k)",
       [](const AggRows& rows) {
         return rows.empty() ? std::string("NULL") : render(rows.back()->k);
       },
       true},
      {"MIN(x)", [=](const AggRows& rows) { return extremum(x(rows), false); }},
      {"COUNT(DISTINCT x)", [=](const AggRows& rows) { return count_distinct(x(rows)); }},
  };
}

// The menu's aggregates an operator over changes computes exactly (not FIRST/LAST, VAR/STDDEV).
inline std::vector<AggSpec> exact_over_changes(std::vector<AggSpec> menu) {
  std::erase_if(menu, [](const AggSpec& s) { return s.order_sensitive || s.rounds_after_delete; });
  return menu;
}

struct AggFilter {
  std::string sql;
  std::function<bool(const AggRow&)> keep;
};

inline std::vector<AggFilter> aggregate_filters() {
  return {{"v > 0", [](const AggRow& r) { return r.v && *r.v > 0; }},
          {"x < 1", [](const AggRow& r) { return r.x && *r.x < 1; }},
          {"k <> 'b'", [](const AggRow& r) { return r.k && *r.k != "b"; }}};
}

// One call of a query: a menu entry and its FILTER (-1: none).
struct AggCall {
  int spec;
  int filter;
};

// A random GROUP BY: k, g, both, or none (a global aggregate); 0 stands for k, 1 for g.
inline std::vector<int> random_group_keys(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0:
      return {0};
    case 1:
      return {1};
    case 2:
      return {0, 1};
    default:
      return {};
  }
}

// "SELECT <keys>, <before_calls><calls> FROM t", each call `AS a<i>`, and the GROUP BY list of
// the keys (empty: none).
inline std::string aggregate_select(const std::vector<int>& keys, const std::string& before_calls,
                                    const std::vector<AggCall>& calls,
                                    const std::vector<AggSpec>& specs,
                                    const std::vector<AggFilter>& filters, std::string& group_by) {
  std::string select = "SELECT ";
  group_by.clear();
  for (int key : keys) {
    select += key == 0 ? "k, " : "g, ";
    group_by += std::string(group_by.empty() ? "" : ", ") + (key == 0 ? "k" : "g");
  }
  select += before_calls;
  for (size_t i = 0; i < calls.size(); ++i) {
    select += (i ? ", " : "") + specs[static_cast<size_t>(calls[i].spec)].sql;
    if (calls[i].filter >= 0) {
      select += " FILTER (WHERE " + filters[static_cast<size_t>(calls[i].filter)].sql + ")";
    }
    select += " AS a" + std::to_string(i);
  }
  return select + " FROM t";
}

// A row's group key as the reference writes it (each key value, then '|').
inline std::string group_key_text(const AggRow& r, const std::vector<int>& keys) {
  std::string key;
  for (int k : keys) key += (k == 0 ? render(r.k) : render(r.g)) + "|";
  return key;
}

// The reference's output cells of `calls` over a group's `rows` (each FILTER applied), each
// followed by '|'.
inline std::string aggregate_cells(const std::vector<AggCall>& calls, const AggRows& rows,
                                   const std::vector<AggSpec>& specs,
                                   const std::vector<AggFilter>& filters) {
  std::string line;
  for (const AggCall& a : calls) {
    AggRows seen;
    for (const AggRow* r : rows) {
      if (a.filter < 0 || filters[static_cast<size_t>(a.filter)].keep(*r)) seen.push_back(r);
    }
    line += specs[static_cast<size_t>(a.spec)].compute(seen) + "|";
  }
  return line;
}

}  // namespace sluice
