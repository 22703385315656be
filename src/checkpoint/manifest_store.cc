#include "checkpoint/manifest_store.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "columnar/row_encoder.h"
#include "common/crc32c.h"
#include "common/durable_file.h"
#include "common/fault_point.h"

namespace sluice::checkpoint {
namespace {

namespace fs = std::filesystem;

std::string state_name(uint64_t epoch) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "state-%020llu.bin", static_cast<unsigned long long>(epoch));
  return buf;
}

// Read at the size the file has, into one buffer: a state file is the largest thing recovery
// reads, and a stream's doubling buffer copied it twice (a third of recovery's time).
Result<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot read", path);
  const auto read_some = [&](char* to, size_t n) {
    ssize_t got;
    do {
      got = ::read(fd, to, n);
    } while (got < 0 && errno == EINTR);
    return got;
  };
  struct stat st {};
  std::string text;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    // Not zeroed first: read() fills it.
    text.resize_and_overwrite(static_cast<size_t>(st.st_size), [](char*, size_t n) { return n; });
  }
  size_t have = 0;
  for (;;) {
    ssize_t got;
    if (have < text.size()) {
      got = read_some(text.data() + have, text.size() - have);
      if (got > 0) have += static_cast<size_t>(got);
    } else {
      // Past the size fstat gave: the file grew, or fstat had none.
      char more[4096];
      got = read_some(more, sizeof more);
      if (got > 0) {
        text.resize(have);
        text.append(more, static_cast<size_t>(got));
        have = text.size();
      }
    }
    if (got == 0) break;
    if (got < 0) {
      Status s = io_error("cannot read", path);
      ::close(fd);
      return s;
    }
  }
  ::close(fd);
  text.resize(have);
  return text;
}

constexpr std::string_view kChecksumKey = ",\"checksum\":";

// A state file named in a manifest is opened in the checkpoint directory: a name that could
// lead anywhere else ("../x", "/etc/x", "a/b") is damage, never followed.
bool plain_file_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

}  // namespace

ManifestStore::ManifestStore(std::string directory, int keep)
    : directory_(std::move(directory)), keep_(keep) {}

Status ManifestStore::open() {
  return create_private_directory(directory_);
}

std::string ManifestStore::manifest_name(uint64_t epoch) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "manifest-%020llu.json", static_cast<unsigned long long>(epoch));
  return buf;
}

std::string ManifestStore::path_of(const std::string& name) const {
  return (fs::path(directory_) / name).string();
}

std::string ManifestStore::to_json(const Manifest& m) {
  std::string out =
      "{\"version\":" + std::to_string(kManifestVersion) + ",\"epoch\":" + std::to_string(m.epoch) +
      ",\"created_at_ms\":" + std::to_string(m.created_at_ms) +
      ",\"catalog_statements\":" + std::to_string(m.catalog_statements) + ",\"state_file\":";
  append_json_string(m.state_file, out);
  out += ",\"state_bytes\":" + std::to_string(m.state_bytes) +
         ",\"state_crc32c\":" + std::to_string(m.state_crc) + ",\"source_offsets\":{";
  bool first = true;
  for (const auto& [name, offset] : m.source_offsets) {
    if (!first) out += ",";
    first = false;
    append_json_string(name, out);
    out += ":" + std::to_string(offset);
  }
  out += "}";
  if (!m.sinks.empty()) {
    out += ",\"sinks\":{";
    first = true;
    for (const auto& [name, staged] : m.sinks) {
      if (!first) out += ",";
      first = false;
      append_json_string(name, out);
      out += ":{\"location\":";
      append_json_string(staged.location, out);
      out += ",\"rows\":" + std::to_string(staged.rows) +
             ",\"bytes\":" + std::to_string(staged.bytes) +
             ",\"crc32c\":" + std::to_string(staged.crc32c) + "}";
    }
    out += "}";
  }
  // The checksum covers every byte before it.
  const uint32_t crc = crc32c(out);
  out += std::string(kChecksumKey) + std::to_string(crc) + "}\n";
  return out;
}

