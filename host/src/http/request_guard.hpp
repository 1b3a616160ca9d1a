// The checks `ork serve` makes on a request's headers before it reads any
// body: that the request was meant for this server (the `Host` header is
// its bound address, a loopback name on its port, or an --allowed-host —
// a DNS-rebinding page sends its own name), the API token, and for
// state-changing API calls a JSON Content-Type (which a cross-site form or
// no-cors fetch cannot send without a CORS preflight, which this server
// never grants), a same-origin `Origin` when one is sent, and a declared
// body length. Used by http/http_server.cpp; pure functions, so tests call
// them without a socket.
#pragma once

#include "http/router.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ork::host {

struct RequestGuardOptions {
  std::string bound_host;       // as given to --bind ("127.0.0.1", "0.0.0.0", "::1", a name)
  std::uint16_t port = 0;       // the port really listened on
  std::vector<std::string> allowed_hosts;  // --allowed-host: "name" (any port) or "name:port"
  std::optional<std::string> api_token;
};

// The refusal to send for a request whose headers (and method, path) are
// known but whose body has not been read; nullopt when it may go on.
// 421 wrong Host, 401 token, then for a state-changing API call 404/405 (no
// such route), 403 cross-origin, 415 not JSON, 411 no length.
std::optional<ApiResponse> refuse_before_body(const RequestGuardOptions& options, const Router& router,
                                              ApiRequest& request);

// True for the methods that change state (everything but GET, HEAD and OPTIONS).
bool changes_state(const std::string& method);

// Throws HttpError(401) unless the request carries the configured token.
void check_token(const std::optional<std::string>& api_token, const ApiRequest& request);

}  // namespace ork::host
