#pragma once
// A source's split offsets among a checkpoint's source offsets (SourceRuntime's
// split_offset_key: the source's name, a unit separator, the split's name), read back by
// recovery and after each committed checkpoint.
//
// Thread: any (pure functions; publish_committed_splits goes through SourceRuntime's lock).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/source_runtime.h"

namespace sluice::runtime {

// The offsets of `source`'s splits in `offsets`, by split name.
std::map<std::string, int64_t> splits_of(const std::string& source,
                                         const std::map<std::string, int64_t>& offsets);

// After a checkpoint commit: hands each source that has splits in `offsets` its committed
// split offsets (SourceRuntime::set_committed_splits).
void publish_committed_splits(const std::vector<std::shared_ptr<SourceRuntime>>& sources,
                              const std::map<std::string, int64_t>& offsets);

}  // namespace sluice::runtime
