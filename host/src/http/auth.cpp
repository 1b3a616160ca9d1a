#include "http/auth.hpp"

#include "core/error.hpp"

#include <Poco/Net/IPAddress.h>

#include <cstdlib>
#include <fstream>

namespace ork::host {

namespace {

std::string trimmed(std::string s) {
  const char* space = " \t\r\n";
  s.erase(0, s.find_first_not_of(space));
  s.erase(s.find_last_not_of(space) + 1);
  return s;
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  Poco::Net::IPAddress address;
  std::string text(host);
  if (text.starts_with('[') && text.ends_with(']')) text = text.substr(1, text.size() - 2);
  if (!Poco::Net::IPAddress::tryParse(text, address)) return false;
  return address.isLoopback();
}

std::optional<std::string> configured_api_token(const std::optional<std::filesystem::path>& token_file) {
  if (token_file) {
    std::ifstream in(*token_file);
    if (!in) throw Error(ErrorKind::usage, "cannot read the token file " + token_file->string() + " (--token-file)");
    std::string line;
    std::getline(in, line);
    std::string token = trimmed(line);
    if (token.empty()) {
      throw Error(ErrorKind::usage, "the token file " + token_file->string() + " is empty; put the API token on its first line");
    }
    return token;
  }
  if (const char* env = std::getenv("ORK_API_TOKEN"); env && *trimmed(env).c_str()) return trimmed(env);
  return std::nullopt;
}

bool tokens_equal(std::string_view expected, std::string_view given) {
  // Every byte of the longer string is looked at, whatever matched before.
  std::size_t n = std::max(expected.size(), given.size());
  unsigned char diff = expected.size() == given.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char a = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    unsigned char b = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(a ^ b);
  }
  return diff == 0;
}

std::optional<std::string> bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if ((authorization[i] | 0x20) != scheme[i]) return std::nullopt;
  }
  return trimmed(std::string(authorization.substr(scheme.size())));
}

}  // namespace ork::host
