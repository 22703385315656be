#include "dataflow/agg_columns.h"

#include <algorithm>
#include <cmath>

#include "columnar/decimal.h"
#include "dataflow/aggregate_operator.h"
#include "dataflow/key_bytes.h"

// The arithmetic is the one the operator always had (aggregate_state.cc before the typed
// layout): integer SUM checks BIGINT overflow, AVG of integers sums doubles, DECIMAL sums are
// exact with SLC-0006 past 38 digits, variance is Welford's update and Chan's merge.

namespace sluice::dataflow {

using sql::AggKind;

namespace {

// A group's set (COUNT(DISTINCT)'s, a multiset over changes) per group: a presence byte, then
// the set as it writes itself.
template <typename Set>
void write_sets(StateWriter& w, const ChunkedArray<CowPtr<Set>>& sets) {
  for (uint32_t g = 0; g < sets.size(); ++g) {
    if (sets[g]) {
      w.u8(1);
      sets[g]->write(w);
    } else {
      w.u8(0);
    }
  }
}

template <typename Set>
Status read_sets(StateReader& r, uint32_t n, ChunkedArray<CowPtr<Set>>& sets) {
  sets.clear();
  for (uint32_t g = 0; g < n; ++g) {
    uint8_t present;
    SLC_RETURN_IF_ERROR(r.u8(present));
    if (present == 0) {
      sets.push_back(nullptr);
      continue;
    }
    auto set = CowPtr<Set>::make();
    SLC_RETURN_IF_ERROR(set->read(r));
    sets.push_back(std::move(set));
  }
  return Status::Ok();
}

}  // namespace

AggColumns::AggColumns(const sql::AggregateCall& call, bool retracting)
    : call_(&call),
      arg_type_(call.arg ? call.arg->type : DataType(DataType::kInt64)),
      value_(arg_type_) {
  switch (call.kind) {
    case AggKind::kCountStar:
      shape_ = Shape::kCount;
      break;
    case AggKind::kCount:
      shape_ = !call.distinct ? Shape::kCount : retracting ? Shape::kMultiset : Shape::kDistinct;
      break;
    case AggKind::kSum:
    case AggKind::kAvg:
      shape_ = arg_type_ == DataType::kDecimal                                ? Shape::kSumDecimal
               : arg_type_ == DataType::kDouble || call.kind == AggKind::kAvg ? Shape::kSumDouble
                                                                              : Shape::kSumInt;
      break;
    case AggKind::kMin:
    case AggKind::kMax:
      shape_ = retracting ? Shape::kMultiset : Shape::kValue;
      break;
    case AggKind::kFirstValue:
    case AggKind::kLastValue:
      shape_ = Shape::kValue;
      break;
    default:
      shape_ = Shape::kMoments;
  }
}

void AggColumns::push_back() {
  switch (shape_) {
    case Shape::kCount:
      count_.push_back(0);
      break;
    case Shape::kDistinct:
      sets_.push_back(nullptr);
      break;
    case Shape::kSumInt:
      count_.push_back(0);
      i_.push_back(0);
      break;
    case Shape::kSumDouble:
      count_.push_back(0);
      d_.push_back(0);
      break;
    case Shape::kSumDecimal:
      count_.push_back(0);
      dec_.push_back(0);
      break;
    case Shape::kMoments:
      count_.push_back(0);
      d_.push_back(0);
      m2_.push_back(0);
      break;
    case Shape::kValue:
      value_.push_back();
      break;
    case Shape::kMultiset:
      multisets_.push_back(nullptr);
      break;
  }
}

void AggColumns::reset(uint32_t g, StringArena& arena) {
  switch (shape_) {
    case Shape::kDistinct:
      sets_.mut(g) = nullptr;
      return;
    case Shape::kValue:
      value_.reset(g, arena);
      return;
    case Shape::kMultiset:
      multisets_.mut(g) = nullptr;
      return;
    case Shape::kSumInt:
      i_.mut(g) = 0;
      break;
    case Shape::kSumDouble:
      d_.mut(g) = 0;
      break;
    case Shape::kSumDecimal:
      dec_.mut(g) = 0;
      break;
    case Shape::kMoments:
      d_.mut(g) = 0;
      m2_.mut(g) = 0;
      break;
    case Shape::kCount:
      break;
  }
  count_.mut(g) = 0;
}

Status AggColumns::add_decimal(uint32_t g, __int128 units) {
  const sql::AggregateCall& call = *call_;
  // AVG's sum leaves room for shifting it to AVG's scale in finalize_into().
  const int digits =
      DataType::kMaxDecimalPrecision -
      (call.kind == AggKind::kAvg ? call.result_type.scale() - call.arg->type.scale() : 0);
  __int128& sum = dec_.mut(g);
  if (__builtin_add_overflow(sum, units, &sum) || !decimal::fits(sum, digits)) {
    return decimal::overflow(call.sql, call.result_type);
  }
  return Status::Ok();
}

double AggColumns::double_at(const Column& column, int64_t r) const {
  switch (arg_type_) {
    case DataType::kDouble:
      return column.double_value(r);
    case DataType::kDecimal:
      return decimal::to_double(column.decimal_value(r), arg_type_.scale());
    case DataType::kInt32:
      return column.int32_value(r);
    default:
      return static_cast<double>(column.int64_value(r));
  }
}

Status AggColumns::add(uint32_t g, const sql::Datum& arg, int64_t row, StringArena& arena,
                       std::string& scratch) {
  const AggKind kind = call_->kind;
  if (kind == AggKind::kCountStar) {
    ++count_.mut(g);
    return Status::Ok();
  }
  const Column& column = arg.column;
  const int64_t r = arg.index(row);
  if (kind == AggKind::kFirstValue || kind == AggKind::kLastValue) {
    // NULL is a value here: FIRST_VALUE of a NULL first row is NULL.
    if (kind == AggKind::kFirstValue && value_.state(g) != ValueSlots::kNone) return Status::Ok();
    value_.set(g, column, r, arena);
    return Status::Ok();
  }
  if (column.is_null(r)) return Status::Ok();
  switch (shape_) {
    case Shape::kCount:
      ++count_.mut(g);
      return Status::Ok();
    case Shape::kDistinct: {
      CowPtr<DistinctSet>& set = sets_.mut(g);
      own(set);
      scratch.clear();
      append_key(scratch, column, r);
      set->insert(scratch);
      return Status::Ok();
    }
    case Shape::kSumInt: {
      ++count_.mut(g);
      const int64_t v = integer_at(column, r);
      int64_t& sum = i_.mut(g);
      if (__builtin_add_overflow(sum, v, &sum)) {
        return Status(ErrorCode::kOutOfRange, call_->sql + " overflowed BIGINT");
      }
      return Status::Ok();
    }
    case Shape::kSumDouble:
      ++count_.mut(g);
      d_.mut(g) += double_at(column, r);
      return Status::Ok();
    case Shape::kSumDecimal:
      ++count_.mut(g);
      return add_decimal(g, column.decimal_value(r));
    case Shape::kMoments: {
      // Welford's update: stable where summing squares would cancel.
      const double x = double_at(column, r);
      const int64_t n = ++count_.mut(g);
      double& mean = d_.mut(g);
      const double delta = x - mean;
      mean += delta / static_cast<double>(n);
      m2_.mut(g) += delta * (x - mean);
      return Status::Ok();
    }
    case Shape::kMultiset: {
      CowPtr<ValueMultiset>& set = multisets_.mut(g);
      own(set);
      scratch.clear();
      ValueMultiset::encode(scratch, column, r);
      set->add(scratch);
      return Status::Ok();
    }
    case Shape::kValue: {  // MIN, MAX
      if (value_.state(g) != ValueSlots::kValue) {
        value_.set(g, column, r, arena);
        return Status::Ok();
      }
      const int c = value_.compare(column, r, g, arena);
      if ((kind == AggKind::kMin && c < 0) || (kind == AggKind::kMax && c > 0)) {
        value_.set(g, column, r, arena);
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

bool AggColumns::combines_exactly(const sql::AggregateCall& call) {
  switch (call.kind) {
    case AggKind::kCountStar:
    case AggKind::kCount:
      return true;
    case AggKind::kMin:
    case AggKind::kMax:
      return call.arg && call.arg->type != DataType::kDouble;
    default:
      return false;
  }
}

Status AggColumns::merge_from(uint32_t into, const AggColumns& other, uint32_t from,
                              const StringArena& from_arena, StringArena& arena) {
  const AggKind kind = call_->kind;
  switch (shape_) {
    case Shape::kCount:
      count_.mut(into) += other.count_[from];
      return Status::Ok();
    case Shape::kDistinct: {
      if (!other.sets_[from]) return Status::Ok();
      CowPtr<DistinctSet>& set = sets_.mut(into);
      own(set);
      const CowPtr<DistinctSet> items = other.sets_[from];  // held: `set` may be `items`' slot
      items->for_each([&](std::string_view item) { set->insert(item); });
      return Status::Ok();
    }
    case Shape::kSumInt: {
      count_.mut(into) += other.count_[from];
      int64_t& sum = i_.mut(into);
      if (__builtin_add_overflow(sum, other.i_[from], &sum)) {
        return Status(ErrorCode::kOutOfRange, call_->sql + " overflowed BIGINT");
      }
      return Status::Ok();
    }
    case Shape::kSumDouble:
      count_.mut(into) += other.count_[from];
      d_.mut(into) += other.d_[from];
      return Status::Ok();
    case Shape::kSumDecimal:
      if (other.count_[from] == 0) return Status::Ok();
      count_.mut(into) += other.count_[from];
      return add_decimal(into, other.dec_[from]);
    case Shape::kMoments: {  // Chan et al.'s combination of two partial results
      if (other.count_[from] == 0) return Status::Ok();
      const double na = static_cast<double>(count_[into]),
                   nb = static_cast<double>(other.count_[from]);
      const double delta = other.d_[from] - d_[into];
      count_.mut(into) += other.count_[from];
      d_.mut(into) += delta * nb / (na + nb);
      m2_.mut(into) += other.m2_[from] + delta * delta * na * nb / (na + nb);
      return Status::Ok();
    }
    case Shape::kMultiset:  // sessions never take changes (the binder refuses a window)
      return Status(ErrorCode::kInternal,
                    call_->sql + ": groups of an aggregate over changes are never merged");
    case Shape::kValue: {
      const uint8_t has_from = other.value_.state(from), has_into = value_.state(into);
      if (kind == AggKind::kMin || kind == AggKind::kMax) {
        if (has_from != ValueSlots::kValue) return Status::Ok();
        const int c = has_into == ValueSlots::kValue
                          ? value_.compare_slot(other.value_, from, from_arena, into, arena)
                          : 0;
        if (has_into != ValueSlots::kValue || (kind == AggKind::kMin ? c < 0 : c > 0)) {
          value_.set_slot(into, other.value_, from, from_arena, arena);
        }
      } else if (kind == AggKind::kFirstValue) {  // `into` is the earlier session
        if (has_into == ValueSlots::kNone && has_from != ValueSlots::kNone) {
          value_.set_slot(into, other.value_, from, from_arena, arena);
        }
      } else if (has_from != ValueSlots::kNone) {
        value_.set_slot(into, other.value_, from, from_arena, arena);
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

void AggColumns::finalize_into(ColumnBuilder& out, uint32_t g, const StringArena& arena) const {
  const sql::AggregateCall& call = *call_;
  switch (shape_) {
    case Shape::kCount:
      out.append_int64(count_[g]);
      return;
    case Shape::kDistinct:
      out.append_int64(sets_[g] ? static_cast<int64_t>(sets_[g]->size()) : 0);
      return;
    case Shape::kSumInt:
      if (count_[g] == 0) {
        out.append_null();
      } else {
        out.append_int64(i_[g]);  // BIGINT or INTERVAL
      }
      return;
    case Shape::kSumDouble:
      if (count_[g] == 0) {
        out.append_null();
      } else {
        out.append_double(call.kind == AggKind::kAvg ? d_[g] / static_cast<double>(count_[g])
                                                     : d_[g]);
      }
      return;
    case Shape::kSumDecimal: {
      if (count_[g] == 0) {
        out.append_null();
        return;
      }
      if (call.kind == AggKind::kSum) {
        out.append_decimal(dec_[g]);
        return;
      }
      // sum / count at the result's scale: the quotient shifted, the remainder's share rounded
      // (add_decimal kept the sum small enough for the shift).
      const int shift = call.result_type.scale() - call.arg->type.scale();
      const decimal::int128 count = count_[g];
      const decimal::int128 q = dec_[g] / count, r = dec_[g] % count;
      out.append_decimal(q * decimal::pow10(shift) +
                         decimal::divide_rounded(r * decimal::pow10(shift), count));
      return;
    }
    case Shape::kMoments: {
      // The sample forms need two values (n - 1 in the denominator), the population one.
      const bool sample = call.kind == AggKind::kVarSamp || call.kind == AggKind::kStddevSamp;
      const int64_t n = count_[g];
      if (n < (sample ? 2 : 1)) {
        out.append_null();
        return;
      }
      const double variance = std::max(0.0, m2_[g]) / static_cast<double>(sample ? n - 1 : n);
      const bool root = call.kind == AggKind::kStddevSamp || call.kind == AggKind::kStddevPop;
      out.append_double(root ? std::sqrt(variance) : variance);
      return;
    }
    case Shape::kMultiset: {
      const ValueMultiset* set = multisets_[g].get();
      if (call.kind == AggKind::kCount) {
        out.append_int64(set ? static_cast<int64_t>(set->distinct()) : 0);
      } else if (set == nullptr || set->empty()) {
        out.append_null();
      } else {
        ValueMultiset::decode_into(out, arg_type_,
                                   call.kind == AggKind::kMin ? set->least() : set->greatest());
      }
      return;
    }
    case Shape::kValue:
      if (value_.type() == out.type()) {
        value_.append_to(out, g, arena);
      } else {
        append_value(out, value_.value(g, arena));
      }
      return;
  }
}

size_t AggColumns::bytes() const {
  size_t n = count_.bytes() + i_.bytes() + d_.bytes() + m2_.bytes() + dec_.bytes() + sets_.bytes() +
             value_.bytes();
  if (shape_ == Shape::kDistinct) {
    for (uint32_t g = 0; g < sets_.size(); ++g) {
      if (sets_[g]) n += sets_[g]->bytes() + 16;
    }
  }
  if (shape_ == Shape::kMultiset) {
    n += multisets_.bytes();
    for (uint32_t g = 0; g < multisets_.size(); ++g) {
      if (multisets_[g]) n += multisets_[g]->bytes() + 16;
    }
  }
  return n;
}

void AggColumns::write(StateWriter& w) const {
  switch (shape_) {
    case Shape::kCount:
      count_.write(w);
      return;
    case Shape::kDistinct:
      write_sets(w, sets_);
      return;
    case Shape::kSumInt:
      count_.write(w);
      i_.write(w);
      return;
    case Shape::kSumDouble:
      count_.write(w);
      d_.write(w);
      return;
    case Shape::kSumDecimal:
      count_.write(w);
      dec_.write(w);
      return;
    case Shape::kMoments:
      count_.write(w);
      d_.write(w);
      m2_.write(w);
      return;
    case Shape::kValue:
      value_.write(w);
      return;
    case Shape::kMultiset:
      write_sets(w, multisets_);
      return;
  }
}

Status AggColumns::read(StateReader& r, uint32_t n, const StringArena& arena,
                        std::string& scratch) {
  switch (shape_) {
    case Shape::kCount:
      return count_.read(r, n, scratch);
    case Shape::kDistinct:
      return read_sets(r, n, sets_);
    case Shape::kSumInt:
      SLC_RETURN_IF_ERROR(count_.read(r, n, scratch));
      return i_.read(r, n, scratch);
    case Shape::kSumDouble:
      SLC_RETURN_IF_ERROR(count_.read(r, n, scratch));
      return d_.read(r, n, scratch);
    case Shape::kSumDecimal:
      SLC_RETURN_IF_ERROR(count_.read(r, n, scratch));
      return dec_.read(r, n, scratch);
    case Shape::kMoments:
      SLC_RETURN_IF_ERROR(count_.read(r, n, scratch));
      SLC_RETURN_IF_ERROR(d_.read(r, n, scratch));
      return m2_.read(r, n, scratch);
    case Shape::kValue:
      return value_.read(r, n, arena, scratch);
    case Shape::kMultiset:
      return read_sets(r, n, multisets_);
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