Result<Manifest> ManifestStore::from_json(std::string_view text) {
  SLC_RETURN_IF_ERROR(verify_checksum(text));
  return decode_json(text);
}

Status ManifestStore::verify_checksum(std::string_view text) {
  const size_t at = text.rfind(kChecksumKey);
  if (at == std::string_view::npos) return Status(ErrorCode::kIoError, "manifest has no checksum");
  // The number right after the key (to_json writes it so); the JSON around it is checked when
  // the fields are decoded.
  const std::string_view digits = text.substr(at + kChecksumKey.size());
  uint64_t checksum = 0;
  const std::from_chars_result parsed =
      std::from_chars(digits.data(), digits.data() + digits.size(), checksum);
  if (parsed.ec != std::errc() || crc32c(text.substr(0, at)) != checksum)
    return Status(ErrorCode::kIoError, "manifest checksum mismatch");
  return Status::Ok();
}

Result<Manifest> ManifestStore::decode_json(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto error = parser.parse(text.data(), text.size()).get(doc)) {
    return Status(ErrorCode::kIoError,
                  std::string("manifest is not valid JSON: ") + simdjson::error_message(error));
  }
  uint64_t checksum = 0, version = 0, epoch = 0, bytes = 0, crc = 0;
  int64_t created = 0;
  std::string_view state_file;
  if (doc["checksum"].get(checksum) || doc["version"].get(version) || doc["epoch"].get(epoch) ||
      doc["state_bytes"].get(bytes) || doc["state_crc32c"].get(crc) ||
      doc["state_file"].get(state_file) || doc["created_at_ms"].get(created)) {
    return Status(ErrorCode::kIoError, "manifest lacks a field");
  }
  if (version != kManifestVersion) {
    return Status(ErrorCode::kUnsupported,
                  "manifest version " + std::to_string(version) + " is not supported");
  }
  Manifest m;
  if (doc["catalog_statements"].get(m.catalog_statements) || m.catalog_statements < 0)
    return Status(ErrorCode::kIoError, "manifest lacks catalog_statements");
  if (!plain_file_name(state_file)) {
    std::string shown;
    append_json_string(state_file, shown);
    return Status(ErrorCode::kDataCorrupt, "manifest names the state file " + shown +
                                               ", which is not a plain file name in its directory");
  }
  m.epoch = epoch;
  m.created_at_ms = created;
  m.state_file = std::string(state_file);
  m.state_bytes = bytes;
  m.state_crc = static_cast<uint32_t>(crc);
  simdjson::dom::object offsets;
  if (doc["source_offsets"].get(offsets))
    return Status(ErrorCode::kIoError, "manifest lacks source_offsets");
  for (auto [name, value] : offsets) {
    int64_t offset;
    if (value.get(offset))
      return Status(ErrorCode::kIoError, "bad offset for source " + std::string(name));
    m.source_offsets[std::string(name)] = offset;
  }
  // Sinks' staged epochs: absent when no sink staged anything.
  simdjson::dom::object sinks;
  if (!doc["sinks"].get(sinks)) {
    for (auto [name, value] : sinks) {
      sink::StagedEpoch staged;
      std::string_view location;
      uint64_t crc = 0;
      if (value["location"].get(location) || value["rows"].get(staged.rows) ||
          value["bytes"].get(staged.bytes) || value["crc32c"].get(crc) || staged.rows < 0 ||
          staged.bytes < 0) {
        return Status(ErrorCode::kIoError, "bad staged epoch for sink " + std::string(name));
      }
      staged.location = std::string(location);
      staged.crc32c = static_cast<uint32_t>(crc);
      m.sinks[std::string(name)] = std::move(staged);
    }
  }
  return m;
}

Status ManifestStore::sync_directory() const {
  return sluice::sync_directory(directory_);
}

