#include "dataflow/state_codec.h"

namespace sluice::dataflow {

void StateWriter::value(const Value& v) {
  u8(static_cast<uint8_t>(v.type));
  u8(v.null ? 1 : 0);
  if (v.null) return;
  switch (v.type) {
    case DataType::kBoolean:
      u8(v.b);
      break;
    case DataType::kDouble:
      f64(v.d);
      break;
    case DataType::kVarchar:
      str(v.s);
      break;
    default:
      i64(v.i);
      break;
  }
}

Status StateReader::need(size_t n) const {
  if (in_.size() - pos_ < n) {
    return Status(ErrorCode::kDataCorrupt, "state is damaged: " + std::to_string(n) +
                                               " bytes needed at byte " + std::to_string(pos_) +
                                               ", " + std::to_string(in_.size() - pos_) + " left");
  }
  return Status::Ok();
}

Status StateReader::count(int64_t& n, size_t min_bytes) {
  const size_t at = pos_;
  SLC_RETURN_IF_ERROR(i64(n));
  if (n < 0 || static_cast<uint64_t>(n) > remaining() / min_bytes) {
    return Status(ErrorCode::kDataCorrupt, "state is damaged: a count of " + std::to_string(n) +
                                               " at byte " + std::to_string(at) + ", with " +
                                               std::to_string(remaining()) + " bytes left");
  }
  return Status::Ok();
}

Status StateReader::u8(uint8_t& v) {
  SLC_RETURN_IF_ERROR(need(1));
  v = static_cast<uint8_t>(in_[pos_++]);
  return Status::Ok();
}

Status StateReader::i64(int64_t& v) {
  SLC_RETURN_IF_ERROR(need(8));
  std::memcpy(&v, in_.data() + pos_, 8);
  pos_ += 8;
  return Status::Ok();
}

Status StateReader::f64(double& v) {
  SLC_RETURN_IF_ERROR(need(8));
  std::memcpy(&v, in_.data() + pos_, 8);
  pos_ += 8;
  return Status::Ok();
}

Status StateReader::str(std::string& s) {
  int64_t n;
  SLC_RETURN_IF_ERROR(count(n, 1));
  s.assign(in_.data() + pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return Status::Ok();
}

Status StateReader::value(Value& v) {
  uint8_t type, null;
  SLC_RETURN_IF_ERROR(u8(type));
  SLC_RETURN_IF_ERROR(u8(null));
  if (type > static_cast<uint8_t>(DataType::kInterval)) {
    return Status(ErrorCode::kDataCorrupt, "state is damaged: an unknown type tag " +
                                               std::to_string(type) + " at byte " +
                                               std::to_string(pos_ - 2));
  }
  v = Value::Null(static_cast<DataType>(type));
  if (null) return Status::Ok();
  v.null = false;
  switch (v.type) {
    case DataType::kBoolean: {
      uint8_t b;
      SLC_RETURN_IF_ERROR(u8(b));
      v.b = b != 0;
      return Status::Ok();
    }
    case DataType::kDouble:
      return f64(v.d);
    case DataType::kVarchar:
      return str(v.s);
    default:
      return i64(v.i);
  }
}

}  // namespace sluice::dataflow
