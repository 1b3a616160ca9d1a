// How PostgresStore runs a transaction: on a pooled connection, again on a new
// one when the connection was lost, or when the server picked it as a deadlock
// or serialization victim. Included by postgres_store.cpp and
// attempt_queue.cpp, the two files that define PostgresStore's calls.
#pragma once

#include <ork/plugin.hpp>

#include <string>
#include <string_view>

#include "postgres_store.hpp"

namespace ork::plugins::postgres {

inline constexpr std::string_view begin_write = "BEGIN";
inline constexpr std::string_view begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
inline constexpr int max_tries = 3;

// The server rolled the transaction back to break a deadlock or a
// serialization conflict; running it again is the documented remedy.
inline bool is_retryable(const PgError& e) { return e.sqlstate() == "40P01" || e.sqlstate() == "40001"; }

template <typename Body>
auto PostgresStore::in_transaction(std::string_view begin, Body&& body) {
  for (int attempt = 1;; ++attempt) {
    Pool::Lease connection = pool_.acquire();
    try {
      return connection->transaction(begin, [&] { return body(*connection, attempt > 1); });
    } catch (const ConnectionLost& e) {
      if (attempt >= max_tries) throw;
      ork::plugin::diagnostic(2, std::string(e.what()) + "; reconnecting and trying again");
      pool_.drop_idle();
    } catch (const PgError& e) {
      if (attempt >= max_tries || !is_retryable(e)) throw;
    }
  }
}

}  // namespace ork::plugins::postgres
