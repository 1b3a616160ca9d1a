#include "workflow/content_hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

#include "core/error.hpp"

namespace ork::host {

std::string sha256_hex(std::string_view text) {
  Sha256 hash;
  hash.add(text);
  return hash.hex();
}

struct Sha256::Context {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> evp{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

namespace {

[[noreturn]] void sha256_failed() { throw Error(ErrorKind::internal, "SHA-256 failed in OpenSSL's libcrypto"); }

}  // namespace

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (!context_->evp || EVP_DigestInit_ex(context_->evp.get(), EVP_sha256(), nullptr) != 1) sha256_failed();
}

Sha256::~Sha256() = default;

void Sha256::add(std::string_view piece) {
  if (EVP_DigestUpdate(context_->evp.get(), piece.data(), piece.size()) != 1) sha256_failed();
}

std::string Sha256::hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->evp.get(), digest.data(), &length) != 1) sha256_failed();
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace ork::host
