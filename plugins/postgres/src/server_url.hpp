// The postgres storage plugin's reading of a database URL: what libpq gets to
// connect, how the server is named in messages (never with the password), and
// the plugin's own options. Used by the store when it opens and by the tests.
//
// Accepted: every URL libpq accepts with the `postgresql://` or `postgres://`
// prefix (user, password, host, port, database, libpq query options such as
// `sslmode=require`), plus `pool_size=N` (1 to 64 connections, default 4),
// which the plugin takes out before libpq sees the URL.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ork::plugins::postgres {

inline constexpr std::size_t default_pool_size = 4;

struct ServerUrl {
  std::string conninfo;     // the URL for libpq, without the plugin's own options
  std::string description;  // "postgresql://user@host:port/db", for messages
  std::size_t pool_size = default_pool_size;
};

// Throws std::invalid_argument naming the problem when libpq refuses the URL
// or an option of the plugin is malformed; the message never holds a password.
ServerUrl parse_server_url(std::string_view url);

}  // namespace ork::plugins::postgres
