// The HTTP server of `ork serve`, on Poco::Net::HTTPServer: serves the API
// routes of a Router under /api/ (JSON; errors as {"error": {"status",
// "message"}}), the embedded web UI everywhere else, and Server-Sent Events
// as long-lived responses. Before it reads a body it checks the headers
// (http/request_guard.hpp: Host, token, Origin, Content-Type); it enforces
// the limits of http/http_limits.hpp (body size 413, read deadlines 408,
// connections per client address 503), and turns every exception into a
// JSON error without leaking its text unless it is meant for the client.
#pragma once

#include "http/http_limits.hpp"
#include "http/router.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ork::host {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4000;  // 0 = any free port
  std::optional<std::string> api_token;
  // --allowed-host: more names (or name:port) the Host header may carry,
  // e.g. the name of a reverse proxy in front of the server.
  std::vector<std::string> allowed_hosts;
  std::size_t max_body_bytes = http_limits::max_body_bytes;
  int max_connections_per_address = http_limits::max_connections_per_address;
  // SSE clients each hold a thread for as long as they are connected.
  int max_threads = 128;
};

class HttpServer {
 public:
  HttpServer(Router router, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Throws Error(usage) when the address cannot be bound.
  void start();
  // Stops accepting and closes open connections (call EventHub::stop first so
  // that event streams end).
  void stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Handles one request whose body has been read: the header checks of
// http/request_guard.hpp (with `port` as the port listened on), routing,
// errors, static files. Exposed for tests that call the API without a socket.
ApiResponse handle_request(const Router& router, const HttpServerOptions& options, std::uint16_t port,
                           ApiRequest& request);

}  // namespace ork::host
