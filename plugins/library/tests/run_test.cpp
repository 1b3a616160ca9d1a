// run_task in-process through the plugin's C ABI: results, every failure the
// task ABI allows, concurrent calls, timeouts, cancellation and reloading a
// library replaced on disk.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <latch>
#include <thread>
#include <vector>

#include "plugin_harness.hpp"

namespace ork::plugins::library::testing {
namespace {

using namespace std::chrono_literals;

RunResult run(const std::string& config, const RunOptions& options = {}) {
  RunResult result = LibraryPlugin::get().run(config, options);
  EXPECT_EQ(result.status, ORK_STATUS_OK) << result.error;
  EXPECT_EQ(result.finish_calls, 1);
  return result;
}

RunResult run_with_input(const std::string& config, const std::string& input) {
  RunOptions options;
  options.input = input;
  return run(config, options);
}

TEST(Run, ReturnsTheFunctionsJson) {
  RunResult result = run_with_input(R"({"file": "basic.so"})", R"({"n": 1, "upstream": {}})");
  EXPECT_EQ(result.outcome, ORK_TASK_SUCCEEDED) << result.error;
  EXPECT_EQ(result.output, R"({"echo":{"n": 1, "upstream": {}}})");
}

TEST(Run, CallsTheNamedFunction) {
  RunResult result = run_with_input(R"({"file": "basic.so", "function": "length_of"})", "{}");
  EXPECT_EQ(result.outcome, ORK_TASK_SUCCEEDED) << result.error;
  EXPECT_EQ(result.output, "2");
}

TEST(Run, NullResultFailsWithTheLastError) {
  RunResult result = run(R"({"file": "basic.so", "function": "fails_with_message"})");
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(result.error, "the numbers do not add up");
}

TEST(Run, NullResultWithoutLastErrorSaysSo) {
  RunResult result = run_with_input(R"({"file": "minimal.so"})", R"({"mode": "fail"})");
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(result.error, "library function ork_task_run returned NULL (no ork_task_last_error exported)");
  EXPECT_EQ(run(R"({"file": "minimal.so"})").output, "1");
}

TEST(Run, InvalidJsonResultFailsWithTheParseError) {
  RunResult result = run(R"({"file": "basic.so", "function": "returns_invalid_json"})");
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_TRUE(result.error.starts_with("library function returns_invalid_json returned invalid JSON ("))
      << result.error;
  EXPECT_TRUE(result.error.ends_with("; it returned: {not json)")) << result.error;
}

TEST(Run, OrkOutputPrefixIsStripped) {
  RunResult ok = run(R"({"file": "basic.so", "function": "prefixed"})");
  EXPECT_EQ(ok.outcome, ORK_TASK_SUCCEEDED) << ok.error;
  EXPECT_EQ(ok.output, R"({"sum": 6})");
  RunResult bad = run_with_input(R"({"file": "basic.so", "function": "prefixed"})", R"({"mode": "bad"})");
  EXPECT_EQ(bad.outcome, ORK_TASK_FAILED);
  EXPECT_TRUE(bad.error.ends_with("; it returned: {not json)")) << bad.error;
}

TEST(Run, MissingLibraryFailsTheTask) {
  RunResult result = run(R"({"file": "gone.so"})");
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_TRUE(result.error.starts_with("task library not found: ")) << result.error;
}

TEST(Run, MissingFunctionFailsTheTask) {
  RunResult result = run(R"({"file": "basic.so", "function": "nope"})");
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_NE(result.error.find("exports no function `nope`"), std::string::npos) << result.error;
}

TEST(Run, SdkTaskConvertsInputsAndReportsErrors) {
  RunResult ok = run_with_input(R"({"file": "sdk_task.so"})", R"({"numbers": [1, 2, 3], "upstream": {}})");
  EXPECT_EQ(ok.outcome, ORK_TASK_SUCCEEDED) << ok.error;
  EXPECT_EQ(ok.output, R"({"total":6,"count":3})");
  RunResult thrown = run_with_input(R"({"file": "sdk_task.so"})", R"({"numbers": []})");
  EXPECT_EQ(thrown.error, "nothing to sum: `numbers` is empty");
  RunResult wrong = run_with_input(R"({"file": "sdk_task.so"})", R"({"numbers": "1,2"})");
  EXPECT_EQ(wrong.error, "ork task input: field \"numbers\": expected list[int], got string");
  RunResult greet = run_with_input(R"({"file": "sdk_task.so", "function": "greet"})", R"({"name": "ork"})");
  EXPECT_EQ(greet.output, R"("hello ork")");
}

TEST(Run, OneFunctionIsCalledConcurrentlyFromEightThreads) {
  constexpr int threads = 8;
  std::latch start(threads);
  std::vector<RunResult> results(threads);
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      start.arrive_and_wait();
      results[static_cast<std::size_t>(i)] = run(R"({"file": "basic.so", "function": "counts_overlap"})");
    });
  }
  for (std::thread& t : workers) t.join();
  int most = 0;
  for (const RunResult& r : results) {
    ASSERT_EQ(r.outcome, ORK_TASK_SUCCEEDED) << r.error;
    most = std::max(most, std::stoi(r.output));
  }
  // Each call holds 20 ms; eight released together cannot all run alone.
  EXPECT_GE(most, 2);
}

