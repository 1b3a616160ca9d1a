// prepare through the plugin's C ABI, and what it builds run by the built
// library executor: results, failures that stay in their task, rebuilds
// exactly when the sources change, and concurrent prepares of one build.
#include "language_harness.hpp"

#include "ork_test/temp_dir.hpp"
#include "plugin_harness.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

namespace ork::plugins::cpp::testing {
namespace {

using ork::plugins::library::testing::LibraryPlugin;
using ork::plugins::library::testing::RunResult;

class BuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    workflow_ = dir_.path();
    for (const char* name : {"rank.cpp", "scoring.hpp", "crash.cpp"}) copy_task(name, workflow_ / "tasks");
    std::filesystem::create_directories(workflow_ / "build");
  }
  TaskFixture task(const std::string& file, const std::string& function, const std::string& config = "{}") const {
    return TaskFixture{workflow_, "tasks/" + file, function, config, workflow_ / "build"};
  }
  // prepare's executor config, after checking it reported no problem.
  boost::json::object prepare(const TaskFixture& fixture) const {
    LanguageResult result = plugin_.prepare(fixture);
    EXPECT_TRUE(result.errors.empty()) << (result.errors.empty() ? "" : result.errors[0].second);
    EXPECT_TRUE(result.prepared.has_value());
    if (!result.prepared) return {};
    return boost::json::parse(*result.prepared).at("config").as_object();
  }
  static RunResult run(const boost::json::object& config, const std::string& input) {
    ork::plugins::library::testing::RunOptions options;
    options.input = input;
    return LibraryPlugin::get().run(boost::json::serialize(config), options);
  }

  ork::test_support::TempDir dir_{"ork-cpp-test"};
  std::filesystem::path workflow_;
  LanguagePlugin plugin_;
};

TEST_F(BuildTest, PreparedTaskRunsOnTheLibraryExecutor) {
  boost::json::object config = prepare(task("rank.cpp", "rank"));
  EXPECT_EQ(config.at("function"), "ork_task_rank");
  std::filesystem::path library(std::string(config.at("file").as_string()));
  EXPECT_TRUE(library.is_absolute());
  EXPECT_EQ(library.parent_path().parent_path(), workflow_ / "build");
  EXPECT_FALSE(config.contains("isolate"));
  RunResult result = run(config, R"({"items": [{"name": "a", "score": 1.5}, {"name": "b", "score": 7},
                                              {"name": "c", "score": 3, "note": "late"}], "top": 2,
                                    "upstream": {}})");
  ASSERT_EQ(result.outcome, ORK_TASK_SUCCEEDED) << result.error;
  EXPECT_EQ(boost::json::parse(result.output), boost::json::parse(R"({
    "items": [{"name": "b", "score": 7.0, "note": null}, {"name": "c", "score": 3.0, "note": "late"}],
    "positions": {"b": 1, "c": 2}})"));
}

TEST_F(BuildTest, DefaultArgumentsApplyWhenInputsAreAbsent) {
  boost::json::object config = prepare(task("rank.cpp", "text::shout"));
  EXPECT_EQ(config.at("function"), "ork_task_text__shout");
  RunResult defaults = run(config, R"({"word": "hey"})");
  ASSERT_EQ(defaults.outcome, ORK_TASK_SUCCEEDED) << defaults.error;
  EXPECT_EQ(defaults.output, R"("heyhey!")");
  RunResult given = run(config, R"({"word": "ho", "times": 3, "suffix": "?"})");
  ASSERT_EQ(given.outcome, ORK_TASK_SUCCEEDED) << given.error;
  EXPECT_EQ(given.output, R"("hohoho?")");
  RunResult gap = run(config, R"({"word": "ho", "suffix": "?"})");
  EXPECT_EQ(gap.outcome, ORK_TASK_FAILED);
  EXPECT_NE(gap.error.find("input 'suffix' is given but 'times' is not"), std::string::npos) << gap.error;
}

TEST_F(BuildTest, WrongInputFailsTheTaskNamingTheField) {
  boost::json::object config = prepare(task("rank.cpp", "rank"));
  RunResult result = run(config, R"({"items": [{"name": "a", "score": "high"}], "top": 1})");
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_NE(result.error.find("field \"items[0].score\": expected float, got string"), std::string::npos) << result.error;
}

TEST_F(BuildTest, ExceptionInUserCodeFailsOnlyThatTask) {
  boost::json::object config = prepare(task("crash.cpp", "fail"));
  RunResult failed = run(config, R"({"x": 3})");
  EXPECT_EQ(failed.outcome, ORK_TASK_FAILED);
  EXPECT_NE(failed.error.find("x must not be positive, got 3"), std::string::npos) << failed.error;
  RunResult fine = run(config, R"({"x": -3})");
  ASSERT_EQ(fine.outcome, ORK_TASK_SUCCEEDED) << fine.error;
  EXPECT_EQ(fine.output, "-3");
}

TEST_F(BuildTest, CrashWithIsolateFailsOnlyThatTask) {
  boost::json::object config = prepare(task("crash.cpp", "segfault", R"({"isolate": true})"));
  EXPECT_EQ(config.at("isolate"), true);
  RunResult crashed = run(config, R"({"x": 1})");
  EXPECT_EQ(crashed.outcome, ORK_TASK_FAILED);
  EXPECT_FALSE(crashed.error.empty());
  // The executor (and this process) lives on: another task still runs.
  boost::json::object other = prepare(task("crash.cpp", "fail", R"({"isolate": true})"));
  RunResult fine = run(other, R"({"x": -1})");
  ASSERT_EQ(fine.outcome, ORK_TASK_SUCCEEDED) << fine.error;
}

