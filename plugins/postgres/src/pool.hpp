// The postgres storage plugin's connection pool: up to `pool_size`
// connections, opened when needed and shared by the threads the host calls
// the store from. Each thread leases one connection for one operation.
//
// After a lost connection the pool drops every idle one as well (a server
// restart kills them all, and libpq notices only on next use), and new
// connections wait for the server to come back for up to `reconnect_patience`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "connection.hpp"
#include "server_url.hpp"

namespace ork::plugins::postgres {

inline constexpr std::chrono::milliseconds reconnect_patience{15'000};

class Pool {
 public:
  // Opens the first connection at once, so a wrong URL fails the open.
  explicit Pool(ServerUrl url);

  // One connection for one operation; back to the pool when destroyed, unless
  // it broke.
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> connection) : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Waits while all connections are leased and the pool is full.
  Lease acquire();
  // Called after a connection was lost: the idle ones are likely dead too.
  void drop_idle();

  const ServerUrl& url() const noexcept { return url_; }

 private:
  void release(std::unique_ptr<Connection> connection);

  ServerUrl url_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace ork::plugins::postgres
