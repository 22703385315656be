#include "dataflow/aggregate_operator.h"

#include <cmath>

#include "columnar/decimal.h"

// AggregateOperator's arithmetic of aggregate states: rows folded into their groups' states
// (update), states combined (merge, when sessions join), and a state's value (finalize). A
// file of its own: grouping, windows and emission are in aggregate_operator.cc, checkpoint
// state in aggregate_snapshot.cc.

namespace sluice::dataflow {

using sql::AggKind;
using sql::AggregateCall;
using sql::Datum;

namespace {

// -1, 0, 1 comparing two non-null values of one type.
int compare_values(const Value& a, const Value& b) {
  switch (a.type) {
    case DataType::kBoolean:
      return (a.b > b.b) - (a.b < b.b);
    case DataType::kDouble:
      return (a.d > b.d) - (a.d < b.d);
    case DataType::kVarchar:
      return a.s.compare(b.s) < 0 ? -1 : a.s == b.s ? 0 : 1;
    case DataType::kDecimal:
      return (a.dec > b.dec) - (a.dec < b.dec);
    default:
      return (a.i > b.i) - (a.i < b.i);
  }
}

}  // namespace

Status AggregateOperator::update(std::span<const uint32_t> all_rows,
                                 std::span<const uint32_t> all_slots,
                                 const std::vector<Datum>& args,
                                 const std::vector<Datum>& filters) {
  for (size_t a = 0; a < query_->aggregates.size(); ++a) {
    const AggregateCall& call = query_->aggregates[a];
    const Datum& arg = args[a];
    std::span<const uint32_t> rows = all_rows, slots = all_slots;
    if (call.filter) {
      // FILTER (WHERE ...): this aggregate sees only the rows its condition is TRUE for.
      const Datum& f = filters[a];
      filtered_rows_.clear();
      filtered_slots_.clear();
      for (size_t k = 0; k < all_rows.size(); ++k) {
        const uint32_t r = all_rows[k];
        if (f.is_null(r) || !f.column.bool_value(f.index(r))) continue;
        filtered_rows_.push_back(r);
        filtered_slots_.push_back(all_slots[k]);
      }
      rows = filtered_rows_;
      slots = filtered_slots_;
    }
    const size_t n = rows.size();
    const DataType type = call.arg ? call.arg->type : DataType(DataType::kInt64);
    switch (call.kind) {
      case AggKind::kCountStar:
        for (size_t k = 0; k < n; ++k) ++groups_[slots[k]].aggs[a].count;
        break;
      case AggKind::kCount:
        for (size_t k = 0; k < n; ++k) {
          if (arg.is_null(rows[k])) continue;
          AggState& s = groups_[slots[k]].aggs[a];
          if (call.distinct) {
            if (!s.distinct) s.distinct = std::make_unique<std::unordered_set<std::string>>();
            std::string v;
            append_key(v, arg.column, arg.index(rows[k]));
            s.distinct->insert(std::move(v));
          } else {
            ++s.count;
          }
        }
        break;
      case AggKind::kSum:
      case AggKind::kAvg:
        for (size_t k = 0; k < n; ++k) {
          const int64_t r = arg.index(rows[k]);
          if (arg.column.is_null(r)) continue;
          AggState& s = groups_[slots[k]].aggs[a];
          s.has = true;
          ++s.count;
          if (type == DataType::kDecimal) {
            SLC_RETURN_IF_ERROR(add_decimal(s, arg.column.decimal_value(r), call));
            continue;
          }
          if (type == DataType::kDouble) {
            s.d += arg.column.double_value(r);
            continue;
          }
          const int64_t v =
              type == DataType::kInt32 ? arg.column.int32_value(r) : arg.column.int64_value(r);
          if (call.kind == AggKind::kAvg) {
            s.d += static_cast<double>(v);
          } else if (__builtin_add_overflow(s.i, v, &s.i)) {
            return Status(ErrorCode::kOutOfRange, call.sql + " overflowed BIGINT");
          }
        }
        break;
      case AggKind::kMin:
      case AggKind::kMax:
        for (size_t k = 0; k < n; ++k) {
          const int64_t r = arg.index(rows[k]);
          if (arg.column.is_null(r)) continue;
          AggState& s = groups_[slots[k]].aggs[a];
          Value v = Value::from_column(arg.column, r);
          if (!s.has) {
            s.v = std::move(v);
            s.has = true;
            continue;
          }
          const int c = compare_values(v, s.v);
          if ((call.kind == AggKind::kMin && c < 0) || (call.kind == AggKind::kMax && c > 0)) {
            s.v = std::move(v);
          }
        }
        break;
      case AggKind::kVarSamp:
      case AggKind::kVarPop:
      case AggKind::kStddevSamp:
      case AggKind::kStddevPop:
        // Welford's update: stable where summing squares would cancel.
        for (size_t k = 0; k < n; ++k) {
          const int64_t r = arg.index(rows[k]);
          if (arg.column.is_null(r)) continue;
          AggState& s = groups_[slots[k]].aggs[a];
          const double x = type == DataType::kDouble ? arg.column.double_value(r)
                           : type == DataType::kDecimal
                               ? decimal::to_double(arg.column.decimal_value(r), type.scale())
                           : type == DataType::kInt32
                               ? arg.column.int32_value(r)
                               : static_cast<double>(arg.column.int64_value(r));
          ++s.count;
          const double delta = x - s.d;
          s.d += delta / static_cast<double>(s.count);
          s.m2 += delta * (x - s.d);
        }
        break;
      case AggKind::kFirstValue:
      case AggKind::kLastValue:
        for (size_t k = 0; k < n; ++k) {
          AggState& s = groups_[slots[k]].aggs[a];
          if (call.kind == AggKind::kFirstValue && s.has) continue;
          s.v = Value::from_column(arg.column, arg.index(rows[k]));
          s.has = true;
        }
        break;
    }
  }
  return Status::Ok();
}

Status AggregateOperator::add_decimal(AggState& s, __int128 units, const AggregateCall& call) {
  if (s.v.type != DataType::kDecimal) {  // the first value: a sum at the argument's scale
    s.v = Value::Decimal(0,
                         DataType::Decimal(DataType::kMaxDecimalPrecision, call.arg->type.scale()));
  }
  // AVG's sum leaves room for shifting it to AVG's scale in finalize().
  const int digits =
      DataType::kMaxDecimalPrecision -
      (call.kind == AggKind::kAvg ? call.result_type.scale() - call.arg->type.scale() : 0);
  if (__builtin_add_overflow(s.v.dec, units, &s.v.dec) || !decimal::fits(s.v.dec, digits)) {
    return decimal::overflow(call.sql, call.result_type);
  }
  return Status::Ok();
}

Status AggregateOperator::merge(AggState& into, const AggState& from, const AggregateCall& call) {
  switch (call.kind) {
    case AggKind::kCountStar:
    case AggKind::kCount:
      into.count += from.count;
      if (from.distinct) {
        if (!into.distinct) into.distinct = std::make_unique<std::unordered_set<std::string>>();
        into.distinct->insert(from.distinct->begin(), from.distinct->end());
      }
      return Status::Ok();
    case AggKind::kSum:
    case AggKind::kAvg:
      if (call.arg && call.arg->type == DataType::kDecimal && from.has) {
        into.count += from.count;
        into.has = true;
        return add_decimal(into, from.v.dec, call);
      }
      into.count += from.count;
      into.d += from.d;
      into.has |= from.has;
      if (__builtin_add_overflow(into.i, from.i, &into.i)) {
        return Status(ErrorCode::kOutOfRange, call.sql + " overflowed BIGINT");
      }
      return Status::Ok();
    case AggKind::kVarSamp:
    case AggKind::kVarPop:
    case AggKind::kStddevSamp:
    case AggKind::kStddevPop: {  // Chan et al.'s combination of two partial results
      if (from.count == 0) return Status::Ok();
      const double na = static_cast<double>(into.count), nb = static_cast<double>(from.count);
      const double delta = from.d - into.d;
      into.count += from.count;
      into.d += delta * nb / (na + nb);
      into.m2 += from.m2 + delta * delta * na * nb / (na + nb);
      return Status::Ok();
    }
    case AggKind::kMin:
    case AggKind::kMax:
      if (from.has &&
          (!into.has || (call.kind == AggKind::kMin ? compare_values(from.v, into.v) < 0
                                                    : compare_values(from.v, into.v) > 0))) {
        into.v = from.v;
        into.has = true;
      }
      return Status::Ok();
    case AggKind::kFirstValue:  // `into` is the earlier session
      if (!into.has && from.has) {
        into.v = from.v;
        into.has = true;
      }
      return Status::Ok();
    case AggKind::kLastValue:
      if (from.has) {
        into.v = from.v;
        into.has = true;
      }
      return Status::Ok();
  }
  return Status::Ok();
}

Value AggregateOperator::finalize(const AggState& s, const AggregateCall& call) const {
  switch (call.kind) {
    case AggKind::kCountStar:
      return Value::Int64(s.count);
    case AggKind::kCount:
      return Value::Int64(
          call.distinct ? (s.distinct ? static_cast<int64_t>(s.distinct->size()) : 0) : s.count);
    case AggKind::kSum:
      if (!s.has) return Value::Null(call.result_type);
      if (call.result_type == DataType::kDouble) return Value::Double(s.d);
      if (call.result_type == DataType::kInterval) return Value::Interval(s.i);
      if (call.result_type == DataType::kDecimal) return Value::Decimal(s.v.dec, call.result_type);
      return Value::Int64(s.i);
    case AggKind::kAvg:
      if (call.result_type == DataType::kDecimal) {
        if (s.count == 0) return Value::Null(call.result_type);
        // sum / count at the result's scale: the quotient shifted, the remainder's share rounded
        // (add_decimal kept the sum small enough for the shift).
        const int shift = call.result_type.scale() - call.arg->type.scale();
        const decimal::int128 count = s.count;
        const decimal::int128 q = s.v.dec / count, r = s.v.dec % count;
        return Value::Decimal(
            q * decimal::pow10(shift) + decimal::divide_rounded(r * decimal::pow10(shift), count),
            call.result_type);
      }
      return s.count == 0 ? Value::Null(DataType::kDouble)
                          : Value::Double(s.d / static_cast<double>(s.count));
    case AggKind::kVarSamp:
    case AggKind::kStddevSamp:
    case AggKind::kVarPop:
    case AggKind::kStddevPop: {
      // The sample forms need two values (n - 1 in the denominator), the population one.
      const bool sample = call.kind == AggKind::kVarSamp || call.kind == AggKind::kStddevSamp;
      if (s.count < (sample ? 2 : 1)) return Value::Null(DataType::kDouble);
      const double variance =
          std::max(0.0, s.m2) / static_cast<double>(sample ? s.count - 1 : s.count);
      const bool root = call.kind == AggKind::kStddevSamp || call.kind == AggKind::kStddevPop;
      return Value::Double(root ? std::sqrt(variance) : variance);
    }
    default:
      return s.has ? s.v : Value::Null(call.result_type);
  }
}

}  // namespace sluice::dataflow