TEST(Run, ConcurrentSdkCallsKeepTheirOwnResultsAndErrors) {
  constexpr int threads = 8;
  std::vector<std::thread> workers;
  std::atomic<int> wrong{0};
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      for (int n = 0; n < 25; ++n) {
        bool fail = (n + i) % 3 == 0;
        std::string input = fail ? R"({"numbers": []})" : R"({"numbers": [)" + std::to_string(i) + ", " +
                                                              std::to_string(n) + "]}";
        RunResult r = LibraryPlugin::get().run(R"({"file": "sdk_task.so"})", RunOptions{input, {}, 0});
        std::string expected = R"({"total":)" + std::to_string(i + n) + R"(,"count":2})";
        if (fail ? r.error != "nothing to sum: `numbers` is empty" : r.output != expected) ++wrong;
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Run, TimeoutAbandonsTheInProcessCall) {
  auto started = std::chrono::steady_clock::now();
  RunResult result = run(R"({"file": "basic.so", "function": "sleeps"})", RunOptions{"{}", 200ms, 0});
  EXPECT_EQ(result.outcome, ORK_TASK_TIMED_OUT);
  EXPECT_EQ(result.error, "timed out after 200ms (in-process call was left to finish)");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
}

TEST(Run, CancelAbandonsACallThatHasATimeout) {
  LibraryPlugin& plugin = LibraryPlugin::get();
  std::uint64_t token = plugin.next_token();
  auto started = std::chrono::steady_clock::now();
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    plugin.cancel(token);
  });
  RunResult result = run(R"({"file": "basic.so", "function": "sleeps"})", RunOptions{"{}", 60s, token});
  canceller.join();
  EXPECT_EQ(result.outcome, ORK_TASK_CANCELLED);
  EXPECT_EQ(result.error, "cancelled (the in-process library call was left to finish)");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
}

TEST(Run, CancelOfADirectCallIsReportedWhenItReturns) {
  LibraryPlugin& plugin = LibraryPlugin::get();
  std::uint64_t token = plugin.next_token();
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    plugin.cancel(token);
  });
  RunResult result = run(R"({"file": "basic.so", "function": "sleeps"})", RunOptions{"{}", 0ms, token});
  canceller.join();
  EXPECT_EQ(result.outcome, ORK_TASK_CANCELLED);
  EXPECT_EQ(result.error, "cancelled (an in-process library call cannot be interrupted; it ran to its end)");
}

TEST(Run, LibraryReplacedOnDiskIsLoadedAnew) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("ork_library_reload_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path target = dir / "libreload.so";
  std::filesystem::copy_file(task_libs_dir() + "/reload_v1.so", target,
                             std::filesystem::copy_options::overwrite_existing);
  std::string config = R"({"file": ")" + target.string() + R"("})";
  EXPECT_EQ(run(config).output, "1");
  // Replace it the way a linker does (a new file renamed over the old one),
  // with a clearly different modification time.
  std::filesystem::copy_file(task_libs_dir() + "/reload_v2.so", dir / "next.so");
  std::filesystem::last_write_time(dir / "next.so", std::filesystem::last_write_time(target) + 5s);
  std::filesystem::rename(dir / "next.so", target);
  EXPECT_EQ(run(config).output, "2");
  EXPECT_EQ(run(config).output, "2");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ork::plugins::library::testing
