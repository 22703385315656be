#include "sql/interval_text.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>
#include <unordered_map>

#include "sql/names.h"

namespace sluice::sql {
namespace {

// PostgreSQL's spellings (src/backend/utils/adt/datetime.c), lower-case, by length in µs.
// A length of 0 marks a calendar unit, refused.
const std::unordered_map<std::string, double>& units() {
  static const std::unordered_map<std::string, double> table = [] {
    std::unordered_map<std::string, double> t;
    auto add = [&](double micros, std::initializer_list<const char*> names) {
      for (const char* n : names) t.emplace(n, micros);
    };
    add(1, {"microsecond", "microseconds", "microsecon", "us", "usec", "usecs", "useconds"});
    add(1e3, {"millisecond", "milliseconds", "millisecon", "ms", "msec", "msecs", "mseconds"});
    add(1e6, {"second", "seconds", "s", "sec", "secs"});
    add(60e6, {"minute", "minutes", "m", "min", "mins"});
    add(3600e6, {"hour", "hours", "h", "hr", "hrs"});
    add(86400e6, {"day", "days", "d"});
    add(7 * 86400e6, {"week", "weeks", "w"});
    add(0, {"month", "months",     "mon",       "mons", "year", "years",   "y",         "yr",
            "yrs",   "decade",     "decades",   "dec",  "decs", "century", "centuries", "c",
            "cent",  "millennium", "millennia", "mil",  "mils", "quarter", "quarters"});
    return t;
  }();
  return table;
}

Status syntax(std::string msg) {
  return Status(ErrorCode::kSqlSyntax, std::move(msg));
}

Result<double> unit_micros(std::string_view unit) {
  const auto it = units().find(to_lower(unit));
  if (it == units().end()) {
    return syntax("unknown interval unit '" + std::string(unit) +
                  "' (microsecond, millisecond, second, minute, hour, day, week, singular, "
                  "plural or abbreviated as in PostgreSQL)");
  }
  if (it->second == 0) {
    return syntax("interval unit '" + std::string(unit) +
                  "': months and years vary in length and are not supported (an INTERVAL is a "
                  "duration; use days or weeks)");
  }
  return it->second;
}

// A duration that fits int64 µs, rounded to the microsecond.
Result<int64_t> to_micros(double micros) {
  micros = std::round(micros);
  if (!(std::fabs(micros) < 9.2e18)) return syntax("interval out of range");
  return static_cast<int64_t>(micros);
}

// Reads a number ([digits][.digits]) at the front of `s`; none gives an empty view.
std::string_view take_number(std::string_view& s) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  const std::string_view n = s.substr(0, i);
  s.remove_prefix(i);
  return n;
}

Result<double> number_value(std::string_view n, std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
  if (n.empty() || ec != std::errc() || end != n.data() + n.size()) {
    return syntax("'" + std::string(text) +
                  "' is not an interval (expected a quantity and a unit, "
                  "as in '1 hour 30 minutes', or a time such as '01:30:00')");
  }
  return v;
}

void skip_spaces(std::string_view& s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
}

// h:mm[:ss[.f]] after its hours were read: the rest from the first ':'.
Result<double> time_part(double hours, std::string_view& s, std::string_view text) {
  double micros = hours * 3600e6;
  double scale = 60e6;
  for (int field = 0; field < 2 && !s.empty() && s.front() == ':'; ++field) {
    s.remove_prefix(1);
    const std::string_view n = take_number(s);
    SLC_ASSIGN_OR_RETURN(double v, number_value(n, text));
    if (v >= 60 || (field == 0 && n.find('.') != std::string_view::npos)) {
      return syntax("'" + std::string(text) + "': minutes and seconds of a time must be below 60");
    }
    micros += v * scale;
    scale = 1e6;
  }
  return micros;
}

}  // namespace

bool is_interval_unit(std::string_view word) {
  return units().count(to_lower(word)) != 0;
}

Result<int64_t> parse_interval_text(std::string_view number, std::string_view unit) {
  double amount = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), amount);
  if (ec != std::errc() || ptr != number.data() + number.size()) {
    return syntax("'" + std::string(number) + "' is not an interval quantity");
  }
  SLC_ASSIGN_OR_RETURN(double scale, unit_micros(unit));
  return to_micros(amount * scale);
}

Result<int64_t> parse_interval_string(std::string_view text) {
  std::string_view s = text;
  skip_spaces(s);
  if (!s.empty() && s.front() == '@') s.remove_prefix(1);  // PostgreSQL's '@ 1 hour'
  skip_spaces(s);
  if (s.empty()) return syntax("an empty string is not an interval");
  double total = 0;
  bool had_time = false;
  bool ago = false;
  while (!s.empty()) {
    if (ago) return syntax("'" + std::string(text) + "': 'ago' must come last");
    double sign = 1;
    if (s.front() == '-' || s.front() == '+') {
      sign = s.front() == '-' ? -1 : 1;
      s.remove_prefix(1);
    }
    const std::string_view n = take_number(s);
    if (n.empty() && sign == 1 && to_lower(s.substr(0, 3)) == "ago" &&
        (s.size() == 3 || std::isspace(static_cast<unsigned char>(s[3])))) {
      ago = true;
      s.remove_prefix(3);
      skip_spaces(s);
      continue;
    }
    SLC_ASSIGN_OR_RETURN(double v, number_value(n, text));
    if (!s.empty() && s.front() == ':') {
      if (had_time) return syntax("'" + std::string(text) + "' has two times");
      had_time = true;
      SLC_ASSIGN_OR_RETURN(double t, time_part(v, s, text));
      total += sign * t;
    } else {
      skip_spaces(s);
      size_t i = 0;
      while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
      const std::string_view unit = s.substr(0, i);
      if (unit.empty() || (to_lower(unit) == "ago")) {
        total += sign * v * 1e6;  // a number without a unit is seconds
      } else {
        SLC_ASSIGN_OR_RETURN(double scale, unit_micros(unit));
        total += sign * v * scale;
        s.remove_prefix(i);
      }
    }
    if (!s.empty() && !std::isspace(static_cast<unsigned char>(s.front()))) {
      return syntax("'" + std::string(text) + "' is not an interval: unexpected '" +
                    std::string(s.substr(0, 1)) + "'");
    }
    skip_spaces(s);
  }
  return to_micros(ago ? -total : total);
}

}  // namespace sluice::sql
