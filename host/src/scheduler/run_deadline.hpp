// The time limit of a whole run (`timeout:` of the workflow, `ork run
// --timeout`): a thread of its own sleeps until the deadline and then calls
// `on_expiry` once, which cancels the run as `ork cancel` would. Destroying
// it before the deadline (the run ended) stops the thread without calling
// anything. Used by the run scheduler (run_scheduler.cpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ork::host {

class RunDeadline {
 public:
  // A deadline already past expires at once, in the constructor; `on_expiry`
  // is never called when `deadline` is the max time point (no limit).
  RunDeadline(std::chrono::system_clock::time_point deadline, std::function<void()> on_expiry);
  ~RunDeadline();
  RunDeadline(const RunDeadline&) = delete;
  RunDeadline& operator=(const RunDeadline&) = delete;

 private:
  void wait();

  std::chrono::system_clock::time_point deadline_;
  std::function<void()> on_expiry_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ork::host
