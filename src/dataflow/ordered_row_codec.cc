#include "dataflow/ordered_row_codec.h"

#include <cmath>
#include <cstring>

namespace sluice::dataflow {
namespace {

constexpr uint64_t kSign = uint64_t{1} << 63;
constexpr unsigned char kPresent = 0x01;

void put_u64(uint64_t v, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint64_t get_u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

// A double's bits in an order that is the numbers': negatives inverted, positives with the sign
// set; every NaN as one, above +inf.
uint64_t ordered_double(double d) {
  if (std::isnan(d)) return UINT64_MAX;
  uint64_t bits = 0;
  std::memcpy(&bits, &d, 8);
  return (bits & kSign) ? ~bits : bits | kSign;
}

double double_of(uint64_t v) {
  if (v == UINT64_MAX) return std::nan("");
  const uint64_t bits = (v & kSign) ? v & ~kSign : ~v;
  double d = 0;
  std::memcpy(&d, &bits, 8);
  return d;
}

Status damaged() {
  return Status(ErrorCode::kDataCorrupt, "an OVER frame's kept row is damaged");
}

}  // namespace

void OrderedRowCodec::append(size_t c, const Value& v, std::string& out) const {
  const OrderedColumn& col = columns_[c];
  const size_t begin = out.size();
  if (v.null) {
    // NULLs last: after the present flag; first: before it (inverted below when descending, so
    // the flag keeps NULLs where asked whatever the direction).
    const bool before = col.nulls_first != col.descending;
    out.push_back(static_cast<char>(before ? 0x00 : 0x02));
  } else {
    out.push_back(static_cast<char>(kPresent));
    switch (col.type.id()) {
      case DataType::kBoolean:
        out.push_back(static_cast<char>(v.b ? 1 : 0));
        break;
      case DataType::kDouble:
        put_u64(ordered_double(v.d), out);
        break;
      case DataType::kDecimal: {
        const auto u =
            static_cast<unsigned __int128>(v.dec) ^ (static_cast<unsigned __int128>(1) << 127);
        put_u64(static_cast<uint64_t>(u >> 64), out);
        put_u64(static_cast<uint64_t>(u), out);
        break;
      }
      case DataType::kVarchar:
        for (const char ch : v.s) {
          out.push_back(ch);
          if (ch == 0) out.push_back(static_cast<char>(0xFF));
        }
        out.push_back(0);
        out.push_back(0);
        break;
      default:  // INT, BIGINT, DATE, TIMESTAMP, INTERVAL
        put_u64(static_cast<uint64_t>(v.i) ^ kSign, out);
        break;
    }
  }
  if (col.descending) {
    for (size_t i = begin; i < out.size(); ++i) out[i] = static_cast<char>(~out[i]);
  }
}

Status OrderedRowCodec::decode(std::string_view bytes, std::vector<Value>& out) const {
  size_t used = 0;
  SLC_RETURN_IF_ERROR(decode_prefix(bytes, out, used));
  if (used != bytes.size()) return damaged();
  return Status::Ok();
}

Status OrderedRowCodec::decode_prefix(std::string_view bytes, std::vector<Value>& out,
                                      size_t& used) const {
  out.resize(columns_.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* const end = p + bytes.size();
  for (size_t c = 0; c < columns_.size(); ++c) {
    const OrderedColumn& col = columns_[c];
    const unsigned char flip = col.descending ? 0xFF : 0x00;
    Value& v = out[c];
    v = Value::Null(col.type);
    if (p == end) return damaged();
    const unsigned char flag = *p++ ^ flip;
    if (flag != kPresent) {
      if (flag != 0x00 && flag != 0x02) return damaged();
      continue;
    }
    v.null = false;
    unsigned char buf[16];
    auto take = [&](size_t n) {
      if (static_cast<size_t>(end - p) < n) return false;
      for (size_t i = 0; i < n; ++i) buf[i] = p[i] ^ flip;
      p += n;
      return true;
    };
    switch (col.type.id()) {
      case DataType::kBoolean:
        if (!take(1) || buf[0] > 1) return damaged();
        v.b = buf[0] == 1;
        break;
      case DataType::kDouble:
        if (!take(8)) return damaged();
        v.d = double_of(get_u64(buf));
        break;
      case DataType::kDecimal: {
        if (!take(16)) return damaged();
        const unsigned __int128 u =
            (static_cast<unsigned __int128>(get_u64(buf)) << 64 | get_u64(buf + 8)) ^
            (static_cast<unsigned __int128>(1) << 127);
        v.dec = static_cast<__int128>(u);
        break;
      }
      case DataType::kVarchar:
        for (;;) {
          if (!take(1)) return damaged();
          if (buf[0] != 0) {
            v.s.push_back(static_cast<char>(buf[0]));
            continue;
          }
          if (!take(1)) return damaged();
          if (buf[0] == 0) break;
          if (buf[0] != 0xFF) return damaged();
          v.s.push_back(0);
        }
        break;
      default:
        if (!take(8)) return damaged();
        v.i = static_cast<int64_t>(get_u64(buf) ^ kSign);
        break;
    }
  }
  used = static_cast<size_t>(p - reinterpret_cast<const unsigned char*>(bytes.data()));
  return Status::Ok();
}

}  // namespace sluice::dataflow
