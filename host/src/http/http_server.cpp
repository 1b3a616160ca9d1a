#include "http/http_server.hpp"

#include "core/error.hpp"
#include "http/auth.hpp"
#include "http/request_parsing.hpp"
#include "http/static_assets.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <iostream>

namespace ork::host {

namespace {

// Bodies past the limit are still read (and dropped) up to this much, so the
// client gets its 413 instead of a reset connection.
constexpr std::size_t max_drained_bytes = 64u << 20;

ApiResponse dispatch_api(const Router& router, const HttpServerOptions& options, ApiRequest& request);
ApiResponse static_file(const ApiRequest& request);
void check_token(const HttpServerOptions& options, const ApiRequest& request);

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(const Router& router, const HttpServerOptions& options) : router_(router), options_(options) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    ApiRequest request;
    ApiResponse response;
    bool body_too_large = false;
    try {
      read_request(req, request, body_too_large);
      response = body_too_large ? ApiResponse::error(413, "the request body is larger than " +
                                                              std::to_string(options_.max_body_bytes) + " bytes")
                                : handle_request(router_, options_, request);
    } catch (const std::exception& e) {
      std::cerr << "ork serve: reading a request: " << e.what() << '\n';
      response = ApiResponse::error(400, "malformed request");
    }
    send(res, response);
  }

 private:
  void read_request(Poco::Net::HTTPServerRequest& req, ApiRequest& request, bool& too_large) {
    request.method = req.getMethod();
    parse_request_target(req.getURI(), request);
    for (const auto& [name, value] : req) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[lower] = value;
    }
    // Always read the whole body: an unread body would be taken for the next
    // request on a keep-alive connection.
    std::istream& in = req.stream();
    char buffer[16384];
    std::size_t total = 0;
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      std::size_t n = static_cast<std::size_t>(in.gcount());
      total += n;
      if (total <= options_.max_body_bytes) {
        request.body.append(buffer, n);
      } else {
        too_large = true;
        request.body.clear();
        if (total > max_drained_bytes) break;
      }
    }
  }

  void send(Poco::Net::HTTPServerResponse& res, const ApiResponse& response) {
    res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    res.setContentType(response.content_type);
    for (const auto& [name, value] : response.headers) res.set(name, value);
    res.set("X-Content-Type-Options", "nosniff");
    if (response.status == 413) res.setKeepAlive(false);
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
    res.send() << response.body;
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

 private:
  const Router& router_;
  const HttpServerOptions& options_;
};

}  // namespace

struct HttpServer::Impl {
  Router router;
  HttpServerOptions options;
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t port = 0;

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
  impl_->port = socket.address().port();
  auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(impl_->options.max_threads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(impl_->router, impl_->options),
                                                           impl_->pool, socket, params);
  impl_->server->start();
}

void HttpServer::stop() {
  if (!impl_ || !impl_->server) return;
  impl_->server->stopAll(/*abortCurrent=*/true);
  impl_->pool.joinAll();
  impl_->server.reset();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

ApiResponse handle_request(const Router& router, const HttpServerOptions& options, ApiRequest& request) {
  if (request.path == "/api" || request.path.starts_with("/api/")) return dispatch_api(router, options, request);
  return static_file(request);
}

namespace {

ApiResponse dispatch_api(const Router& router, const HttpServerOptions& options, ApiRequest& request) {
  try {
    check_token(options, request);
    const Route& route = router.match(request);
    ApiResponse response = route.handler(request);
    response.headers.emplace("Cache-Control", "no-store");
    return response;
  } catch (const HttpError& e) {
    ApiResponse response = ApiResponse::error(e.status(), e.what());
    if (e.status() == 401) response.headers["WWW-Authenticate"] = "Bearer realm=\"ork\"";
    return response;
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

void check_token(const HttpServerOptions& options, const ApiRequest& request) {
  if (!options.api_token) return;
  std::optional<std::string> given;
  if (auto authorization = request.header("authorization")) given = bearer_token(*authorization);
  // EventSource cannot send headers, so the UI's event stream passes the token in the URL.
  if (!given && request.path == "/api/events") given = request.query_value("access_token");
  if (!given) throw HttpError(401, "this server needs an API token: send 'Authorization: Bearer TOKEN'");
  if (!tokens_equal(*options.api_token, *given)) throw HttpError(401, "the API token is not valid");
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
