// Parts of the libpq layer that need no server: parameter encoding and the
// message when no server answers.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "connection.hpp"
#include "server_url.hpp"

namespace ork::plugins::postgres {
namespace {

using namespace std::string_literals;

TEST(Param, TextIsValidUtf8WithoutNul) {
  EXPECT_EQ(*Param("caf\xC3\xA9").value(), "caf\xC3\xA9");
  EXPECT_EQ(*Param("a\xFF"s + "b").value(), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(*Param("nul\0byte"s).value(), "nul\xEF\xBF\xBD" "byte");
  EXPECT_FALSE(Param("x").binary());
}

TEST(Param, BytesAreKeptExactlyAndSentBinary) {
  const std::string raw = "nul\0and \xFF"s;
  const Param param = Param::bytes(raw);
  EXPECT_EQ(*param.value(), raw);
  EXPECT_TRUE(param.binary());
}

TEST(Param, IntegersAndAbsentValues) {
  EXPECT_EQ(*Param(std::int64_t{-42}).value(), "-42");
  EXPECT_EQ(*Param(std::uint32_t{7}).value(), "7");
  EXPECT_FALSE(Param(std::nullopt).value().has_value());
  EXPECT_FALSE(Param(std::optional<std::int64_t>()).value().has_value());
  EXPECT_EQ(*Param(std::optional<std::string_view>("v")).value(), "v");
}

// A loopback port nobody listens on: bound, never listened to, closed.
int unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(Connection, NoServerMeansAMessageNamingItWithoutThePassword) {
  const std::string url = "postgresql://ork:hunter2@127.0.0.1:" + std::to_string(unused_port()) + "/ork";
  try {
    Connection connection(parse_server_url(url));
    ADD_FAILURE() << "connected to a port nobody listens on";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind("cannot connect to the PostgreSQL server postgresql://ork@127.0.0.1:", 0), 0u) << message;
    EXPECT_NE(message.find("check that the server runs"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace ork::plugins::postgres
