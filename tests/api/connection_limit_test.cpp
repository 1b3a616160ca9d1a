// Clients without the token cannot lock out a token-protected server: the
// token is checked from the headers before any body is read, and idle or
// slow connections are capped per client address (other loopback addresses,
// 127.0.0.2 and 127.0.0.3, stand in for other machines).
#include "api_support.hpp"
#include "http/http_limits.hpp"
#include "workflows.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

namespace ork::test {
namespace {

using host::http_limits::max_connections_per_address;

// A connection from `from` to the server; sends `text` (maybe nothing) and
// then keeps quiet.
Poco::Net::StreamSocket open_from(const std::string& from, std::uint16_t port, const std::string& text = "") {
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress::IPv4);
  socket.impl()->bind(Poco::Net::SocketAddress(from, 0), false);
  socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
  if (!text.empty()) socket.sendBytes(text.data(), static_cast<int>(text.size()));
  return socket;
}

// The status of an authenticated request, with a client that waits 1 s at most.
int status_within_one_second(std::uint16_t port, const std::string& method, const std::string& path,
                             const std::string& token) {
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(1, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) request.set("Authorization", "Bearer " + token);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    return static_cast<int>(response.getStatus());
  } catch (const Poco::Exception&) {
    return -1;  // no answer within the second
  }
}

class ConnectionLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    serve.write_workflow("pipeline.yaml", pipeline_yaml);
    host::ServeOptions options;
    options.http.api_token = "s3cret";
    serve.start(options);
  }
  ServeFixture serve;
};

TEST_F(ConnectionLimitTest, IdleAndSlowClientsDoNotLockOutAnAuthenticatedOne) {
  const std::string host = "Host: 127.0.0.1:" + std::to_string(serve.port()) + "\r\n";
  std::vector<Poco::Net::StreamSocket> held;
  for (int i = 0; i < 100; ++i) held.push_back(open_from("127.0.0.2", serve.port()));  // idle
  for (int i = 0; i < 100; ++i) {
    // slow: the headers never end
    held.push_back(open_from("127.0.0.3", serve.port(), "POST /api/workflows/pipeline/runs HTTP/1.1\r\n" + host));
  }
  EXPECT_EQ(status_within_one_second(serve.port(), "GET", "/api/health", "s3cret"), 200)
      << "an authenticated request answers while 200 idle or slow connections are open";
  EXPECT_EQ(status_within_one_second(serve.port(), "GET", "/api/runs", "s3cret"), 200);
}

TEST_F(ConnectionLimitTest, TokenIsCheckedBeforeTheBodyIsRead) {
  const std::string host = "Host: 127.0.0.1:" + std::to_string(serve.port()) + "\r\n";
  // A declared body that never comes, and one that would last until the peer closes.
  for (const std::string& framing : {std::string("Content-Length: 100000\r\n"), std::string("")}) {
    Poco::Net::StreamSocket socket = open_from(
        "127.0.0.4", serve.port(),
        "POST /api/workflows/pipeline/runs HTTP/1.1\r\n" + host + "Content-Type: application/json\r\n" + framing + "\r\n{");
    socket.setReceiveTimeout(Poco::Timespan(1, 0));
    char buffer[512] = {0};
    int n = 0;
    try {
      n = socket.receiveBytes(buffer, sizeof buffer - 1);
    } catch (const Poco::TimeoutException&) {
      n = -1;
    }
    ASSERT_GT(n, 12) << "no answer within 1 s: the server waits for a body before checking the token";
    EXPECT_EQ(std::string(buffer, 12), "HTTP/1.1 401") << buffer;
  }
}

// The sockets among `sockets` the server has answered (or closed) so far.
std::vector<std::size_t> answered(std::vector<Poco::Net::StreamSocket>& sockets) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    if (sockets[i].poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) out.push_back(i);
  }
  return out;
}

std::string first_bytes(Poco::Net::StreamSocket& socket, const std::string& request = "") {
  if (!request.empty()) socket.sendBytes(request.data(), static_cast<int>(request.size()));
  socket.setReceiveTimeout(Poco::Timespan(5, 0));
  char buffer[512] = {0};
  int n = socket.receiveBytes(buffer, sizeof buffer - 1);
  return std::string(buffer, static_cast<std::size_t>(std::max(n, 0)));
}

TEST_F(ConnectionLimitTest, OneAddressMayHoldTheLimitAndNoMore) {
  std::vector<Poco::Net::StreamSocket> held;
  for (int i = 0; i <= max_connections_per_address; ++i) held.push_back(open_from("127.0.0.5", serve.port()));
  std::vector<std::size_t> refused;
  for (int i = 0; i < 100 && refused.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    refused = answered(held);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  refused = answered(held);
  ASSERT_EQ(refused.size(), 1u) << "one connection past the limit is refused, the others are kept";
  EXPECT_EQ(first_bytes(held[refused[0]]).substr(0, 12), "HTTP/1.1 503");

  // The limit's connections themselves are served.
  const std::string request = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(serve.port()) +
                              "\r\nAuthorization: Bearer s3cret\r\n\r\n";
  std::size_t kept = refused[0] == 0 ? 1 : 0;
  EXPECT_EQ(first_bytes(held[kept], request).substr(0, 12), "HTTP/1.1 200");
  held.clear();

  // Closed connections give their slots back.
  // (The server notices a close on its own thread: a refusal meanwhile is retried.)
  std::vector<Poco::Net::StreamSocket> again;
  for (int i = 0; i < max_connections_per_address; ++i) {
    std::string answer;
    for (int attempt = 0; attempt < 100; ++attempt) {
      Poco::Net::StreamSocket socket = open_from("127.0.0.5", serve.port());
      answer = first_bytes(socket, request).substr(0, 12);
      if (answer != "HTTP/1.1 503") {
        again.push_back(socket);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(answer, "HTTP/1.1 200") << "slot " << i;
  }
}

}  // namespace
}  // namespace ork::test
