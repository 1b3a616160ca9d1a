// Who may call the API: `ork serve` binds to loopback by default; binding
// anywhere else needs an API token (ORK_API_TOKEN or --token-file), and then
// every API call must carry `Authorization: Bearer TOKEN` (or, for the
// EventSource of the web UI, which cannot set headers, `?access_token=`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ork::host {

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host);

// The token from --token-file (first line, trimmed) or else ORK_API_TOKEN;
// nullopt when neither is set. Throws Error(usage) for an unreadable or
// empty token file.
std::optional<std::string> configured_api_token(const std::optional<std::filesystem::path>& token_file);

// Compares in time independent of where the strings differ.
bool tokens_equal(std::string_view expected, std::string_view given);

// The token of an `Authorization: Bearer TOKEN` header value, if it is one.
std::optional<std::string> bearer_token(std::string_view authorization);

}  // namespace ork::host
