// simdjson On-Demand built for haswell (this file alone is compiled with -mavx2 -mbmi -mbmi2
// -mlzcnt -mpclmul, bench/CMakeLists.txt), for json_parse_bench: libsimdjson-dev 3.0.1's single
// header compiles On-Demand only for its compile-time "builtin" implementation, which without
// those flags is the fallback one. Only plain types cross this file's interface, so that few
// inline functions are shared with files built without AVX2 (their AVX2 copies could be the
// ones the linker keeps); callers check __builtin_cpu_supports("avx2") first.
#include "json_parse_haswell.h"

#include <simdjson.h>

namespace sluice::bench {

namespace od = simdjson::SIMDJSON_BUILTIN_IMPLEMENTATION::ondemand;

const char* haswell_builtin_name() {
#define SLUICE_STR2(x) #x
#define SLUICE_STR(x) SLUICE_STR2(x)
  return SLUICE_STR(SIMDJSON_BUILTIN_IMPLEMENTATION);
}

uint64_t haswell_ondemand_parse(const char* const* docs, const size_t* lengths, size_t n,
                                size_t capacity) {
  static od::parser parser;  // one thread: the benchmark's
  uint64_t sum = 0;
  for (size_t d = 0; d < n; ++d) {
    auto doc = parser.iterate(docs[d], lengths[d], capacity);
    od::object object;
    if (doc.get_object().get(object)) return 0;
    for (auto member : object) {
      std::string_view key;
      if (member.unescaped_key().get(key)) return 0;
      auto value = member.value();
      if (key == "symbol" || key == "ts") {
        std::string_view s;
        if (value.get_string().get(s)) return 0;
        sum += s.size();
      } else if (key == "price") {
        double v;
        if (value.get_double().get(v)) return 0;
        sum += static_cast<uint64_t>(v);
      } else {
        int64_t v;
        if (value.get_int64().get(v)) return 0;
        sum += static_cast<uint64_t>(v);
      }
    }
  }
  return sum;
}

}  // namespace sluice::bench
