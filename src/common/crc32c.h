#pragma once
// CRC-32C (Castagnoli), for checksums of checkpoint files. Table-driven; fast enough for
// state files written once a second.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice {

uint32_t crc32c(std::string_view bytes, uint32_t crc = 0);

}  // namespace sluice
