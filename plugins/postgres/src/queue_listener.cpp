#include "queue_listener.hpp"

#include <libpq-fe.h>
#include <sys/select.h>

#include <memory>

namespace ork::plugins::postgres {

namespace {

struct ConnectionCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using OwnedConnection = std::unique_ptr<PGconn, ConnectionCloser>;

OwnedConnection listening_connection(const ServerUrl& url) {
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "ork-listener", url.conninfo.c_str(), nullptr};
  OwnedConnection conn(PQconnectdbParams(keywords, values, 1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) return nullptr;
  PGresult* result = PQexec(conn.get(), "LISTEN ork_queue");
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  return ok ? std::move(conn) : nullptr;
}

}  // namespace

QueueListener::~QueueListener() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void QueueListener::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!thread_.joinable()) thread_ = std::thread([this] { listen(); });
  const std::uint64_t seen = generation_;
  changed_.wait_for(lock, timeout, [&] { return generation_ != seen || stopping_; });
}

void QueueListener::listen() {
  OwnedConnection conn;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (!conn) {
      conn = listening_connection(url_);
      if (!conn) {
        // The server may be restarting: waiters fall back to their timeouts.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
    }
    const int socket = PQsocket(conn.get());
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(socket, &readable);
    timeval tick{0, 100000};  // re-check stopping_ every 100 ms
    if (select(socket + 1, &readable, nullptr, nullptr, &tick) < 0 || !PQconsumeInput(conn.get())) {
      conn.reset();
      continue;
    }
    bool notified = false;
    while (PGnotify* note = PQnotifies(conn.get())) {
      notified = true;
      PQfreemem(note);
    }
    if (notified) {
      std::lock_guard lock(mutex_);
      ++generation_;
      changed_.notify_all();
    }
  }
}

}  // namespace ork::plugins::postgres
