// Fuzz target: a checkpoint manifest (JSON) → ManifestStore::decode_json.
//
// Loading a manifest first checks the CRC-32C in its "checksum" field, then decodes its fields;
// this target calls both separately, so inputs reach the decoder whatever their checksum. A
// manifest that decodes must survive a round trip: written back with to_json, it carries a
// right checksum and decodes to the same fields.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checkpoint/manifest_store.h"
#include "fuzz_check.h"

namespace sluice::fuzz {
namespace {

using checkpoint::Manifest;
using checkpoint::ManifestStore;

bool same(const Manifest& a, const Manifest& b) {
  return a.epoch == b.epoch && a.source_offsets == b.source_offsets &&
         a.catalog_statements == b.catalog_statements && a.created_at_ms == b.created_at_ms &&
         a.state_file == b.state_file && a.state_bytes == b.state_bytes &&
         a.state_crc == b.state_crc;
}

void run(std::string_view text) {
  ManifestStore::verify_checksum(text).ignore();
  auto manifest = ManifestStore::decode_json(text);
  if (!manifest.ok()) return;
  const std::string written = ManifestStore::to_json(*manifest);
  auto again = ManifestStore::from_json(written);
  FUZZ_CHECK(again.ok(), written.c_str());
  FUZZ_CHECK(same(*manifest, *again), written.c_str());
}

}  // namespace
}  // namespace sluice::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
