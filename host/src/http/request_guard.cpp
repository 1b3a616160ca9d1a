#include "http/request_guard.hpp"

#include "http/auth.hpp"

#include <Poco/Net/IPAddress.h>

#include <algorithm>

namespace ork::host {

namespace {

struct Authority {
  std::string host;  // lower-case, without brackets or a trailing dot
  std::optional<std::uint16_t> port;
};

std::optional<Authority> parse_authority(std::string_view text);
bool host_is_served(const RequestGuardOptions& options, const Authority& given);
bool host_is_allowed(const RequestGuardOptions& options, const Authority& given);
bool origin_is_same(const RequestGuardOptions& options, std::string_view origin, std::string_view host_header);
bool is_json_media_type(std::string_view content_type);
std::string lower(std::string_view text);

}  // namespace

std::optional<ApiResponse> refuse_before_body(const RequestGuardOptions& options, const Router& router,
                                              ApiRequest& request) {
  // Browsers always send Host; a client without one (HTTP/1.0) is no web page.
  if (std::optional<std::string> host = request.header("host")) {
    std::optional<Authority> given = parse_authority(*host);
    if (!given || !host_is_served(options, *given)) {
      return ApiResponse::error(421, "this server does not answer for host '" + *host +
                                         "'; use its address, or start it with --allowed-host NAME");
    }
  }
  const bool api = request.path == "/api" || request.path.starts_with("/api/");
  if (!api) return std::nullopt;
  try {
    check_token(options.api_token, request);
  } catch (const HttpError& e) {
    ApiResponse response = ApiResponse::error(e.status(), e.what());
    response.headers["WWW-Authenticate"] = "Bearer realm=\"ork\"";
    return response;
  }
  if (!changes_state(request.method)) return std::nullopt;
  try {
    router.match(request);  // 404 and 405 before the rules of a route that does not exist
  } catch (const HttpError& e) {
    return ApiResponse::error(e.status(), e.what());
  }
  if (std::optional<std::string> origin = request.header("origin")) {
    if (!origin_is_same(options, *origin, request.header("host").value_or(""))) {
      return ApiResponse::error(403, "cross-origin request refused (Origin " + *origin +
                                         "); call the API from this server's own pages or without a browser");
    }
  }
  if (!is_json_media_type(request.header("content-type").value_or(""))) {
    return ApiResponse::error(415, request.method + " " + request.path +
                                       " needs 'Content-Type: application/json' (send {} when there is nothing to say)");
  }
  bool chunked = lower(request.header("transfer-encoding").value_or("")).find("chunked") != std::string::npos;
  if (!chunked && !request.header("content-length")) {
    return ApiResponse::error(411, request.method + " " + request.path + " needs a Content-Length header");
  }
  return std::nullopt;
}

bool changes_state(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

void check_token(const std::optional<std::string>& api_token, const ApiRequest& request) {
  if (!api_token) return;
  std::optional<std::string> given;
  if (auto authorization = request.header("authorization")) given = bearer_token(*authorization);
  // EventSource cannot send headers, so the UI's event stream passes the token in the URL.
  if (!given && request.path == "/api/events") given = request.query_value("access_token");
  if (!given) throw HttpError(401, "this server needs an API token: send 'Authorization: Bearer TOKEN'");
  if (!tokens_equal(*api_token, *given)) throw HttpError(401, "the API token is not valid");
}

namespace {

// "name", "name:port", "1.2.3.4:port", "[::1]:port"; nullopt when malformed
// (an unbracketed IPv6 address, a bad port).
std::optional<Authority> parse_authority(std::string_view text) {
  Authority out;
  std::string_view port_text;
  if (text.starts_with('[')) {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = lower(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::nullopt;
      port_text = rest.substr(1);
    }
  } else {
    std::size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) return std::nullopt;
    out.host = lower(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
  }
  if (out.host.ends_with('.')) out.host.pop_back();
  if (out.host.empty()) return std::nullopt;
  if (!port_text.empty() || text.ends_with(':')) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    int port = std::stoi(std::string(port_text));
    if (port > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(port);
  }
  return out;
}

bool is_ip_literal(const std::string& host) {
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(host, address);
}

bool host_is_served(const RequestGuardOptions& options, const Authority& given) {
  if (host_is_allowed(options, given)) return true;
  if (given.port.value_or(80) != options.port) return false;
  if (is_loopback_host(given.host)) return true;
  std::optional<Authority> bound = parse_authority(options.bound_host);
  if (!bound) return false;
  if (bound->host == "0.0.0.0" || bound->host == "::") {
    // Bound to every interface: any of the machine's addresses may be used.
    // An IP literal cannot be a DNS-rebinding attack, which needs a name.
    return is_ip_literal(given.host);
  }
  return given.host == bound->host;
}

bool host_is_allowed(const RequestGuardOptions& options, const Authority& given) {
  for (const std::string& entry : options.allowed_hosts) {
    std::optional<Authority> allowed = parse_authority(entry);
    if (!allowed || allowed->host != given.host) continue;
    if (!allowed->port || allowed->port == given.port) return true;
  }
  return false;
}

// Browsers write an origin as scheme://host[:port], leaving out the default
// port, just as they write the Host header, so the two compare as text.
bool origin_is_same(const RequestGuardOptions& options, std::string_view origin, std::string_view host_header) {
  std::size_t scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return false;  // "null" and other opaque origins
  std::string_view authority = origin.substr(scheme_end + 3);
  if (!host_header.empty() && lower(authority) == lower(host_header)) return true;
  std::optional<Authority> parsed = parse_authority(authority);
  return parsed && host_is_allowed(options, *parsed);
}

bool is_json_media_type(std::string_view content_type) {
  std::string type = lower(content_type.substr(0, content_type.find(';')));
  type.erase(0, type.find_first_not_of(" \t"));
  type.erase(type.find_last_not_of(" \t") + 1);
  return type == "application/json";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

}  // namespace ork::host
