#include "scheduler/run_deadline.hpp"

namespace ork::host {

RunDeadline::RunDeadline(std::chrono::system_clock::time_point deadline, std::function<void()> on_expiry)
    : deadline_(deadline), on_expiry_(std::move(on_expiry)) {
  if (deadline_ == std::chrono::system_clock::time_point::max()) return;
  // Already past (a resumed run): expire here, before any task can start,
  // rather than racing the first attempts from another thread.
  if (deadline_ <= std::chrono::system_clock::now()) {
    on_expiry_();
    return;
  }
  thread_ = std::thread([this] { wait(); });
}

RunDeadline::~RunDeadline() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RunDeadline::wait() {
  std::unique_lock lock(mutex_);
  // The wall clock, not the steady one: a resumed run's deadline comes from
  // the start time recorded in the store by another process.
  if (stop_.wait_until(lock, deadline_, [&] { return stopping_; })) return;
  lock.unlock();
  on_expiry_();
}

}  // namespace ork::host
