// Hex SHA-256 of a text, for a compiled workflow's `content_hash` (same spec,
// same hash, same stored version). Wraps OpenSSL's libcrypto so the rest of the
// host never touches its C API.
#pragma once

#include <string>
#include <string_view>

namespace ork::host {

// Lower-case hex SHA-256 digest of `text` (64 characters).
std::string sha256_hex(std::string_view text);

}  // namespace ork::host
