#include "scheduler/attempt_policy.hpp"

#include <algorithm>
#include <cstdlib>
#include <random>

#include "ork/limits.h"

namespace ork::host {

std::uint64_t log_limit_bytes() {
  static const std::uint64_t limit = [] {
    if (const char* env = std::getenv("ORK_LOG_LIMIT_BYTES"); env && *env) {
      return static_cast<std::uint64_t>(std::strtoull(env, nullptr, 10));
    }
    return std::uint64_t{ORK_DEFAULT_ATTEMPT_LOG_BYTES};
  }();
  return limit;
}

bool LogBudget::take(std::size_t bytes) {
  const std::uint64_t cost = bytes + per_line_cost;
  if (dropped_lines == 0 && recorded_bytes + cost <= log_limit_bytes()) {
    recorded_bytes += cost;
    return true;
  }
  ++dropped_lines;
  dropped_bytes += bytes;
  return false;
}

std::string LogBudget::note() const {
  return std::to_string(dropped_lines) + " more lines (" + std::to_string(dropped_bytes) +
         " bytes) were not recorded: this attempt's output exceeded the log limit of " +
         std::to_string(log_limit_bytes()) + " bytes (ORK_LOG_LIMIT_BYTES)";
}

std::chrono::milliseconds retry_backoff(const CompiledTask& task, int failed_attempts) {
  using std::chrono::milliseconds;
  milliseconds base = task.retry_delay * (1LL << std::clamp(failed_attempts - 1, 0, 30));
  if (base < milliseconds(0) || base > task.max_retry_delay) base = task.max_retry_delay;
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> spread(0.75, 1.0);
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * spread(rng)));
}

}  // namespace ork::host
