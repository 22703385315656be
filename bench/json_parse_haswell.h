#pragma once
// json_parse_bench's haswell-built On-Demand parse (json_parse_haswell.cc). Only on a CPU with
// AVX2, BMI1/2, LZCNT and PCLMUL.
#include <cstddef>
#include <cstdint>

namespace sluice::bench {

// The implementation simdjson's header chose at compile time in that file ("haswell").
const char* haswell_builtin_name();
// Parses each of the n documents (each readable `capacity` bytes: simdjson's padding) and reads
// every member as json_parse_bench's rows hold it; the sum of what was read, 0 on an error.
uint64_t haswell_ondemand_parse(const char* const* docs, const size_t* lengths, size_t n,
                                size_t capacity);

}  // namespace sluice::bench
