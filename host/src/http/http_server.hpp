// The HTTP server of `ork serve`, on Poco::Net::HTTPServer: serves the API
// routes of a Router under /api/ (JSON; errors as {"error": {"status",
// "message"}}), the embedded web UI everywhere else, and Server-Sent Events
// as long-lived responses. It enforces the request-body limit (413), the API
// token when one is configured (401), and turns every exception into a JSON
// error without leaking its text unless it is meant for the client.
#pragma once

#include "http/router.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ork::host {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4000;  // 0 = any free port
  std::optional<std::string> api_token;
  std::size_t max_body_bytes = 1 << 20;
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

// Handles one request in full: auth, routing, errors, static files. Exposed
// for tests that call the API without a socket.
ApiResponse handle_request(const Router& router, const HttpServerOptions& options, ApiRequest& request);

}  // namespace ork::host