struct BuildStamp {
  std::string file;
  ino_t inode = 0;
  std::int64_t mtime_ns = 0;
};

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

BuildStamp stamp(const boost::json::object& config) {
  BuildStamp s;
  s.file = std::string(config.at("file").as_string());
  struct stat info {};
  if (::stat(s.file.c_str(), &info) == 0) {
    s.inode = info.st_ino;
    s.mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  }
  return s;
}

TEST_F(BuildTest, UnchangedTaskIsNeverRebuilt) {
  BuildStamp first = stamp(prepare(task("rank.cpp", "rank")));
  // A fresh state, as a new `ork` process has: the tools' versions come from
  // the build directory's .toolchain.json instead of two process starts.
  LanguagePlugin fresh;
  LanguageResult introspected = fresh.introspect(task("rank.cpp", "rank"));
  BuildStamp again = stamp(prepare(task("rank.cpp", "rank")));
  boost::json::object versions = boost::json::parse(read(workflow_ / "build" / ".toolchain.json")).as_object();
  ASSERT_EQ(versions.size(), 2u);
  ASSERT_TRUE(introspected.signature.has_value());
  EXPECT_EQ(again.file, first.file);
  EXPECT_EQ(again.inode, first.inode);
  EXPECT_EQ(again.mtime_ns, first.mtime_ns);
  // The same file, never rewritten: the build was found, not made again
  // (how fast finding it is, bench/cpp_bench.py measures).
  // The only entry besides the build: nothing half-written left behind.
  std::size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(workflow_ / "build")) entries += entry.is_directory();
  EXPECT_EQ(entries, 1u);
}

TEST_F(BuildTest, ChangedSourceOrLocalHeaderIsRebuilt) {
  std::string input = R"({"items": [{"name": "a", "score": 1}, {"name": "b", "score": 2}], "top": 1})";
  boost::json::object first = prepare(task("rank.cpp", "rank"));
  RunResult before = run(first, input);
  ASSERT_EQ(before.outcome, ORK_TASK_SUCCEEDED) << before.error;
  EXPECT_NE(before.output.find(R"("name":"b")"), std::string::npos);
  // The header the task includes now ranks low scores first.
  write_file(workflow_ / "tasks" / "scoring.hpp",
             "#pragma once\nnamespace scoring {\ninline double weight(double score) { return -score; }\n}\n");
  boost::json::object second = prepare(task("rank.cpp", "rank"));
  EXPECT_NE(second.at("file"), first.at("file"));
  RunResult after = run(second, input);
  ASSERT_EQ(after.outcome, ORK_TASK_SUCCEEDED) << after.error;
  EXPECT_NE(after.output.find(R"("name":"a")"), std::string::npos) << after.output;
  // A change of the task file itself: a new parameter shows in the signature.
  std::string source;
  {
    std::ifstream in(workflow_ / "tasks" / "crash.cpp");
    source.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  boost::json::object old_fail = prepare(task("crash.cpp", "fail"));
  std::size_t at = source.find("std::int64_t fail(std::int64_t x)");
  source.replace(at, 34, "std::int64_t fail(std::int64_t x, bool loud)");
  write_file(workflow_ / "tasks" / "crash.cpp", source);
  LanguageResult changed = plugin_.introspect(task("crash.cpp", "fail"));
  ASSERT_TRUE(changed.signature.has_value()) << (changed.errors.empty() ? "" : changed.errors[0].second);
  EXPECT_EQ(boost::json::parse(*changed.signature).at("inputs"), boost::json::parse(R"({"x": "int", "loud": "bool"})"));
  EXPECT_NE(prepare(task("crash.cpp", "fail")).at("file"), old_fail.at("file"));
}

TEST_F(BuildTest, ConcurrentPreparesOfOneTaskShareOneCompleteBuild) {
  std::vector<LanguageResult> results(3);
  std::vector<std::thread> threads;
  for (LanguageResult& result : results) {
    threads.emplace_back([&] { result = plugin_.prepare(task("crash.cpp", "fail")); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const LanguageResult& result : results) {
    ASSERT_TRUE(result.prepared.has_value()) << (result.errors.empty() ? "" : result.errors[0].second);
    EXPECT_EQ(*result.prepared, *results[0].prepared);
  }
  boost::json::object config = boost::json::parse(*results[0].prepared).at("config").as_object();
  RunResult fine = run(config, R"({"x": 0})");
  ASSERT_EQ(fine.outcome, ORK_TASK_SUCCEEDED) << fine.error;
  std::size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(workflow_ / "build")) entries += entry.is_directory();
  EXPECT_EQ(entries, 1u);  // the losers' temporary directories are gone
}

TEST_F(BuildTest, BuildFailureShowsTheCompilersFirstError) {
  // clang accepts what g++ refuses here (a GNU extension clang lacks is the
  // rarer case), so a g++-only error is made with #error under __GNUC__ && !__clang__.
  write_file(workflow_ / "tasks" / "gcc_only.cpp",
             "// fails with g++ only\n#include <cstdint>\n#if defined(__GNUC__) && !defined(__clang__)\n"
             "#error this task does not build with g++\n#endif\nstd::int64_t f(std::int64_t x) { return x; }\n");
  LanguageResult result = plugin_.prepare(task("gcc_only.cpp", "f"));
  EXPECT_FALSE(result.prepared.has_value());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].first, "file");
  EXPECT_EQ(result.errors[0].second.rfind("tasks/gcc_only.cpp:4:2: error: #error this task does not build with g++", 0),
            0u)
      << result.errors[0].second;
}

}  // namespace
}  // namespace ork::plugins::cpp::testing
