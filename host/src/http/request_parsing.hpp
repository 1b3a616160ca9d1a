// How the HTTP server reads a request target: the path and the query string,
// URL-decoded, as Poco parses them. Used by the server (http/http_server.cpp);
// a function of its own, free of sockets, so the router fuzz target
// (tests/fuzz/router_fuzz.cpp) drives exactly this code.
#pragma once

#include "http/router.hpp"

#include <string_view>

namespace ork::host {

// Sets request.path and request.query from a request target such as
// "/api/runs?status=failed&limit=5". Throws std::exception (Poco's
// SyntaxException) for a target that is not a URI; the server answers 400.
void parse_request_target(std::string_view target, ApiRequest& request);

}  // namespace ork::host
