#include "program_lookups.hpp"

namespace ork::plugins::process {

std::optional<std::string> ResolvedPrograms::find(const std::string& where) {
  if (freshness_.count() <= 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto found = entries_.find(where);
  if (found == entries_.end()) return std::nullopt;
  if (Clock::now() - found->second.found_at >= freshness_) {
    entries_.erase(found);
    return std::nullopt;
  }
  return found->second.path;
}

void ResolvedPrograms::remember(const std::string& where, const std::string& path) {
  if (freshness_.count() <= 0) return;
  std::lock_guard lock(mutex_);
  entries_.insert_or_assign(where, Entry{path, Clock::now()});
}

void ResolvedPrograms::forget(const std::string& where) {
  std::lock_guard lock(mutex_);
  entries_.erase(where);
}

}  // namespace ork::plugins::process
