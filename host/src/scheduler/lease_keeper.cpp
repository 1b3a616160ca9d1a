#include "scheduler/lease_keeper.hpp"

#include <algorithm>
#include <iostream>

namespace ork::host {

LeaseKeeper::LeaseKeeper(Store& store, std::string owner, std::string run_id, std::chrono::milliseconds lease,
                         std::function<void()> on_cancel)
    : store_(store),
      owner_(std::move(owner)),
      run_id_(std::move(run_id)),
      lease_(lease),
      on_cancel_(std::move(on_cancel)) {
  if (store_.supports_ownership() && !owner_.empty()) thread_ = std::thread([this] { keep(); });
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::keep() {
  const auto period = std::max(lease_ / 3, std::chrono::milliseconds(50));
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, period, [&] { return stopping_; })) {
    try {
      auto cancel = store_.renew_leases(owner_, now_millis(), lease_.count());
      if (std::find(cancel.begin(), cancel.end(), run_id_) != cancel.end()) {
        std::cerr << "ork: run " << run_id_ << " was cancelled from elsewhere; stopping\n";
        on_cancel_();
      }
    } catch (const std::exception& e) {
      // The store may be busy or briefly unreachable; the next renewal retries.
      std::cerr << "ork: could not renew the run's lease: " << e.what() << '\n';
    }
  }
}

}  // namespace ork::host
