// Process-wide limits shared by every run executing in this process (`ork
// serve` runs many at once): named pools (`pools: {gpu: 1}` + `pool: gpu`)
// and a task's `max_concurrency` across runs. A scheduler takes a slot before
// starting a task and gives it back when the attempt ends. A scheduler whose
// ready tasks all wait for slots re-checks every 50 ms: slot waits are rare
// and off the hot path, and a timed re-check cannot lose a wake-up between
// runs that share nothing else.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace ork::host {

class SlotRegistry {
 public:
  static SlotRegistry& instance();

  // Takes one slot of `key` if fewer than `limit` are taken.
  bool try_acquire(const std::string& key, int limit);
  void release(const std::string& key);

 private:
  std::mutex mutex_;
  std::map<std::string, int> taken_;
};

}  // namespace ork::host
