#include "dataflow/tie_order.h"

#include <cstring>
#include <string_view>

namespace sluice::dataflow {
namespace {

bool bit(const uint8_t* bits, int64_t i) {
  return (bits[i >> 3] >> (i & 7)) & 1;
}

template <typename T>
int compare_bits(const TieOrder::View& x, int64_t rx, const TieOrder::View& y, int64_t ry) {
  T a, b;
  std::memcpy(&a, x.values + static_cast<size_t>(x.offset + rx) * sizeof(T), sizeof(T));
  std::memcpy(&b, y.values + static_cast<size_t>(y.offset + ry) * sizeof(T), sizeof(T));
  return a < b ? -1 : a > b ? 1 : 0;
}

std::string_view string_at(const TieOrder::View& v, int64_t r) {
  int32_t bounds[2];
  std::memcpy(bounds, v.values + static_cast<size_t>(v.offset + r) * 4, sizeof bounds);
  return {reinterpret_cast<const char*>(v.data) + bounds[0],
          static_cast<size_t>(bounds[1] - bounds[0])};
}

}  // namespace

TieOrder::TieOrder(const Schema& schema, int time_column) {
  for (const bool fixed : {true, false}) {
    for (int c = 0; c < schema.num_fields(); ++c) {
      const DataType type = schema.field(c).type;
      const int width = fixed_width(type);
      if (c != time_column && (width > 0) == fixed) {
        keys_.push_back(Key{c, width, type == DataType::kVarchar});
      }
    }
  }
}

std::vector<TieOrder::View> TieOrder::views(const RecordBatch& batch) const {
  std::vector<View> out;
  out.reserve(keys_.size());
  for (const Key& k : keys_) {
    const Column& c = batch.column(k.column);
    out.push_back(View{c.null_count() > 0 ? c.validity_buffer().data() : nullptr,
                       c.values_buffer().data(), c.data_buffer().data(), c.offset()});
  }
  return out;
}

int TieOrder::compare(const std::vector<View>& a, int64_t ra, const std::vector<View>& b,
                      int64_t rb) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    const View& x = a[i];
    const View& y = b[i];
    const bool xn = x.validity != nullptr && !bit(x.validity, x.offset + ra);
    const bool yn = y.validity != nullptr && !bit(y.validity, y.offset + rb);
    if (xn || yn) {
      if (xn != yn) return xn ? 1 : -1;
      continue;
    }
    int r = 0;
    switch (keys_[i].width) {
      case 8:
        r = compare_bits<uint64_t>(x, ra, y, rb);
        break;
      case 4:
        r = compare_bits<uint32_t>(x, ra, y, rb);
        break;
      case 16:
        r = compare_bits<unsigned __int128>(x, ra, y, rb);
        break;
      default:
        if (keys_[i].varchar) {
          r = string_at(x, ra).compare(string_at(y, rb));
        } else {
          r = static_cast<int>(bit(x.values, x.offset + ra)) -
              static_cast<int>(bit(y.values, y.offset + rb));
        }
    }
    if (r != 0) return r;
  }
  return 0;
}

}  // namespace sluice::dataflow
