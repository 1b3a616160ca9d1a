// The HTTP API's request/response types and its router: a table of
// (method, path pattern) → handler, where a pattern segment `{name}` captures
// one path segment. Independent of Poco so handlers can be called and tested
// without a socket; http/http_server.cpp adapts Poco's requests to these.
// Hand-written because Poco has no router, and a list scan over a dozen
// routes is all that is needed.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ork::host {

// A failure to report to the client as {"error": {"status", "message"}}.
// The message is shown as is: never put a server path or an internal
// exception's text in it.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string message) : std::runtime_error(std::move(message)), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

struct ApiRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;  // captured `{name}` segments, URL-decoded
  std::map<std::string, std::string> query;   // URL-decoded
  std::map<std::string, std::string> headers; // names lower-cased
  std::string body;

  std::optional<std::string> query_value(const std::string& name) const;
  std::optional<std::string> header(const std::string& lower_name) const;
  const std::string& param(const std::string& name) const;
  // The body as a JSON object; an empty body is {}. Throws HttpError(400).
  boost::json::object json_body() const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
  // Set for a streaming response (Server-Sent Events): the server sends the
  // headers, then calls this with the connection's stream until it returns.
  std::function<void(std::ostream&)> stream;

  // Bytes of strings that are not UTF-8 are sent as U+FFFD, so the body is
  // always valid JSON.
  static ApiResponse json(const boost::json::value& value, int status = 200);
  static ApiResponse error(int status, std::string_view message);
};

using Handler = std::function<ApiResponse(const ApiRequest&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/runs/{id}"
  Handler handler;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);

  // Fills request.params on a match. Throws HttpError 404 (no such path) or
  // 405 (the path exists for other methods).
  const Route& match(ApiRequest& request) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

std::string url_decode(std::string_view text);

}  // namespace ork::host
