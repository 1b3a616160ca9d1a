// Hex SHA-256 of a text, for a compiled workflow's `content_hash` (same spec,
// same hash, same stored version). Wraps OpenSSL's libcrypto so the rest of the
// host never touches its C API.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace ork::host {

// Lower-case hex SHA-256 digest of `text` (64 characters).
std::string sha256_hex(std::string_view text);

// The same digest of a text given in pieces (the spec of 100 000 tasks is
// hashed without ever being one string).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void add(std::string_view piece);
  // The digest of every piece added, in order; call once.
  std::string hex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace ork::host
