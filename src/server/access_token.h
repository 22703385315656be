#pragma once
// The bearer token of `sluice serve`: read from --token-file, or from DATA_DIR/server.token,
// or generated there at first start (32 random bytes from the kernel, hex; the file is created
// with mode 0600 before anything is written to it). The token is only ever written to that
// file: never printed, never logged.
//
// Thread: free functions, any thread.

#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::server {

// The file name of the generated token inside the data directory.
inline constexpr std::string_view kTokenFileName = "server.token";

// `token_file` when given (it must exist and hold a non-empty token: whitespace around it is
// ignored); otherwise DATA_DIR/server.token, created with a fresh token when missing.
// Without either (no data dir, no file), an error: the token would not survive the process
// and nobody could read it.
Result<std::string> load_or_create_token(const std::string& data_dir,
                                         const std::string& token_file);

// True when `given` equals `expected`, in time that depends only on their lengths (a
// byte-by-byte early exit would let a client guess the token one byte at a time).
bool token_matches(std::string_view given, std::string_view expected);

}  // namespace sluice::server
