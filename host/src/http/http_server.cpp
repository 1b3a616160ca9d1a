#include "http/http_server.hpp"

#include "core/error.hpp"
#include "http/connection_limit.hpp"
#include "http/request_guard.hpp"
#include "http/request_parsing.hpp"
#include "http/static_assets.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <iostream>

namespace ork::host {

namespace {

using clock = std::chrono::steady_clock;

enum class BodyRead { complete, too_large, too_slow };

ApiResponse route(const Router& router, ApiRequest& request);
ApiResponse dispatch_api(const Router& router, ApiRequest& request);
ApiResponse static_file(const ApiRequest& request);
RequestGuardOptions guard_options(const HttpServerOptions& options, std::uint16_t port);
BodyRead read_body(std::istream& in, std::string& body, std::size_t keep_at_most, std::size_t read_at_most);

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(const Router& router, const HttpServerOptions& options) : router_(router), options_(options) {}

  // Headers first: a request refused by them is answered before a byte of
  // its body is read, so a client without the token cannot hold a thread by
  // sending a slow or endless body.
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    ApiRequest request;
    ApiResponse response;
    try {
      read_headers(req, request);
      if (std::optional<ApiResponse> refusal = refuse_before_body(guard_options(options_, options_.port), router_, request)) {
        send(res, *refusal, /*close=*/true);
        drain_refused_body(req);
        return;
      }
      if (req.hasContentLength() && static_cast<std::uint64_t>(req.getContentLength64()) > http_limits::max_drained_bytes) {
        send(res, too_large(), /*close=*/true);
        return;
      }
      switch (read_body(req.stream(), request.body, options_.max_body_bytes, http_limits::max_drained_bytes)) {
        case BodyRead::too_large: send(res, too_large(), /*close=*/true); return;
        case BodyRead::too_slow:
          send(res, ApiResponse::error(408, "the request body did not arrive within " +
                                                std::to_string(http_limits::body_read_deadline.count()) + " s"),
               /*close=*/true);
          return;
        case BodyRead::complete: break;
      }
      response = route(router_, request);
    } catch (const std::exception& e) {
      std::cerr << "ork serve: reading a request: " << e.what() << '\n';
      send(res, ApiResponse::error(400, "malformed request"), /*close=*/true);
      return;
    }
    send(res, response, /*close=*/false);
  }

 private:
  void read_headers(Poco::Net::HTTPServerRequest& req, ApiRequest& request) {
    request.method = req.getMethod();
    parse_request_target(req.getURI(), request);
    for (const auto& [name, value] : req) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[lower] = value;
    }
  }

  ApiResponse too_large() const {
    return ApiResponse::error(413, "the request body is larger than " + std::to_string(options_.max_body_bytes) + " bytes");
  }

  // The refusal is sent; a small declared body is read and dropped (within
  // the body deadline) so that closing the socket does not reset it before
  // the client has read the answer. Larger or undeclared bodies are not waited for.
  void drain_refused_body(Poco::Net::HTTPServerRequest& req) {
    if (!req.hasContentLength() || req.getContentLength64() <= 0 ||
        static_cast<std::uint64_t>(req.getContentLength64()) > http_limits::max_refused_drain_bytes) {
      return;
    }
    std::string dropped;
    try {
      read_body(req.stream(), dropped, 0, http_limits::max_refused_drain_bytes);
    } catch (const std::exception&) {
      // The client went away; the answer was sent.
    }
  }

  void send(Poco::Net::HTTPServerResponse& res, const ApiResponse& response, bool close) {
    res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    res.setContentType(response.content_type);
    for (const auto& [name, value] : response.headers) res.set(name, value);
    res.set("X-Content-Type-Options", "nosniff");
    if (close || response.status == 413) res.setKeepAlive(false);
    if (response.stream) {
      res.setChunkedTransferEncoding(true);
      res.setKeepAlive(false);
      std::ostream& out = res.send();
      try {
        response.stream(out);
      } catch (const Poco::Exception&) {
        // The client went away; nothing to tell anyone.
      } catch (const std::exception& e) {
        std::cerr << "ork serve: event stream: " << e.what() << '\n';
      }
      return;
    }
    res.setContentLength(static_cast<std::streamsize>(response.body.size()));
    res.send() << response.body << std::flush;
  }

  const Router& router_;
  const HttpServerOptions& options_;
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(const Router& router, const HttpServerOptions& options) : router_(router), options_(options) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(router_, options_);  // Poco owns and deletes it
  }
  // What Poco::Net::HTTPServer::stopAll does: open connections end.
  void stop_connections(bool abort_current) { serverStopped.notify(this, abort_current); }

 private:
  const Router& router_;
  const HttpServerOptions& options_;
};

}  // namespace

struct HttpServer::Impl {
  Router router;
  HttpServerOptions options;
  Poco::ThreadPool pool;
  Poco::SharedPtr<HandlerFactory> handlers;
  std::unique_ptr<Poco::Net::TCPServer> server;

  Impl(Router r, HttpServerOptions o)
      : router(std::move(r)), options(std::move(o)), pool(4, options.max_threads) {}
};

