#include "runtime/split_offsets.h"

namespace sluice::runtime {

std::map<std::string, int64_t> splits_of(const std::string& source,
                                         const std::map<std::string, int64_t>& offsets) {
  // A source's splits sort together: every key that starts with its name and the separator.
  const std::string prefix = split_offset_key(source, "");
  std::map<std::string, int64_t> out;
  for (auto it = offsets.lower_bound(prefix);
       it != offsets.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    out.emplace_hint(out.end(), it->first.substr(prefix.size()), it->second);
  }
  return out;
}

void publish_committed_splits(const std::vector<std::shared_ptr<SourceRuntime>>& sources,
                              const std::map<std::string, int64_t>& offsets) {
  for (const auto& source : sources) {
    std::map<std::string, int64_t> splits = splits_of(source->name(), offsets);
    if (!splits.empty()) source->set_committed_splits(std::move(splits));
  }
}

}  // namespace sluice::runtime
