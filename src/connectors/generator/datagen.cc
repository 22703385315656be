#include "connectors/generator/datagen.h"

#include <cmath>

#include "columnar/decimal.h"
#include "columnar/timestamp.h"
#include "columnar/value_parse.h"
#include "connectors/generator/random.h"
#include "sql/options.h"

namespace sluice::connectors {
namespace {

constexpr int64_t kBaseTime = 1'795'514'400'000'000;  // 2026-11-24T10:00:00Z

enum class Kind { kRandom, kSequence, kValues };

struct ColumnPlan {
  DataType type = DataType::kInt64;
  bool nullable = true;
  Kind kind = Kind::kRandom;
  double null_rate = 0;
  int64_t imin = 0, imax = 1000;  // random integers / timestamps: [min, max)
  double dmin = 0, dmax = 1;
  int64_t start = 0, step = 1;  // sequences (µs for timestamps)
  double dstart = 0, dstep = 1;
  int64_t length = 10;
  std::vector<std::string> values;
};

class Datagen final : public RowGenerator {
 public:
  Datagen(std::vector<ColumnPlan> plans, uint64_t seed) : plans_(std::move(plans)), seed_(seed) {}

  int64_t generate(int64_t first, int64_t count, BatchBuilder& out) override {
    for (int64_t row = first; row < first + count; ++row) {
      Random r = Random::for_row(seed_, row);
      for (size_t c = 0; c < plans_.size(); ++c)
        emit(plans_[c], row, r, out.column(static_cast<int>(c)));
    }
    return count;
  }

 private:
  void emit(const ColumnPlan& p, int64_t row, Random& r, ColumnBuilder& out) {
    if (p.nullable && p.null_rate > 0 && r.unit() < p.null_rate) {
      out.append_null();
      return;
    }
    if (p.kind == Kind::kValues) {
      const std::string& v = p.values[r.next() % p.values.size()];
      append_text_value(out, v).ignore();  // checked when the generator was made
      return;
    }
    switch (p.type) {
      case DataType::kBoolean:
        out.append_bool((r.next() & 1) != 0);
        return;
      case DataType::kDouble:
        out.append_double(p.kind == Kind::kSequence ? p.dstart + p.dstep * static_cast<double>(row)
                                                    : p.dmin + (p.dmax - p.dmin) * r.unit());
        return;
      case DataType::kVarchar: {
        scratch_.clear();
        if (p.kind == Kind::kSequence) {
          scratch_ = std::to_string(p.start + p.step * row);
        } else {
          for (int64_t i = 0; i < p.length; ++i)
            scratch_.push_back(static_cast<char>('a' + r.next() % 26));
        }
        out.append_string(scratch_);
        return;
      }
      default: {
        const int64_t v =
            p.kind == Kind::kSequence
                ? p.start + p.step * row
                : p.imin + static_cast<int64_t>(r.next() % static_cast<uint64_t>(std::max<int64_t>(
                                                               p.imax - p.imin, 1)));
        if (p.type == DataType::kInt32 || p.type == DataType::kDate) {  // a DATE: days
          out.append_int32(static_cast<int32_t>(v));
        } else if (p.type == DataType::kDecimal) {
          // Whole numbers; a sequence wraps within the integer digits the type has (random
          // bounds were checked to fit when the generator was made).
          const int digits = p.type.precision() - p.type.scale();
          const __int128 limit = decimal::pow10(digits);
          out.append_decimal((static_cast<__int128>(v) % limit) * decimal::pow10(p.type.scale()));
        } else {
          out.append_int64(v);
        }
      }
    }
  }

