#pragma once
// Named fault points for the crash tests. SLUICE_FAULT=<name>[:<n>] in the environment makes
// the process kill itself (SIGKILL, no cleanup, as a power cut or OOM kill would) the n-th
// time (default 1st) execution passes fault_point("<name>"). Without the variable a fault
// point costs a comparison with an empty string.
//
// The points sit where a crash is the hardest to survive: between a sink's pre-commit and the
// manifest, in the middle of writing the manifest, between the manifest and the commit.
// tests/integration/crash_test.sh lists the names it uses.
//
// Thread: any.

namespace sluice {

void fault_point(const char* name);
// Arms a fault point as SLUICE_FAULT would ("name[:n]"), for a test's forked child: the
// environment is read once per process, possibly before the fork.
void arm_fault_point(const char* spec);

}  // namespace sluice
