#include "scheduler/slots.hpp"


namespace ork::host {

SlotRegistry& SlotRegistry::instance() {
  static SlotRegistry registry;
  return registry;
}

bool SlotRegistry::try_acquire(const std::string& key, int limit) {
  std::lock_guard lock(mutex_);
  int& taken = taken_[key];
  if (taken >= limit) return false;
  ++taken;
  return true;
}

void SlotRegistry::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = taken_.find(key); it != taken_.end() && it->second > 0) --it->second;
}

}  // namespace ork::host
