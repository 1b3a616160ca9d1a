// `isolate: true` through the plugin's C ABI: calls in warm worker processes,
// their logs, and crashes, timeouts and cancellations that kill only the
// worker.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "plugin_harness.hpp"
#include "worker_pool.hpp"

namespace ork::plugins::library::testing {
namespace {

using namespace std::chrono_literals;

std::string isolated(const std::string& function) {
  return R"({"file": "basic.so", "isolate": true, "function": ")" + function + R"("})";
}

RunResult run(const std::string& config, const RunOptions& options = {}) {
  RunResult result = LibraryPlugin::get().run(config, options);
  EXPECT_EQ(result.status, ORK_STATUS_OK) << result.error;
  EXPECT_EQ(result.finish_calls, 1);
  return result;
}

TEST(Isolate, RunsTheCallInAWorker) {
  RunResult result = run(isolated("ork_task_run"), RunOptions{R"({"a": [1, 2]})", {}, 0});
  EXPECT_EQ(result.outcome, ORK_TASK_SUCCEEDED) << result.error;
  EXPECT_EQ(result.output, R"({"echo":{"a": [1, 2]}})");
}

TEST(Isolate, ForwardsTheWorkersOutputAsLogLines) {
  RunResult result = run(isolated("prints"));
  EXPECT_EQ(result.outcome, ORK_TASK_SUCCEEDED) << result.error;
  // Each stream keeps its order; how the two interleave depends on stdio buffering.
  std::vector<std::string> out, err;
  for (const auto& [stream, line] : result.logs) (stream == ORK_LOG_STDOUT ? out : err).push_back(line);
  EXPECT_EQ(out, std::vector<std::string>{"to stdout"});
  EXPECT_EQ(err, (std::vector<std::string>{"to stderr", "no newline"}));
}

TEST(Isolate, ReportsFailuresLikeInProcess) {
  EXPECT_EQ(run(isolated("fails_with_message")).error, "the numbers do not add up");
  EXPECT_TRUE(run(isolated("returns_invalid_json")).error.starts_with("library function returns_invalid_json returned"));
  EXPECT_NE(run(isolated("nope")).error.find("exports no function `nope`"), std::string::npos);
}

TEST(Isolate, SegfaultFailsOnlyThatTaskWhileASiblingSucceeds) {
  RunResult crashed, sibling;
  std::thread crashing([&] { crashed = run(isolated("crashes")); });
  std::thread sibling_thread([&] { sibling = run(isolated("counts_overlap")); });
  crashing.join();
  sibling_thread.join();
  EXPECT_EQ(crashed.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(crashed.error, "library worker died: killed by signal SIGSEGV (11) while running crashes from " +
                               task_libs_dir() + "/basic.so");
  EXPECT_EQ(sibling.outcome, ORK_TASK_SUCCEEDED) << sibling.error;
  // The host is alive (this test runs in it) and the next call gets a new worker.
  EXPECT_EQ(run(isolated("length_of"), RunOptions{"{}", {}, 0}).output, "2");
}

TEST(Isolate, TimeoutKillsTheWorker) {
  auto started = std::chrono::steady_clock::now();
  RunResult result = run(isolated("sleeps"), RunOptions{"{}", 300ms, 0});
  EXPECT_EQ(result.outcome, ORK_TASK_TIMED_OUT);
  EXPECT_EQ(result.error, "timed out after 300ms (the library worker was killed)");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
  EXPECT_EQ(run(isolated("length_of"), RunOptions{"{}", {}, 0}).output, "2");
}

TEST(Isolate, CancelKillsTheWorker) {
  LibraryPlugin& plugin = LibraryPlugin::get();
  std::uint64_t token = plugin.next_token();
  auto started = std::chrono::steady_clock::now();
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    plugin.cancel(token);
  });
  RunResult result = run(isolated("sleeps"), RunOptions{"{}", {}, token});
  canceller.join();
  EXPECT_EQ(result.outcome, ORK_TASK_CANCELLED);
  EXPECT_EQ(result.error, "cancelled (the library worker was killed)");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
}

TEST(Isolate, CancelOfAnUnknownTokenIsIgnored) {
  LibraryPlugin& plugin = LibraryPlugin::get();
  std::uint64_t token = plugin.next_token();
  // Unknown tokens are ignored, so this cancel is a no-op and the run succeeds.
  plugin.cancel(token);
  EXPECT_EQ(run(isolated("length_of"), RunOptions{"{}", {}, token}).outcome, ORK_TASK_SUCCEEDED);
}

TEST(Isolate, WorkerExecutableCanBeOverridden) {
  ::setenv("ORK_LIBRARY_WORKER", "/opt/elsewhere/ork-library-worker", 1);
  EXPECT_EQ(worker_executable(), "/opt/elsewhere/ork-library-worker");
  ::unsetenv("ORK_LIBRARY_WORKER");
}

}  // namespace
}  // namespace ork::plugins::library::testing
