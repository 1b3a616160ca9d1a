// prepare through the plugin's C ABI, then what it built run through the
// built library executor plugin, as the host does: results, bound inputs,
// failures (Err, panic, abort under isolate) that fail only their task, a
// build failure at the compiler's FILE:LINE:COL, and the cache: no rebuild of
// an unchanged task (and a cheap prepare), a rebuild after a change, and the
// one line on stderr that says a build is under way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ork_test/temp_dir.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "language_harness.hpp"
#include "plugin_harness.hpp"

namespace ork::plugins::rust::testing {
namespace {

using library::testing::LibraryPlugin;
using library::testing::RunOptions;
using library::testing::RunResult;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// prepare's config for the executor, failing the test on errors.
boost::json::object prepared(const TaskOptions& task) {
  Answer answer = RustPlugin::get().prepare(task);
  EXPECT_TRUE(answer.errors.empty()) << answer.errors.front().second;
  if (!answer.prepared) return {};
  return boost::json::parse(*answer.prepared).as_object().at("config").as_object();
}

RunResult run(const boost::json::object& config, const std::string& input) {
  return LibraryPlugin::get().run(boost::json::serialize(config), RunOptions{input, {}, 0});
}

boost::json::object prepared_fixture(const std::string& function, const std::string& config_json = "{}") {
  return prepared(fixture("score.rs", function, config_json));
}

TEST(Prepare, AnswersTheLibraryExecutorsConfig) {
  boost::json::object config = prepared_fixture("score");
  EXPECT_EQ(config.at("function"), "ork_task_run");
  std::filesystem::path library(std::string(config.at("file").as_string()));
  EXPECT_TRUE(library.is_absolute());
  EXPECT_TRUE(std::filesystem::is_regular_file(library));
  EXPECT_EQ(library.parent_path().parent_path(), std::filesystem::path(shared_build_dir()));
  EXPECT_FALSE(config.contains("isolate"));
  EXPECT_EQ(prepared_fixture("score", R"({"isolate": true})").at("isolate"), true);
}

TEST(Prepare, TheBuiltLibraryReportsTheSameSignature) {
  boost::json::object config = prepared_fixture("score");
  library::testing::CheckResult check = LibraryPlugin::get().check(boost::json::serialize(config));
  ASSERT_TRUE(check.errors.empty()) << check.errors.front().second;
  ASSERT_TRUE(check.signature.has_value());
  EXPECT_EQ(boost::json::parse(*check.signature),
            boost::json::parse(*RustPlugin::get().introspect(fixture("score.rs", "score")).signature));
}

TEST(Run, ThePlainFunctionRunsInProcess) {
  RunResult result = run(prepared_fixture("score"), R"({"name": "ada", "points": [1, 2, 3, 6], "upstream": {}})");
  ASSERT_EQ(result.outcome, ORK_TASK_SUCCEEDED) << result.error;
  EXPECT_EQ(boost::json::parse(result.output), boost::json::parse(R"({"name": "ada", "total": 12, "ratio": 3.0})"));
}

TEST(Run, InputsBindByNameFromUpstreamAndBorrowedStrAndOptionDefaults) {
  boost::json::object config = prepared_fixture("greet");
  EXPECT_EQ(run(config, R"({"who": "ork", "upstream": {}})").output, R"("hello ork!")");
  EXPECT_EQ(run(config, R"({"punctuation": "?", "upstream": {"who": "rust"}})").output, R"("hello rust?")");
  RunResult rows = run(prepared_fixture("count_ids"), R"({"rows": [{"id": 1, "note": "x", "extra": 2}, {"id": 2}]})");
  ASSERT_EQ(rows.outcome, ORK_TASK_SUCCEEDED) << rows.error;
  EXPECT_EQ(rows.output, "1");
}

TEST(Run, AnOnlyStructParameterTakesTheWholeInputUnlessBoundByName) {
  boost::json::object config = prepared_fixture("order_total");
  RunResult whole = run(config, R"({"id": 2, "quantities": [3, 4], "upstream": {"other": 1}})");
  ASSERT_EQ(whole.outcome, ORK_TASK_SUCCEEDED) << whole.error;
  EXPECT_EQ(whole.output, "2007");
  EXPECT_EQ(run(config, R"({"order": {"id": 1, "quantities": [5]}})").output, "1005");
  EXPECT_EQ(run(config, R"({"upstream": {"order": {"id": 3, "quantities": []}}})").output, "3000");
}

TEST(Run, AWrongInputFailsNamingTheParameter) {
  RunResult result = run(prepared_fixture("score"), R"({"name": "ada", "points": "many"})");
  EXPECT_EQ(result.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(result.error, HasSubstr("cannot convert input 'points' to alloc::vec::Vec<i64>"));
}

TEST(Run, AnErrFailsTheTaskWithItsMessage) {
  boost::json::object config = prepared_fixture("checked_half");
  EXPECT_EQ(run(config, R"({"value": 8})").output, "4");
  RunResult odd = run(config, R"({"value": 7})");
  EXPECT_EQ(odd.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(odd.error, "ork task failed: 7 is odd");
}

TEST(Crash, APanicFailsOnlyThatTask) {
  RunResult crashed = run(prepared_fixture("explode"), R"({"reason": "user code broke"})");
  EXPECT_EQ(crashed.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(crashed.error, "ork task panicked: user code broke");
  // The host process and the other tasks carry on.
  EXPECT_EQ(run(prepared_fixture("checked_half"), R"({"value": 2})").outcome, ORK_TASK_SUCCEEDED);
}

TEST(Crash, AnAbortUnderIsolateFailsOnlyThatTask) {
  boost::json::object config = prepared_fixture("abort_process", R"({"isolate": true})");
  RunResult crashed = run(config, R"({"code": 1})");
  EXPECT_EQ(crashed.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(crashed.error, HasSubstr("SIGABRT"));
  RunResult fine = run(config, R"({"code": -3})");
  ASSERT_EQ(fine.outcome, ORK_TASK_SUCCEEDED) << fine.error;
  EXPECT_EQ(fine.output, "-3");
}

TEST(BuildFailure, ReportsTheCompilersFirstErrorAtItsLocation) {
  Answer answer = RustPlugin::get().prepare(fixture("type_error.rs", "add"));
  EXPECT_FALSE(answer.prepared.has_value());
  ASSERT_EQ(answer.errors.size(), 1u);
  EXPECT_EQ(answer.errors[0].first, "file");
  EXPECT_THAT(answer.errors[0].second, StartsWith("type_error.rs:5:10: error[E0277]: cannot add `&str` to `i64`"));
}

// A task file of its own, with content no other test has (a fresh build).
class Cache : public ::testing::Test {
 protected:
  void write(const std::string& body) {
    std::ofstream(dir_.path() / "task.rs") << "// " << ::testing::UnitTest::GetInstance()->random_seed() << " "
                                           << std::chrono::system_clock::now().time_since_epoch().count() << "\n"
                                           << body;
  }
  TaskOptions task() const {
    TaskOptions task = fixture("task.rs", "value");
    task.workflow_dir = dir_.str();
    return task;
  }

  ork::test_support::TempDir dir_{"ork-rust-cache"};
};

TEST_F(Cache, AnUnchangedTaskIsNotRebuiltAndItsPrepareIsCheap) {
  write("pub fn value() -> i64 { 1 }\n");
  std::filesystem::path library(std::string(prepared(task()).at("file").as_string()));
  auto built_at = std::filesystem::last_write_time(library);
  std::vector<double> costs;
  for (int i = 0; i < 20; ++i) {
    auto start = std::chrono::steady_clock::now();
    boost::json::object again = prepared(task());
    costs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    EXPECT_EQ(again.at("file").as_string(), library.string());
  }
  EXPECT_EQ(std::filesystem::last_write_time(library), built_at);
  std::sort(costs.begin(), costs.end());
  EXPECT_LT(costs[costs.size() / 2], 5.0) << "median warm prepare in ms";
}

// A build can take a minute: the user is told, once, before it starts; a
// cached task says nothing.
TEST_F(Cache, ABuildThatIsNotCachedSaysSoInOneLine) {
  write("pub fn value() -> i64 { 3 }\n");
  ::testing::internal::CaptureStderr();
  boost::json::object first = prepared(task());
  const std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(said, StartsWith("ork: rust: building task.rs (function value) with cargo"));
  EXPECT_EQ(std::count(said.begin(), said.end(), '\n'), 1) << said;
  ::testing::internal::CaptureStderr();
  boost::json::object again = prepared(task());
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(again.at("file"), first.at("file"));
}

TEST_F(Cache, AChangedTaskIsRebuilt) {
  write("pub fn value() -> i64 { 1 }\n");
  boost::json::object first = prepared(task());
  EXPECT_EQ(run(first, "{}").output, "1");
  write("pub fn value() -> i64 { 2 }\n");
  boost::json::object second = prepared(task());
  EXPECT_NE(second.at("file"), first.at("file"));
  EXPECT_EQ(run(second, "{}").output, "2");
}

TEST_F(Cache, AChangedModFileIsRebuilt) {
  std::ofstream(dir_.path() / "helper.rs") << "pub fn base() -> i64 { 10 }\n";
  write("mod helper;\npub fn value() -> i64 { helper::base() + 1 }\n");
  boost::json::object first = prepared(task());
  EXPECT_EQ(run(first, "{}").output, "11");
  std::ofstream(dir_.path() / "helper.rs") << "pub fn base() -> i64 { 20 }\n";
  boost::json::object second = prepared(task());
  EXPECT_NE(second.at("file"), first.at("file"));
  EXPECT_EQ(run(second, "{}").output, "21");
}

}  // namespace
}  // namespace ork::plugins::rust::testing
