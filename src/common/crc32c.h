#pragma once
// CRC-32C (Castagnoli), for checksums of checkpoint files, logs and an exactly-once file
// sink's staged epochs. The CPU's CRC32 instruction where there is one (SSE 4.2), a table
// otherwise. crc32c(b, crc32c(a)) == crc32c(a + b): a checksum can follow a file as it grows.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

uint32_t crc32c(std::string_view bytes, uint32_t crc = 0);

}  // namespace sluice
