// parse_server_url: what libpq gets, how the server is named in messages
// (never with its password) and the plugin's own pool_size option.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "server_url.hpp"

namespace ork::plugins::postgres {
namespace {

std::string error_of(std::string_view url) {
  try {
    parse_server_url(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ServerUrl, NamesTheServerWithoutThePassword) {
  const ServerUrl url = parse_server_url("postgresql://ork:s3cret@db.example:6543/state?sslmode=disable");
  EXPECT_EQ(url.description, "postgresql://ork@db.example:6543/state");
  EXPECT_EQ(url.conninfo, "postgresql://ork:s3cret@db.example:6543/state?sslmode=disable");
  EXPECT_EQ(url.pool_size, default_pool_size);
}

TEST(ServerUrl, FillsInLibpqDefaultsInTheDescription) {
  EXPECT_EQ(parse_server_url("postgres://ork@127.0.0.1/ork").description, "postgresql://ork@127.0.0.1:5432/ork");
  EXPECT_EQ(parse_server_url("postgresql://u@h").description, "postgresql://u@h:5432/u");
  EXPECT_EQ(parse_server_url("postgresql:///mydb?host=/run/pg").description, "postgresql:///run/pg:5432/mydb");
}

TEST(ServerUrl, TakesOutPoolSizeBeforeLibpqSeesIt) {
  const ServerUrl url = parse_server_url("postgresql://ork@h/db?pool_size=2&sslmode=disable");
  EXPECT_EQ(url.pool_size, 2u);
  EXPECT_EQ(url.conninfo, "postgresql://ork@h/db?sslmode=disable");
  EXPECT_EQ(parse_server_url("postgresql://ork@h/db?pool_size=9").conninfo, "postgresql://ork@h/db");
  EXPECT_NE(error_of("postgresql://h/db?pool_size=0").find("pool_size=0 is not a number of connections from 1 to 64"),
            std::string::npos);
  EXPECT_NE(error_of("postgresql://h/db?pool_size=many").find("pool_size=many"), std::string::npos);
}

TEST(ServerUrl, RefusesWhatLibpqRefusesWithoutEchoingThePassword) {
  const std::string bad_option = error_of("postgresql://ork:hunter2@h/db?colour=blue");
  EXPECT_NE(bad_option.find("libpq refuses the PostgreSQL URL"), std::string::npos) << bad_option;
  EXPECT_NE(bad_option.find("colour"), std::string::npos) << bad_option;
  EXPECT_EQ(bad_option.find("hunter2"), std::string::npos) << bad_option;
  EXPECT_NE(error_of("mysql://h/db").find("must start with postgresql:// or postgres://"), std::string::npos);
}

}  // namespace
}  // namespace ork::plugins::postgres
