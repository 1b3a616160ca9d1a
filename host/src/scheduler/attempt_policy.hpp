// Per-attempt policies of the run scheduler and of `ork worker`: how much of
// an attempt's output is recorded (the log budget, applied by
// attempt_runner.hpp) and how long to wait before a retry (backoff with
// jitter). Plain functions and a small value type, so they can be tested and
// tuned apart from the scheduler's threading.
#pragma once

#include "workflow/compiled.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ork::host {

// How much of one attempt's output is recorded: a task flooding stdout must
// not fill the disk or the memory. The environment variable
// ORK_LOG_LIMIT_BYTES overrides ORK_DEFAULT_ATTEMPT_LOG_BYTES (ork/limits.h).
std::uint64_t log_limit_bytes();

struct LogBudget {
  // Each line also costs a row in the store: count it as 64 bytes more, so a
  // flood of tiny lines stops as soon as a flood of long ones would.
  static constexpr std::uint64_t per_line_cost = 64;

  std::uint64_t recorded_bytes = 0;
  std::uint64_t dropped_lines = 0;
  std::uint64_t dropped_bytes = 0;

  // Whether a line of `bytes` is recorded; once one is dropped, all later are.
  bool take(std::size_t bytes);
  // The system log line that says what was dropped.
  std::string note() const;
};

// Exponential backoff with jitter: retry_delay × 2^(n-1), capped by
// max_retry_delay, then spread over [75%, 100%] of that so that many tasks
// failing together (a flaky service) do not all retry at the same instant.
std::chrono::milliseconds retry_backoff(const CompiledTask& task, int failed_attempts);

}  // namespace ork::host
