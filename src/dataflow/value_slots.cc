#include "dataflow/value_slots.h"

#include <bit>
#include <cmath>
#include <functional>
#include <limits>

namespace sluice::dataflow {

namespace {

constexpr uint64_t kNullHash = 0x5851f42d4c957f2dULL;

uint64_t hash_decimal(uint64_t h, __int128 v) {
  return mix_hash(mix_hash(h, static_cast<uint64_t>(v)),
                  static_cast<uint64_t>(static_cast<unsigned __int128>(v) >> 64));
}

template <typename T>
int three_way(T a, T b) {
  return (a > b) - (a < b);
}

}  // namespace

void hash_column(const Column& column, std::vector<uint64_t>& hashes) {
  const auto n = static_cast<int64_t>(hashes.size());
  const bool nulls = column.null_count() > 0;
  auto each = [&](auto&& value_hash) {
    for (int64_t r = 0; r < n; ++r) {
      uint64_t& h = hashes[static_cast<size_t>(r)];
      h = nulls && column.is_null(r) ? mix_hash(h, kNullHash) : value_hash(h, r);
    }
  };
  switch (column.type()) {
    case DataType::kBoolean:
      each([&](uint64_t h, int64_t r) { return mix_hash(h, column.bool_value(r) ? 1 : 0); });
      break;
    case DataType::kInt32:
    case DataType::kDate:
      each([&](uint64_t h, int64_t r) {
        return mix_hash(h, static_cast<uint64_t>(static_cast<int64_t>(column.int32_value(r))));
      });
      break;
    case DataType::kDouble:
      each([&](uint64_t h, int64_t r) {
        return mix_hash(h, static_cast<uint64_t>(normalized_bits(column.double_value(r))));
      });
      break;
    case DataType::kDecimal:
      each([&](uint64_t h, int64_t r) { return hash_decimal(h, column.decimal_value(r)); });
      break;
    case DataType::kVarchar:
      each([&](uint64_t h, int64_t r) { return mix_hash(h, hash_string(column.string_value(r))); });
      break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval: {
      const int64_t* v = column.values<int64_t>();
      each([&](uint64_t h, int64_t r) { return mix_hash(h, static_cast<uint64_t>(v[r])); });
      break;
    }
  }
}

void ValueSlots::push_back() {
  state_.push_back(kNone);
  if (is_string()) {
    str_.push_back({});
  } else if (is_decimal()) {
    dec_.push_back(0);
  } else {
    fixed_.push_back(0);
  }
}

void ValueSlots::reset(uint32_t g, StringArena& arena) {
  if (state_[g] == kNone) return;
  if (is_string() && state_[g] == kValue) arena.release(str_[g]);
  state_.mut(g) = kNone;
}

void ValueSlots::set(uint32_t g, const Column& column, int64_t row, StringArena& arena) {
  if (is_string() && state_[g] == kValue) {
    // The same text again (a changelog's unchanged key, LAST_VALUE of a repeated value):
    // keep the bytes stored, adding none.
    if (!column.is_null(row) && column.string_value(row) == arena.get(str_[g])) return;
    arena.release(str_[g]);
  }
  if (column.is_null(row)) {
    state_.mut(g) = kNull;
    return;
  }
  state_.mut(g) = kValue;
  if (is_string()) {
    str_.mut(g) = arena.add(column.string_value(row));
  } else if (is_decimal()) {
    dec_.mut(g) = column.decimal_value(row);
  } else {
    fixed_.mut(g) = fixed_of(column, row);
  }
}

void ValueSlots::set_slot(uint32_t g, const ValueSlots& other, uint32_t from,
                          const StringArena& from_arena, StringArena& arena) {
  if (is_string() && state_[g] == kValue) arena.release(str_[g]);
  state_.mut(g) = other.state_[from];
  if (other.state_[from] != kValue) return;
  if (is_string()) {
    // The same arena: the bytes are shared, not copied.
    str_.mut(g) =
        &from_arena == &arena ? other.str_[from] : arena.add(from_arena.get(other.str_[from]));
  } else if (is_decimal()) {
    dec_.mut(g) = other.dec_[from];
  } else {
    fixed_.mut(g) = other.fixed_[from];
  }
}

void ValueSlots::set_value(uint32_t g, const Value& v, StringArena& arena) {
  if (is_string() && state_[g] == kValue) arena.release(str_[g]);
  if (v.null) {
    state_.mut(g) = kNull;
    return;
  }
  state_.mut(g) = kValue;
  switch (type_) {
    case DataType::kVarchar:
      str_.mut(g) = arena.add(v.s);
      break;
    case DataType::kDecimal:
      dec_.mut(g) = v.dec;
      break;
    case DataType::kBoolean:
      fixed_.mut(g) = v.b ? 1 : 0;
      break;
    case DataType::kDouble:
      fixed_.mut(g) = std::bit_cast<int64_t>(v.d);
      break;
    default:
      fixed_.mut(g) = v.i;
  }
}

int ValueSlots::compare(const Column& column, int64_t row, uint32_t g,
                        const StringArena& arena) const {
  switch (type_) {
    case DataType::kVarchar: {
      const int c = column.string_value(row).compare(arena.get(str_[g]));
      return (c > 0) - (c < 0);
    }
    case DataType::kDecimal:
      return three_way(column.decimal_value(row), dec_[g]);
    case DataType::kDouble:
      return three_way(column.double_value(row), std::bit_cast<double>(fixed_[g]));
    default:
      return three_way(fixed_of(column, row), fixed_[g]);
  }
}

int ValueSlots::compare_slot(const ValueSlots& other, uint32_t from, const StringArena& from_arena,
                             uint32_t g, const StringArena& arena) const {
  switch (type_) {
    case DataType::kVarchar: {
      const int c = from_arena.get(other.str_[from]).compare(arena.get(str_[g]));
      return (c > 0) - (c < 0);
    }
    case DataType::kDecimal:
      return three_way(other.dec_[from], dec_[g]);
    case DataType::kDouble:
      return three_way(std::bit_cast<double>(other.fixed_[from]), std::bit_cast<double>(fixed_[g]));
    default:
      return three_way(other.fixed_[from], fixed_[g]);
  }
}

bool ValueSlots::same_key(uint32_t a, uint32_t b, const StringArena& arena) const {
  if (state_[a] != kValue || state_[b] != kValue) return state_[a] == state_[b];
  switch (type_) {
    case DataType::kVarchar:
      return arena.get(str_[a]) == arena.get(str_[b]);
    case DataType::kDecimal:
      return dec_[a] == dec_[b];
    case DataType::kDouble:
      return normalized_bits(std::bit_cast<double>(fixed_[a])) ==
             normalized_bits(std::bit_cast<double>(fixed_[b]));
    default:
      return fixed_[a] == fixed_[b];
  }
}

uint64_t ValueSlots::hash(uint32_t g, uint64_t h, const StringArena& arena) const {
  if (state_[g] != kValue) return mix_hash(h, kNullHash);
  switch (type_) {
    case DataType::kVarchar:
      return mix_hash(h, hash_string(arena.get(str_[g])));
    case DataType::kDecimal:
      return hash_decimal(h, dec_[g]);
    case DataType::kDouble:
      return mix_hash(h, static_cast<uint64_t>(normalized_bits(std::bit_cast<double>(fixed_[g]))));
    default:
      return mix_hash(h, static_cast<uint64_t>(fixed_[g]));
  }
}

void ValueSlots::append_to(ColumnBuilder& out, uint32_t g, const StringArena& arena) const {
  if (state_[g] != kValue) {
    out.append_null();
    return;
  }
  switch (type_) {
    case DataType::kBoolean:
      out.append_bool(fixed_[g] != 0);
      break;
    case DataType::kInt32:
    case DataType::kDate:
      out.append_int32(static_cast<int32_t>(fixed_[g]));
      break;
    case DataType::kDouble:
      out.append_double(std::bit_cast<double>(fixed_[g]));
      break;
    case DataType::kDecimal:
      out.append_decimal(dec_[g]);
      break;
    case DataType::kVarchar:
      out.append_string(arena.get(str_[g]));
      break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kInterval:
      out.append_int64(fixed_[g]);
      break;
  }
}

Value ValueSlots::value(uint32_t g, const StringArena& arena) const {
  if (state_[g] != kValue) return Value::Null(type_);
  switch (type_) {
    case DataType::kBoolean:
      return Value::Bool(fixed_[g] != 0);
    case DataType::kInt32:
      return Value::Int32(static_cast<int32_t>(fixed_[g]));
    case DataType::kDate:
      return Value::Date(static_cast<int32_t>(fixed_[g]));
    case DataType::kDouble:
      return Value::Double(std::bit_cast<double>(fixed_[g]));
    case DataType::kDecimal:
      return Value::Decimal(dec_[g], type_);
    case DataType::kVarchar:
      return Value::Varchar(std::string(arena.get(str_[g])));
    case DataType::kTimestamp:
      return Value::Timestamp(fixed_[g]);
    case DataType::kInterval:
      return Value::Interval(fixed_[g]);
    case DataType::kInt64:
      break;
  }
  return Value::Int64(fixed_[g]);
}

void ValueSlots::write(StateWriter& w) const {
  state_.write(w);
  if (is_string()) {
    str_.write(w);
  } else if (is_decimal()) {
    dec_.write(w);
  } else {
    fixed_.write(w);
  }
}

void ValueSlots::move_strings(const StringArena& from, StringArena& to) {
  if (!is_string()) return;
  for (uint32_t g = 0; g < size(); ++g) {
    if (state_[g] == kValue) str_.mut(g) = to.add(from.get(str_[g]));
  }
}

size_t ValueSlots::string_bytes() const {
  if (!is_string()) return 0;
  size_t held = 0;
  for (uint32_t g = 0; g < size(); ++g) {
    if (state_[g] == kValue) held += StringArena::live_bytes(str_[g]);
  }
  return held;
}

Status ValueSlots::read(StateReader& r, uint32_t n, const StringArena& arena,
                        std::string& scratch) {
  SLC_RETURN_IF_ERROR(state_.read(r, n, scratch));
  if (is_string()) {
    SLC_RETURN_IF_ERROR(str_.read(r, n, scratch));
  } else if (is_decimal()) {
    SLC_RETURN_IF_ERROR(dec_.read(r, n, scratch));
  } else {
    SLC_RETURN_IF_ERROR(fixed_.read(r, n, scratch));
  }
  for (uint32_t g = 0; g < n; ++g) {
    if (state_[g] > kValue || (is_string() && state_[g] == kValue && !arena.valid(str_[g]))) {
      return Status(ErrorCode::kDataCorrupt, "aggregate state is damaged: value " +
                                                 std::to_string(g) + " is out of range (state " +
                                                 std::to_string(state_[g]) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace sluice::dataflow