  std::vector<ColumnPlan> plans_;
  uint64_t seed_;
  std::string scratch_;
};

Status bad(const std::string& key, const std::string& why) {
  return Status(ErrorCode::kSqlInvalidOption, "option '" + key + "': " + why);
}

}  // namespace

Result<std::unique_ptr<RowGenerator>> make_datagen(const Schema& schema,
                                                   const sql::OptionMap& options) {
  int64_t rate = 0, seed = 1;
  if (auto it = options.find("rate"); it != options.end()) parse_int64(it->second, rate).ignore();
  if (auto it = options.find("seed"); it != options.end()) parse_int64(it->second, seed).ignore();
  std::vector<ColumnPlan> plans;
  for (const Field& f : schema.fields()) {
    ColumnPlan p;
    p.type = f.type;
    p.nullable = f.nullable;
    const std::string prefix = "fields." + sql::to_lower(f.name) + ".";
    auto get = [&](const char* prop) -> const std::string* {
      auto it = options.find(prefix + prop);
      return it == options.end() ? nullptr : &it->second;
    };
    if (f.type == DataType::kTimestamp) {  // default: in-order event time
      p.kind = Kind::kSequence;
      p.start = kBaseTime;
      p.step = rate > 0 ? std::max<int64_t>(1, 1'000'000 / rate) : 1000;
    }
    if (const std::string* k = get("kind")) {
      if (*k == "random") {
        p.kind = Kind::kRandom;
      } else if (*k == "sequence") {
        if (f.type == DataType::kBoolean)
          return bad(prefix + "kind", "a BOOLEAN column cannot be a sequence");
        p.kind = Kind::kSequence;
      } else if (*k == "values") {
        p.kind = Kind::kValues;
      } else {
        return bad(prefix + "kind", "expected random, sequence or values, got '" + *k + "'");
      }
    }
    const bool time = f.type == DataType::kTimestamp;
    auto number = [&](const char* prop, int64_t& i, double& d) -> Status {
      const std::string* v = get(prop);
      if (v == nullptr) return Status::Ok();
      const std::string key = prefix + prop;
      if (time && std::string_view(prop) == "step") {
        auto micros = sql::parse_duration(*v);
        if (!micros.ok()) return bad(key, "expected an interval such as '1s'");
        i = *micros;
        return Status::Ok();
      }
      if (time) {
        auto t = parse_timestamp(*v);
        if (!t.ok()) return bad(key, std::string(t.status().message()));
        i = *t;
        return Status::Ok();
      }
      if (f.type == DataType::kDouble) {
        if (!parse_double(*v, d).ok()) return bad(key, "expected a number, got '" + *v + "'");
        return Status::Ok();
      }
      if (!parse_int64(*v, i).ok()) return bad(key, "expected an integer, got '" + *v + "'");
      return Status::Ok();
    };
    SLC_RETURN_IF_ERROR(number("min", p.imin, p.dmin));
    SLC_RETURN_IF_ERROR(number("max", p.imax, p.dmax));
    SLC_RETURN_IF_ERROR(number("start", p.start, p.dstart));
    SLC_RETURN_IF_ERROR(number("step", p.step, p.dstep));
    if (time && !get("min") && p.kind == Kind::kRandom) p.imin = kBaseTime;
    if (time && !get("max") && p.kind == Kind::kRandom) p.imax = kBaseTime + 3'600'000'000;
    if ((f.type == DataType::kDouble ? p.dmax <= p.dmin : p.imax <= p.imin) &&
        p.kind == Kind::kRandom) {
      return bad(prefix + "max", "must be greater than min");
    }
    __int128 unused;
    if (f.type == DataType::kDecimal && p.kind == Kind::kRandom &&
        (!decimal::from_integer(p.imin, f.type, unused) ||
         !decimal::from_integer(p.imax - 1, f.type, unused))) {
      return bad(prefix + "max", "the range [min, max) does not fit " + type_name(f.type));
    }
    if (const std::string* v = get("length")) {
      if (!parse_int64(*v, p.length).ok() || p.length < 0 || p.length > 1 << 20) {
        return bad(prefix + "length", "expected a length from 0 to 1048576");
      }
    }
    if (const std::string* v = get("null.rate")) {
      if (!parse_double(*v, p.null_rate).ok() || p.null_rate < 0 || p.null_rate > 1) {
        return bad(prefix + "null.rate", "expected a share from 0 to 1");
      }
      if (!f.nullable && p.null_rate > 0)
        return bad(prefix + "null.rate", "column '" + f.name + "' is NOT NULL");
    }
    if (p.kind == Kind::kValues) {
      const std::string* v = get("values");
      if (v == nullptr)
        return bad(prefix + "values", "kind = 'values' needs a comma-separated list");
      size_t at = 0;
      while (at <= v->size()) {
        const size_t comma = v->find(',', at);
        std::string item =
            v->substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        ColumnBuilder probe(f.type);
        if (Status s = append_text_value(probe, item); !s.ok()) {
          return bad(prefix + "values",
                     "'" + item + "' is not a " + std::string(type_name(f.type)));
        }
        p.values.push_back(std::move(item));
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
    }
    plans.push_back(std::move(p));
  }
  return std::unique_ptr<RowGenerator>(
      std::make_unique<Datagen>(std::move(plans), static_cast<uint64_t>(seed)));
}

}  // namespace sluice::connectors
