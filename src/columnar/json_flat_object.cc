#include "columnar/json_flat_object.h"

namespace sluice {
namespace {

// JSON's whitespace; nothing else may stand between tokens.
inline bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
inline bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

// One pass over the line, a byte at a time: a message of a hundred-odd bytes costs about as much
// as simdjson's structural scan alone, and no tape is built nor walked afterwards.
class Scanner {
 public:
  Scanner(std::string_view line, const std::vector<std::string_view>& expected_keys)
      : p_(reinterpret_cast<const unsigned char*>(line.data())),
        end_(p_ + line.size()),
        expected_keys_(expected_keys) {}

  bool object(FlatObject& out) {
    space();
    if (!take('{')) return false;
    space();
    if (!take('}')) {
      for (;;) {
        FlatMember m{};
        if (!at('"')) return false;
        m.expected = expected_key(out.members.size(), m.key);
        if (!m.expected && !string(m.key)) return false;
        space();
        if (!take(':')) return false;
        space();
        if (!value(m)) return false;
        out.members.push_back(m);
        space();
        if (take(',')) {
          space();
          continue;
        }
        if (take('}')) break;
        return false;
      }
    }
    space();
    out.non_ascii = high_ >= 0x80;
    return p_ == end_;
  }

  // One value at the start (scan_flat_value): true with the bytes it took.
  bool lone_value(FlatMember& m, size_t& length, bool& non_ascii) {
    const unsigned char* const start = p_;
    if (!value(m)) return false;
    length = static_cast<size_t>(p_ - start);
    non_ascii = high_ >= 0x80;
    return true;
  }

 private:
  bool at(unsigned char c) const { return p_ < end_ && *p_ == c; }
  bool take(unsigned char c) {
    if (!at(c)) return false;
    ++p_;
    return true;
  }
  void space() {
    while (p_ < end_ && is_space(*p_)) ++p_;
  }
  std::string_view text(const unsigned char* from) const {
    return {reinterpret_cast<const char*>(from), static_cast<size_t>(p_ - from)};
  }

  // At an opening quote: whether the key here is the one expected at this position, the whole
  // of it between its quotes (then p_ is just past it).
  bool expected_key(size_t position, std::string_view& key) {
    if (position >= expected_keys_.size()) return false;
    const std::string_view want = expected_keys_[position];
    const size_t left = static_cast<size_t>(end_ - p_);
    if (want.empty() || left < want.size() + 2 || p_[want.size() + 1] != '"') return false;
    // Keys are a few bytes: a loop beats memcmp's call.
    for (size_t i = 0; i < want.size(); ++i) {
      if (p_[i + 1] != static_cast<unsigned char>(want[i])) return false;
    }
    key = std::string_view(reinterpret_cast<const char*>(p_ + 1), want.size());
    p_ += want.size() + 2;
    return true;
  }

  // At an opening quote: its text up to the closing one, which p_ ends just past
  // (scan_flat_string).
  bool string(std::string_view& out) {
    const size_t length = scan_flat_string(reinterpret_cast<const char*>(p_),
                                           reinterpret_cast<const char*>(end_), out, high_);
    p_ += length;
    return length != 0;
  }

  bool digits() {
    if (p_ == end_ || !is_digit(*p_)) return false;
    while (p_ < end_ && is_digit(*p_)) ++p_;
    return true;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(FlatMember& m) {
    const unsigned char* const start = p_;
    take('-');
    if (take('0')) {
      // a leading zero stands alone: what follows must not be a digit (checked by the caller's
      // delimiter test)
    } else if (!digits()) {
      return false;
    }
    m.kind = FlatKind::kInteger;
    if (take('.')) {
      if (!digits()) return false;
      m.kind = FlatKind::kNumber;
    }
    if (take('e') || take('E')) {
      if (!take('+')) take('-');
      if (!digits()) return false;
      m.kind = FlatKind::kNumber;
    }
    m.value = text(start);
    return true;
  }

  bool literal(std::string_view word, FlatKind kind, FlatMember& m) {
    if (static_cast<size_t>(end_ - p_) < word.size() ||
        std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word) {
      return false;
    }
    m.value = std::string_view(reinterpret_cast<const char*>(p_), word.size());
    m.kind = kind;
    p_ += word.size();
    return true;
  }

  bool value(FlatMember& m) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"':
        m.kind = FlatKind::kString;
        return string(m.value);
      case 't':
        return literal("true", FlatKind::kTrue, m);
      case 'f':
        return literal("false", FlatKind::kFalse, m);
      case 'n':
        return literal("null", FlatKind::kNull, m);
      default:
        return (*p_ == '-' || is_digit(*p_)) && number(m);
    }
  }

  const unsigned char* p_;
  const unsigned char* const end_;
  const std::vector<std::string_view>& expected_keys_;
  unsigned char high_ = 0;  // every string byte or-ed: its top bit says non-ASCII
};

}  // namespace

bool scan_flat_object(std::string_view line, const std::vector<std::string_view>& expected_keys,
                      FlatObject& out) {
  out.members.clear();
  out.non_ascii = false;
  return Scanner(line, expected_keys).object(out);
}

bool scan_flat_value(std::string_view text, FlatMember& m, size_t& length, bool& non_ascii) {
  static const std::vector<std::string_view> kNoKeys;
  return Scanner(text, kNoKeys).lone_value(m, length, non_ascii);
}

}  // namespace sluice
