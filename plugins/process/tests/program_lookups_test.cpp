// The compile-time lookup of a task's program, made once per compile for all
// the tasks that name it (ProgramLookups, ork_task_spec.check_pass).
#include "process_executor.hpp"
#include "program_lookups.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace ork::plugins::process {
namespace {

using testing::argv_config;
using testing::CheckError;
using testing::RecordingCheckSink;
using testing::TempDir;

std::vector<CheckError> check(ProcessExecutor& executor, std::uint64_t check_pass, const std::string& config_json,
                              const std::string& dir, std::vector<std::string_view> env = {}) {
  RecordingCheckSink recorder;
  ork::plugin::TaskSpec spec{"wf", dir + "/wf.yaml", dir, "t", config_json, dir, env, check_pass};
  executor.check(spec, ork::plugin::CheckSink(recorder.c_sink()));
  return recorder.errors();
}

TEST(ProgramLookups, OneLookupPerPlaceAndCompile) {
  ProgramLookups lookups;
  int calls = 0;
  auto missing = [&]() -> std::optional<std::string> {
    ++calls;
    return "missing";
  };
  for (int task = 0; task < 1000; ++task) EXPECT_EQ(lookups.problem(5, "true", missing), "missing");
  EXPECT_EQ(calls, 1) << "1000 tasks naming one program: one lookup";
  EXPECT_EQ(lookups.problem(5, "false", missing), "missing");
  EXPECT_EQ(calls, 2) << "another program is looked up on its own";
  EXPECT_EQ(lookups.problem(6, "true", missing), "missing");
  EXPECT_EQ(calls, 3) << "the next compile looks again";
  lookups.problem(0, "true", missing);
  lookups.problem(0, "true", missing);
  EXPECT_EQ(calls, 5) << "check_pass 0 (an older host) caches nothing";
}

TEST(ProgramLookups, AnswersOfOneCompileAreBounded) {
  CompileMemo<int> memo;
  int calls = 0;
  auto look_up = [&] { return ++calls; };
  EXPECT_EQ(memo.get(3, "first", look_up), 1);
  for (std::size_t i = 1; i < CompileMemo<int>::max_answers; ++i) memo.get(3, "k" + std::to_string(i), look_up);
  EXPECT_EQ(memo.get(3, "first", look_up), 1) << "still remembered at the bound";
  memo.get(3, "one more", look_up);
  EXPECT_EQ(memo.get(3, "first", look_up), calls) << "past the bound it starts over and looks up again";
}

// The PATH a check searches is the task's own, else the host's: a task
// whose env: sets PATH finds its program there and reports that file.
TEST(ProgramLookups, CodeIdentityOfABareNameUsesTheTasksOwnPath) {
  TempDir dir;
  dir.write("tools/ork-lookup-tool", "#!/bin/sh\n", true);
  ProcessExecutor executor;
  RecordingCheckSink recorder;
  const std::string path_entry = "PATH=" + dir.str() + "/tools";
  const std::string config = argv_config({"ork-lookup-tool"});
  const std::string file = dir.str() + "/wf.yaml";
  const std::string folder = dir.str();
  ork::plugin::TaskSpec spec{"wf", file, folder, "t", config, folder, {path_entry}, 9};
  executor.check(spec, ork::plugin::CheckSink(recorder.c_sink()));
  EXPECT_TRUE(recorder.errors().empty());
  ASSERT_TRUE(recorder.code_files().has_value());
  bool found = false;
  for (const std::string& file : *recorder.code_files()) found = found || file.ends_with("tools/ork-lookup-tool");
  EXPECT_TRUE(found) << "the program on the task's PATH is part of its code identity";
}

TEST(ProgramLookups, MissingProgramIsReportedOnEveryTaskThatNamesIt) {
  TempDir dir;
  ProcessExecutor executor;
  const std::string message = "file not found: ./tool (relative to " + dir.str() + ")";
  for (int task = 0; task < 50; ++task) {
    std::vector<CheckError> errors = check(executor, 7, argv_config({"./tool"}), dir.str());
    ASSERT_EQ(errors.size(), 1u) << "task " << task;
    EXPECT_EQ(errors[0].key, "command");
    EXPECT_EQ(errors[0].message, message);
  }
  const std::string not_found = "program not found on PATH: crunchy (PATH=/nonexistent); install it, or give its "
                                "path, e.g. [./bin/crunchy]";
  for (int task = 0; task < 3; ++task) {
    std::vector<CheckError> errors = check(executor, 7, argv_config({"crunchy"}), dir.str(), {"PATH=/nonexistent"});
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].message, not_found);
  }
}

// Within one compile the first answer stands (that is the cache); the next
// compile sees a program installed in between, as `ork serve` must.
TEST(ProgramLookups, ProgramInstalledBetweenCompilesIsFoundByTheNext) {
  TempDir dir;
  ProcessExecutor executor;
  EXPECT_EQ(check(executor, 11, argv_config({"./tool"}), dir.str()).size(), 1u);
  EXPECT_EQ(check(executor, 11, argv_config({"crunchy"}), dir.str(), {"PATH=bin"}).size(), 1u);
  dir.write("tool", "#!/bin/sh\n", true);
  dir.write("bin/crunchy", "#!/bin/sh\n", true);
  EXPECT_EQ(check(executor, 11, argv_config({"./tool"}), dir.str()).size(), 1u) << "looked up once per compile";
  EXPECT_TRUE(check(executor, 12, argv_config({"./tool"}), dir.str()).empty());
  EXPECT_TRUE(check(executor, 12, argv_config({"crunchy"}), dir.str(), {"PATH=bin"}).empty());
  EXPECT_EQ(check(executor, 12, argv_config({"crunchy"}), dir.str(), {"PATH=/nonexistent"}).size(), 1u)
      << "another PATH is another lookup";
  EXPECT_TRUE(check(executor, 0, argv_config({"./tool"}), dir.str()).empty());
}

// The files of a command's code identity (for `cache:`) are found once per
// compile too, and found again by the next compile after a file appears.
TEST(ProgramLookups, CodeFilesAreFoundOncePerCompile) {
  TempDir dir;
  ProcessExecutor executor;
  const std::string root = dir.str();
  const std::string file = root + "/wf.yaml";
  auto code_files = [&](std::uint64_t check_pass, const std::string& config_json) {
    RecordingCheckSink recorder;
    ork::plugin::TaskSpec spec{"wf", file, root, "t", config_json, root, {}, check_pass};
    executor.check(spec, ork::plugin::CheckSink(recorder.c_sink()));
    EXPECT_TRUE(recorder.errors().empty());
    return recorder.code_files().value_or(std::vector<std::string>{"<not reported>"});
  };
  const std::string config = argv_config({"sh", "job.sh"});
  EXPECT_TRUE(code_files(21, config).empty()) << "job.sh does not exist yet";
  dir.write("job.sh", "exit 0\n", false);
  EXPECT_TRUE(code_files(21, config).empty()) << "the same compile keeps its first answer";
  const std::string job = std::filesystem::weakly_canonical(dir.path() / "job.sh").string();
  EXPECT_EQ(code_files(21, argv_config({"sh", "job.sh", "--fast"})), std::vector<std::string>{job})
      << "another command is looked at on its own";
  EXPECT_EQ(code_files(22, config), std::vector<std::string>{job}) << "the next compile sees the new file";
  EXPECT_EQ(code_files(0, config), std::vector<std::string>{job}) << "check_pass 0 caches nothing";
}

}  // namespace
}  // namespace ork::plugins::process
