#include "common/fault_point.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>

namespace sluice {
namespace {

struct Armed {
  std::string name;  // empty: no fault armed
  long hits_to_kill = 1;
  std::atomic<long> hits{0};

  void arm(const char* spec) {
    if (spec == nullptr || *spec == '\0') return;
    std::string s(spec);
    const size_t colon = s.find(':');
    name = s.substr(0, colon);
    hits_to_kill = colon == std::string::npos ? 1 : std::max(1L, std::atol(s.c_str() + colon + 1));
    hits.store(0);
  }
};

Armed& armed() {
  static Armed* a = [] {
    auto* out = new Armed;  // never freed: fault points may run during static destruction
    out->arm(std::getenv("SLUICE_FAULT"));
    return out;
  }();
  return *a;
}

}  // namespace

void arm_fault_point(const char* spec) {
  armed().arm(spec);
}

void fault_point(const char* name) {
  Armed& a = armed();
  if (a.name.empty() || a.name != name) return;
  if (a.hits.fetch_add(1) + 1 < a.hits_to_kill) return;
  static const char kMessage[] = "sluice: fault point reached, killing the process\n";
  (void)!::write(2, kMessage, sizeof kMessage - 1);
  ::kill(::getpid(), SIGKILL);
}

}  // namespace sluice
