#pragma once
// FUZZ_CHECK: an invariant of a fuzz target. A violation prints what failed and aborts, which
// libFuzzer reports as a crash (and saves the input), like any sanitizer finding; the replay
// tests fail the same way.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                       \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s (%s)\n", __FILE__, __LINE__, \
                   #condition, what);                                                     \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)
