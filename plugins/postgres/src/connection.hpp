// One libpq connection of the postgres storage plugin, with the statements it
// prepared, typed parameters and results, and transactions. The store holds a
// pool of these (pool.hpp); queries.cpp and migrations.cpp run SQL on one.
//
// Every statement with parameters is prepared once per connection, on first
// use, and run with PQexecPrepared; parameters travel as text, except BYTEA
// values, which travel as binary so their bytes arrive exactly as given.
// Losing the server (a restart, a dropped socket) surfaces as ConnectionLost,
// which the store answers by reconnecting and retrying the operation once.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "server_url.hpp"

namespace ork::plugins::postgres {

// The server refused a statement. `sqlstate` is its five-character code
// (e.g. "23505" for a unique violation), `constraint` the constraint it names.
class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate, std::string constraint)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), constraint_(std::move(constraint)) {}
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  const std::string& constraint() const noexcept { return constraint_; }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

// The connection to the server broke (server restart, network). What the
// statement did is unknown only when it was a COMMIT.
class ConnectionLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One statement parameter: NULL, text (made valid UTF-8 without NUL bytes, as
// TEXT columns require), or binary bytes for a BYTEA column.
class Param {
 public:
  Param(std::nullopt_t) {}
  Param(std::string_view text);
  Param(const std::string& text) : Param(std::string_view(text)) {}
  Param(const char* text) : Param(std::string_view(text)) {}
  template <std::integral Integer>
    requires(!std::same_as<Integer, bool>)
  Param(Integer value) : value_(std::to_string(value)) {}
  template <typename T>
  Param(const std::optional<T>& value) {
    if (value) *this = Param(*value);
  }
  static Param bytes(std::string_view bytes);

  const std::optional<std::string>& value() const noexcept { return value_; }
  bool binary() const noexcept { return binary_; }

 private:
  std::optional<std::string> value_;
  bool binary_ = false;
};

// A finished statement's rows, read by row and column index.
class Result {
 public:
  explicit Result(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  std::int64_t affected() const;
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view text(int row, int column) const;
  std::optional<std::string_view> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  std::optional<std::int64_t> optional_integer(int row, int column) const;
  // A BYTEA column, decoded from the server's hex text format.
  std::string bytes(int row, int column) const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

class Connection {
 public:
  // Connects to the server. With `patience` > 0 a refused connection is
  // retried until then (the server may be restarting); otherwise the first
  // failure throws, naming the server and what to check.
  explicit Connection(const ServerUrl& url, std::chrono::milliseconds patience = std::chrono::milliseconds(0));

  // Runs `sql` as a prepared statement (prepared on first use).
  Result exec(std::string_view sql, const std::vector<Param>& params = {});
  // Runs one or more statements without parameters (migrations, BEGIN).
  void execute_script(std::string_view sql);

  // False once the socket broke; such a connection is dropped, not reused.
  bool healthy() const { return PQstatus(conn_.get()) == CONNECTION_OK && !broken_; }
  const ServerUrl& url() const noexcept { return url_; }

  // Runs `body` between BEGIN and COMMIT; rolls back when it throws.
  template <typename Body>
  auto transaction(std::string_view begin, Body&& body) {
    execute_script(begin);
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        execute_script("COMMIT");
      } else {
        auto result = body();
        execute_script("COMMIT");
        return result;
      }
    } catch (...) {
      rollback_quietly();
      throw;
    }
  }

 private:
  [[noreturn]] void fail(PGresult* result, std::string_view what);
  const std::string& prepared_name(std::string_view sql);
  void rollback_quietly() noexcept;

  ServerUrl url_;
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  bool broken_ = false;
};

}  // namespace ork::plugins::postgres
