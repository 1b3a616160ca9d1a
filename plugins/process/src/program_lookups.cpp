#include "program_lookups.hpp"

namespace ork::plugins::process {

std::optional<std::string> ProgramLookups::problem(std::uint64_t check_pass, const std::string& where,
                                                   const std::function<std::optional<std::string>()>& look_up) {
  if (check_pass == 0) return look_up();
  std::lock_guard lock(mutex_);
  // Another compile's answers may be stale now; one compile at a time is
  // kept (two interleaved compiles only look up more often, never wrongly).
  if (check_pass != check_pass_) {
    problems_.clear();
    check_pass_ = check_pass;
  }
  auto found = problems_.find(where);
  if (found != problems_.end()) return found->second;
  return problems_.emplace(where, look_up()).first->second;
}

}  // namespace ork::plugins::process
