// Keeps a run owned while it executes: renews the owner's lease every
// lease/3 on a thread of its own and calls `on_cancel` when another process
// asked, through the store, to cancel the run. A no-op with a store that
// predates run ownership (plugin API 1.0). Used by the run scheduler.
#pragma once

#include "store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ork::host {

class LeaseKeeper {
 public:
  LeaseKeeper(Store& store, std::string owner, std::string run_id, std::chrono::milliseconds lease,
              std::function<void()> on_cancel);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

 private:
  void keep();

  Store& store_;
  std::string owner_;
  std::string run_id_;
  std::chrono::milliseconds lease_;
  std::function<void()> on_cancel_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ork::host
