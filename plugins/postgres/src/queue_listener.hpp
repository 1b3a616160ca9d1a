// Wakes waiters when the queue changes: a thread of its own holds one extra
// connection that LISTENs on the `ork_queue` channel (the store NOTIFYs it
// when an attempt is enqueued or completed) and bumps a counter on every
// notification. Idle workers and waiting schedulers block in wait() instead
// of polling. Started on the first wait; reconnects after a server restart.
#pragma once

#include "server_url.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace ork::plugins::postgres {

class QueueListener {
 public:
  explicit QueueListener(ServerUrl url) : url_(std::move(url)) {}
  ~QueueListener();
  QueueListener(const QueueListener&) = delete;
  QueueListener& operator=(const QueueListener&) = delete;

  // Returns when a notification arrives or `timeout` passed.
  void wait(std::chrono::milliseconds timeout);

 private:
  void listen();

  ServerUrl url_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ork::plugins::postgres
