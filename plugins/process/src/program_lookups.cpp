#include "program_lookups.hpp"

namespace ork::plugins::process {

std::optional<std::string> ProgramLookups::problem(std::uint64_t check_pass, const std::string& where,
                                                   const std::function<std::optional<std::string>()>& look_up) {
  if (check_pass == 0) return look_up();
  std::lock_guard lock(mutex_);
  start_pass(check_pass);
  auto found = problems_.find(where);
  if (found != problems_.end()) return found->second;
  return problems_.emplace(where, look_up()).first->second;
}

std::string ProgramLookups::resolved(std::uint64_t check_pass, const std::string& where,
                                     const std::function<std::string()>& look_up) {
  if (check_pass == 0) return look_up();
  std::lock_guard lock(mutex_);
  start_pass(check_pass);
  auto found = resolved_.find(where);
  if (found != resolved_.end()) return found->second;
  return resolved_.emplace(where, look_up()).first->second;
}

CodeIdentity ProgramLookups::identity(std::uint64_t check_pass, const std::string& where,
                                      const std::function<CodeIdentity()>& work_out) {
  if (check_pass == 0) return work_out();
  std::lock_guard lock(mutex_);
  start_pass(check_pass);
  auto found = identities_.find(where);
  if (found != identities_.end()) return found->second;
  return identities_.emplace(where, work_out()).first->second;
}

void ProgramLookups::start_pass(std::uint64_t check_pass) {
  // Another compile's answers may be stale now; one compile at a time is
  // kept (two interleaved compiles only look up more often, never wrongly).
  if (check_pass == check_pass_) return;
  problems_.clear();
  resolved_.clear();
  identities_.clear();
  check_pass_ = check_pass;
}

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
