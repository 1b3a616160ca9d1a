// How the HTTP API reads what a client sent, apart from routing: the request
// target (path and query string, URL-decoded), integer query parameters and
// the trigger body. Used by the server (http/http_server.cpp) and the API
// handlers (http/api_routes.cpp); kept free of sockets and of the store so the
// router fuzz target (tests/fuzz/router_fuzz.cpp) drives exactly this code.
#pragma once

#include "http/router.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ork::host {

// Sets request.path and request.query from a request target such as
// "/api/runs?status=failed&limit=5". Throws std::exception (Poco's
// SyntaxException) for a target that is not a URI; the server answers 400.
void parse_request_target(std::string_view target, ApiRequest& request);

// The query parameter `name` as an integer in [min, max]; nullopt when absent.
// Throws HttpError(400) naming the parameter and the range.
std::optional<std::int64_t> integer_query_param(const ApiRequest& request, const std::string& name, std::int64_t min,
                                                std::int64_t max);

// The body of POST /api/workflows/{name}/runs: {"inputs": {...}, "idempotency_key": "..."},
// both optional. Throws HttpError(400) for anything else.
struct TriggerBody {
  boost::json::object inputs;
  std::string idempotency_key;
};
TriggerBody parse_trigger_body(const ApiRequest& request);

}  // namespace ork::host
