// The scheduler's per-attempt policies: retry backoff (exponential, capped,
// jittered) and the log budget (per-attempt limit, per-line cost, the note).
#include "scheduler/attempt_policy.hpp"

#include <gtest/gtest.h>

namespace ork::host {
namespace {

using std::chrono::milliseconds;

CompiledTask task_with(milliseconds delay, milliseconds cap) {
  CompiledTask task;
  task.retry_delay = delay;
  task.max_retry_delay = cap;
  return task;
}

TEST(RetryBackoff, DoublesEachAttemptWithinTheJitterBand) {
  CompiledTask task = task_with(milliseconds(1000), std::chrono::hours(1));
  for (int failed = 1; failed <= 5; ++failed) {
    const milliseconds full = milliseconds(1000) * (1 << (failed - 1));
    for (int i = 0; i < 200; ++i) {
      milliseconds d = retry_backoff(task, failed);
      EXPECT_GE(d.count(), full.count() * 3 / 4) << "attempt " << failed;
      EXPECT_LE(d.count(), full.count()) << "attempt " << failed;
    }
  }
}

TEST(RetryBackoff, IsCappedByMaxRetryDelayEvenForHugeAttemptCounts) {
  CompiledTask task = task_with(milliseconds(500), milliseconds(4000));
  for (int failed : {4, 5, 10, 40, 1000}) {
    milliseconds d = retry_backoff(task, failed);
    EXPECT_GE(d.count(), 3000);
    EXPECT_LE(d.count(), 4000);
  }
}

TEST(RetryBackoff, ZeroDelayStaysZero) {
  EXPECT_EQ(retry_backoff(task_with(milliseconds(0), std::chrono::hours(1)), 3).count(), 0);
}

TEST(LogBudget, RecordsUntilTheLimitCountingEachLineAndThenDropsEverything) {
  const std::uint64_t limit = log_limit_bytes();
  LogBudget budget;
  const std::size_t line = 1000;
  std::uint64_t taken = 0;
  while (budget.take(line)) ++taken;
  EXPECT_EQ(taken, limit / (line + LogBudget::per_line_cost));
  EXPECT_FALSE(budget.take(1));  // once a line is dropped, later ones are too
  EXPECT_EQ(budget.dropped_lines, 2u);
  EXPECT_EQ(budget.dropped_bytes, line + 1);
  EXPECT_EQ(budget.note(), "2 more lines (1001 bytes) were not recorded: this attempt's output exceeded the log "
                           "limit of " + std::to_string(limit) + " bytes (ORK_LOG_LIMIT_BYTES)");
}

TEST(LogBudget, TinyLinesCostTheirRow) {
  LogBudget budget;
  std::uint64_t taken = 0;
  while (budget.take(1)) ++taken;
  EXPECT_EQ(taken, log_limit_bytes() / (1 + LogBudget::per_line_cost));
}

}  // namespace
}  // namespace ork::host