HttpServer::HttpServer(Router router, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(router), std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  Poco::Net::ServerSocket socket;
  try {
    socket.bind(Poco::Net::SocketAddress(impl_->options.host, impl_->options.port), /*reuseAddress=*/true);
    socket.listen(128);
  } catch (const Poco::Exception& e) {
    throw Error(ErrorKind::usage, "cannot listen on " + impl_->options.host + ":" +
                                      std::to_string(impl_->options.port) + ": " + e.displayText() +
                                      " (is another ork serve running? choose another port with --bind)");
  }
  // The Host check compares with the port really listened on (--bind HOST:0).
  impl_->options.port = socket.address().port();
  auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(impl_->options.max_threads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(std::chrono::seconds(http_limits::socket_read_timeout).count(), 0));
  params->setKeepAliveTimeout(Poco::Timespan(std::chrono::seconds(http_limits::keep_alive_timeout).count(), 0));
  params->setMaxKeepAliveRequests(http_limits::max_keep_alive_requests);
  impl_->handlers = new HandlerFactory(impl_->router, impl_->options);
  // Poco::Net::HTTPServer with a factory that caps connections per address.
  impl_->server = std::make_unique<Poco::Net::TCPServer>(
      new PerAddressConnectionFactory(params, impl_->handlers, impl_->options.max_connections_per_address),
      impl_->pool, socket, params);
  impl_->server->start();
}

void HttpServer::stop() {
  if (!impl_ || !impl_->server) return;
  impl_->server->stop();
  impl_->handlers->stop_connections(/*abort_current=*/true);
  impl_->pool.joinAll();
  impl_->server.reset();
}

std::uint16_t HttpServer::port() const { return impl_->options.port; }

ApiResponse handle_request(const Router& router, const HttpServerOptions& options, std::uint16_t port,
                           ApiRequest& request) {
  if (std::optional<ApiResponse> refusal = refuse_before_body(guard_options(options, port), router, request)) return *refusal;
  return route(router, request);
}

namespace {

ApiResponse route(const Router& router, ApiRequest& request) {
  if (request.path == "/api" || request.path.starts_with("/api/")) return dispatch_api(router, request);
  return static_file(request);
}

ApiResponse dispatch_api(const Router& router, ApiRequest& request) {
  try {
    const Route& route = router.match(request);
    ApiResponse response = route.handler(request);
    response.headers.emplace("Cache-Control", "no-store");
    return response;
  } catch (const HttpError& e) {
    return ApiResponse::error(e.status(), e.what());
  } catch (const Error& e) {
    switch (e.kind()) {
      case ErrorKind::not_found: return ApiResponse::error(404, e.what());
      case ErrorKind::usage:
      case ErrorKind::invalid_workflow: return ApiResponse::error(400, e.what());
      default: break;  // storage and plugin errors may name server files: logged, not sent
    }
    std::cerr << "ork serve: " << request.method << " " << request.path << ": " << e.what() << '\n';
    return ApiResponse::error(500, "internal error while handling the request; the server's log has the details");
  } catch (const std::exception& e) {
    std::cerr << "ork serve: " << request.method << " " << request.path << ": internal error: " << e.what() << '\n';
    return ApiResponse::error(500, "internal error while handling the request; the server's log has the details");
  }
}

RequestGuardOptions guard_options(const HttpServerOptions& options, std::uint16_t port) {
  return RequestGuardOptions{options.host, port, options.allowed_hosts, options.api_token};
}

// Reads at most `read_at_most` bytes, keeping the first `keep_at_most`. Each
// step waits for one network read at most (peek, then what is buffered), so
// the whole-body deadline is checked between reads even for a client that
// trickles bytes.
BodyRead read_body(std::istream& in, std::string& body, std::size_t keep_at_most, std::size_t read_at_most) {
  const auto deadline = clock::now() + http_limits::body_read_deadline;
  char buffer[16384];
  std::size_t total = 0;
  bool too_large = false;
  for (;;) {
    if (clock::now() > deadline) return BodyRead::too_slow;
    if (in.peek() == std::char_traits<char>::eof()) break;
    std::streamsize n = in.readsome(buffer, sizeof buffer);
    if (n <= 0) {
      buffer[0] = static_cast<char>(in.get());
      n = 1;
    }
    total += static_cast<std::size_t>(n);
    if (total <= keep_at_most) {
      body.append(buffer, static_cast<std::size_t>(n));
    } else {
      too_large = true;
      body.clear();
      if (total > read_at_most) break;
    }
  }
  // A read that timed out leaves the stream bad rather than at its end.
  if (in.bad()) return BodyRead::too_slow;
  return too_large ? BodyRead::too_large : BodyRead::complete;
}

ApiResponse static_file(const ApiRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return ApiResponse::error(405, "method " + request.method + " is not allowed on " + request.path);
  }
  std::string name = request.path == "/" ? "ui/index.html" : "ui" + request.path;
  const EmbeddedAsset* asset = name.find("..") == std::string::npos ? find_asset(name) : nullptr;
  if (!asset) return ApiResponse::error(404, "no page " + request.path);
  ApiResponse response;
  response.content_type = std::string(content_type_of(name));
  response.body = std::string(asset->bytes);
  // The UI writes task data with textContent only; the policy is a second
  // line of defence against a task printing markup.
  response.headers["Content-Security-Policy"] =
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";
  response.headers["Cache-Control"] = "no-cache";
  return response;
}

}  // namespace

}  // namespace ork::host
