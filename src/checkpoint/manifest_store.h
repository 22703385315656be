#pragma once
// ManifestStore: the durable record of completed checkpoints in a data directory.
//
// A checkpoint is a state file (operator state, source offsets: opaque bytes here) and a
// manifest naming it: versioned JSON with the epoch, the state file's size and CRC-32C, each
// source's offset, and a checksum over the manifest itself. write() makes both durable in
// the order that keeps every crash safe: state file (temp, fsync, rename), then manifest
// (temp, fsync, rename), then an fsync of the directory. A checkpoint exists once its
// manifest's rename is durable, not before.
//
// load_latest() takes the newest manifest that parses, checksums, and names a state file
// that is whole (size and CRC match), skipping past corrupt or partial ones and saying why
// (recovery decides whether falling back is safe: docs/checkpoints.md). The state file must
// be a plain file name in the directory; a manifest naming anything else is damaged.
// After each write only the newest `keep` checkpoints are kept. Files and the directory are
// created readable by their owner only (0600, 0700).
//
// Thread: one writer (the checkpoint thread); loads happen at open, before it starts.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sink/sink.h"
#include "sluice/status.h"

namespace sluice::checkpoint {

inline constexpr int kManifestVersion = 1;

struct Manifest {
  uint64_t epoch = 0;
  std::map<std::string, int64_t> source_offsets;  // by source name
  // How many statements of the catalog log the state was taken after: recovery replays
  // those, restores the state, then replays the rest.
  int64_t catalog_statements = 0;
  int64_t created_at_ms = 0;  // wall clock, for people reading the file
  // Filled in by write(); checked by load.
  std::string state_file;
  uint64_t state_bytes = 0;
  uint32_t state_crc = 0;
  // What each sink staged for this epoch at pre-commit (sinks that staged nothing are
  // absent), by sink name: commit and recovery check the staged output against it.
  std::map<std::string, sink::StagedEpoch> sinks;
};

struct Checkpoint {
  Manifest manifest;
  std::string state;
};

struct LoadedCheckpoint {
  std::optional<Checkpoint> checkpoint;  // the newest whole one; none when none checks out
  std::vector<std::string> skipped;      // newer manifests passed over, each "path: reason"
};

class ManifestStore {
 public:
  explicit ManifestStore(std::string directory, int keep = 3);

  // Creates the directory when needed. Fails with SLC-0008 naming the path and the reason.
  Status open();
  Status write(Manifest manifest, std::string_view state);
  // The newest valid checkpoint (none when there is none), and the newer ones passed over.
  Result<LoadedCheckpoint> load_latest() const;
  // Epochs of the manifest files present, newest first (valid or not).
  std::vector<uint64_t> epochs() const;

  const std::string& directory() const { return directory_; }
  std::string path_of(const std::string& name) const;

  // "manifest-<epoch, 20 digits>.json": the file of epoch's manifest.
  static std::string manifest_name(uint64_t epoch);
  static std::string to_json(const Manifest& manifest);
  // verify_checksum, then decode_json.
  static Result<Manifest> from_json(std::string_view text);
  // Whether the manifest's trailing "checksum" matches the bytes before it.
  static Status verify_checksum(std::string_view text);
  // The fields, checksum not verified: from_json's second step, and the fuzz target's entry
  // (a fuzzer cannot forge checksums, so it would never get past the first).
  static Result<Manifest> decode_json(std::string_view text);

 private:
  // `fault`: a fault point passed with half the bytes written (crash tests), or null.
  Status write_file_durably(const std::string& name, std::string_view bytes,
                            const char* fault) const;
  Status sync_directory() const;
  void prune();

  std::string directory_;
  int keep_;
};

}  // namespace sluice::checkpoint