Status ManifestStore::write_file_durably(const std::string& name, std::string_view bytes,
                                         const char* fault) const {
  const std::string path = (fs::path(directory_) / name).string();
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", temp);
  size_t done = 0;
  while (done < bytes.size()) {
    if (fault != nullptr && done == 0 && bytes.size() > 1) {
      // The crash tests stop here with half the file written (and synced).
      if (::write(fd, bytes.data(), bytes.size() / 2) > 0) ::fsync(fd);
      fault_point(fault);
      if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
        Status s = io_error("cannot rewrite", temp);
        ::close(fd);
        return s;
      }
    }
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = io_error("cannot write", temp);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = io_error("cannot fsync", temp);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return io_error("cannot close", temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) return io_error("cannot rename", temp);
  return Status::Ok();
}

Status ManifestStore::write(Manifest m, std::string_view state) {
  m.state_file = state_name(m.epoch);
  m.state_bytes = state.size();
  m.state_crc = crc32c(state);
  if (m.created_at_ms == 0) {
    m.created_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  }
  SLC_RETURN_IF_ERROR(write_file_durably(m.state_file, state, nullptr));
  // The state file's rename is durable before the manifest that names it can exist.
  SLC_RETURN_IF_ERROR(sync_directory());
  SLC_RETURN_IF_ERROR(
      write_file_durably(manifest_name(m.epoch), to_json(m), "manifest_half_written"));
  // The checkpoint exists once this rename is durable.
  SLC_RETURN_IF_ERROR(sync_directory());
  prune();
  return Status::Ok();
}

std::vector<uint64_t> ManifestStore::epochs() const {
  std::vector<uint64_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("manifest-", 0) != 0 || !name.ends_with(".json")) continue;
    out.push_back(std::strtoull(name.c_str() + 9, nullptr, 10));
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

Result<LoadedCheckpoint> ManifestStore::load_latest() const {
  LoadedCheckpoint loaded;
  for (uint64_t epoch : epochs()) {
    const std::string path = path_of(manifest_name(epoch));
    auto text = read_file(path);
    if (!text.ok()) {
      loaded.skipped.push_back(path + ": " + std::string(text.status().message()));
      continue;
    }
    auto manifest = from_json(*text);
    if (!manifest.ok()) {
      loaded.skipped.push_back(path + ": " + std::string(manifest.status().message()));
      continue;
    }
    if (manifest->epoch != epoch) {
      loaded.skipped.push_back(path + ": names epoch " + std::to_string(manifest->epoch));
      continue;
    }
    const std::string state_path = path_of(manifest->state_file);
    // The size first: a damaged manifest's state_bytes decides nothing, the file's own does.
    std::error_code ec;
    const uintmax_t size = fs::file_size(state_path, ec);
    Result<std::string> state = Status(ErrorCode::kIoError, "");
    if (!ec && size == manifest->state_bytes) state = read_file(state_path);
    if (!state.ok() || state->size() != manifest->state_bytes ||
        crc32c(*state) != manifest->state_crc) {
      loaded.skipped.push_back(path + ": its state file " + manifest->state_file +
                               " is missing or damaged");
      continue;
    }
    loaded.checkpoint = Checkpoint{std::move(manifest).value(), std::move(state).value()};
    return loaded;
  }
  return loaded;
}

void ManifestStore::prune() {
  const std::vector<uint64_t> all = epochs();
  if (static_cast<int>(all.size()) <= keep_) return;
  const uint64_t oldest_kept = all[static_cast<size_t>(keep_) - 1];
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename().string();
    const bool manifest = name.rfind("manifest-", 0) == 0;
    const bool state = name.rfind("state-", 0) == 0;
    if (!manifest && !state) continue;
    const uint64_t epoch = std::strtoull(name.c_str() + (manifest ? 9 : 6), nullptr, 10);
    if (epoch < oldest_kept) fs::remove(entry.path(), ec);
  }
}

}  // namespace sluice::checkpoint
