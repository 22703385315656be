#pragma once
// The console's static files (src/server/console/: plain HTML, JS and CSS, no build step),
// compiled into the binary by embed_console.cmake, so `sluice serve` needs nothing installed
// beside it. GET / is console/index.html; the others are at /console/NAME.
//
// Thread: any (constant data).

#include <cstddef>
#include <string_view>

namespace sluice::server {

struct ConsoleAsset {
  std::string_view path;  // "/console/index.html"
  std::string_view content_type;
  std::string_view body;
};

// The file served at `path` ("/" is /console/index.html); null when none.
const ConsoleAsset* find_console_asset(std::string_view path);

// Defined in the generated console_assets_data.cc.
extern const ConsoleAsset kConsoleAssets[];
extern const size_t kConsoleAssetCount;

}  // namespace sluice::server
