// The `command` key: parsing, and the compile-time check of a process task.
#include "command.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace ork::plugins::process {
namespace {

using testing::argv_config;
using testing::CheckError;
using testing::RecordingCheckSink;
using testing::shell_config;
using testing::TempDir;

// `env`: the task's `env:` entries ("KEY=VALUE"); `workdir`: its `workdir:` ("" = the workflow's directory).
std::vector<CheckError> check(const std::string& config_json, const std::string& workflow_dir,
                              std::vector<std::string_view> env = {}, std::string_view workdir = {}) {
  ProcessExecutor executor;
  RecordingCheckSink recorder;
  ork::plugin::TaskSpec spec{"wf", workflow_dir + "/wf.yaml", workflow_dir, "crunch", config_json, workdir, env};
  executor.check(spec, ork::plugin::CheckSink(recorder.c_sink()));
  EXPECT_EQ(recorder.signature_calls(), 0) << "the process executor has no signature of its own";
  return recorder.errors();
}

void expect_single_error(const std::vector<CheckError>& errors, const std::string& key, const std::string& message) {
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].key, key);
  EXPECT_EQ(errors[0].message, message);
}

TEST(ParseCommand, ArgvListIsRunWithoutShell) {
  auto parsed = parse_command(R"({"command": ["./bin/crunch", "--fast", "a b"]})");
  const Command& command = std::get<Command>(parsed);
  EXPECT_EQ(command.argv, (std::vector<std::string>{"./bin/crunch", "--fast", "a b"}));
  EXPECT_FALSE(command.via_shell);
}

TEST(ParseCommand, StringIsRunByShell) {
  auto parsed = parse_command(R"({"command": "echo hi | tr a-z A-Z"})");
  const Command& command = std::get<Command>(parsed);
  EXPECT_EQ(command.argv, (std::vector<std::string>{"/bin/sh", "-c", "echo hi | tr a-z A-Z"}));
  EXPECT_TRUE(command.via_shell);
}

TEST(ParseCommand, RejectsConfigThatIsNotAnObject) {
  EXPECT_THROW(parse_command("[1,2]"), std::invalid_argument);
  EXPECT_THROW(parse_command("{oops"), std::invalid_argument);
}

TEST(CheckTask, MissingCommandIsReportedOnTheTask) {
  TempDir dir;
  expect_single_error(check("{}", dir.str()), "",
                      "process task needs \"command\": an argv list such as [./bin/tool, --fast], or a string run "
                      "by /bin/sh -c; or \"file\": the program to run");
}

TEST(CheckTask, CommandOfWrongKind) {
  TempDir dir;
  expect_single_error(check(R"({"command": 42})", dir.str()), "command",
                      "\"command\" must be a list of strings (the argv, run without a shell) or a string (run by "
                      "/bin/sh -c), not a number");
  expect_single_error(check(R"({"command": {"a": 1}})", dir.str()), "command",
                      "\"command\" must be a list of strings (the argv, run without a shell) or a string (run by "
                      "/bin/sh -c), not a mapping");
}

TEST(CheckTask, EmptyCommands) {
  TempDir dir;
  expect_single_error(check(R"({"command": []})", dir.str()), "command",
                      "\"command\" is an empty list; give at least the program to run");
  expect_single_error(check(R"({"command": ""})", dir.str()), "command",
                      "\"command\" is an empty string; write the command to run");
  expect_single_error(check(R"({"command": [""]})", dir.str()), "command",
                      "\"command\" starts with an empty program name");
}

TEST(CheckTask, ArgvItemThatIsNotAString) {
  TempDir dir;
  expect_single_error(check(R"({"command": ["sh", "-c", 3]})", dir.str()), "command",
                      "\"command\" item 2 must be a string, not a number; quote it in the YAML");
}

TEST(CheckTask, MissingRelativeProgramNamesTheWorkflowDirectory) {
  TempDir dir;
  expect_single_error(check(argv_config({"./bin/crunch", "--fast"}), dir.str()), "command",
                      "file not found: ./bin/crunch (relative to " + dir.str() + ")");
}

TEST(CheckTask, MissingAbsoluteProgram) {
  TempDir dir;
  expect_single_error(check(argv_config({"/nonexistent/ork/crunch"}), dir.str()), "command",
                      "file not found: /nonexistent/ork/crunch");
}

TEST(CheckTask, ExistingRelativeProgramPasses) {
  TempDir dir;
  dir.write("bin/crunch", "#!/bin/sh\necho hi\n", true);
  EXPECT_TRUE(check(argv_config({"./bin/crunch"}), dir.str()).empty());
  EXPECT_TRUE(check(argv_config({"bin/crunch"}), dir.str()).empty());
}

TEST(CheckTask, ProgramThatIsNotExecutable) {
  TempDir dir;
  dir.write("bin/crunch", "#!/bin/sh\n");
  expect_single_error(check(argv_config({"./bin/crunch"}), dir.str()), "command",
                      "./bin/crunch (relative to " + dir.str() + ") is not executable; run `chmod +x ./bin/crunch`");
}

TEST(CheckTask, ProgramThatIsADirectory) {
  TempDir dir;
  dir.write("bin/x", "");
  expect_single_error(check(argv_config({"./bin"}), dir.str()), "command",
                      "./bin (relative to " + dir.str() + ") is not a regular file");
}

TEST(CheckTask, BareProgramIsSearchedOnPath) {
  TempDir dir;
  EXPECT_TRUE(check(argv_config({"sh", "-c", "true"}), dir.str()).empty());
  const char* path = std::getenv("PATH");
  ASSERT_NE(path, nullptr);
  expect_single_error(check(argv_config({"ork-no-such-program"}), dir.str()), "command",
                      "program not found on PATH: ork-no-such-program (PATH=" + std::string(path) +
                          "); install it, or give its path, e.g. [./bin/ork-no-such-program]");
}

// docs/executors/process.md: a bare name is searched on the task's own PATH
// when `env:` sets one, at compile time as at run time.
TEST(CheckTask, BareProgramIsSearchedOnTheTasksOwnPath) {
  TempDir dir;
  dir.write("tools/bin/crunchy", "#!/bin/sh\necho hi\n", true);
  std::string task_path = "PATH=" + dir.str() + "/tools/bin";
  EXPECT_TRUE(check(argv_config({"crunchy"}), dir.str(), {task_path}).empty());
  EXPECT_TRUE(check(argv_config({"crunchy"}), dir.str(), {"PATH=tools/bin"}).empty()) << "relative to the workdir";
  expect_single_error(check(argv_config({"crunchy"}), dir.str(), {"PATH=/nonexistent"}), "command",
                      "program not found on PATH: crunchy (PATH=/nonexistent); install it, or give its path, e.g. "
                      "[./bin/crunchy]");
}

TEST(CheckTask, RelativeProgramIsFoundFromTheTasksWorkdir) {
  TempDir dir;
  dir.write("data/bin/crunch", "#!/bin/sh\necho hi\n", true);
  EXPECT_TRUE(check(argv_config({"./bin/crunch"}), dir.str(), {}, dir.str() + "/data").empty());
  expect_single_error(check(argv_config({"./data/bin/crunch"}), dir.str(), {}, dir.str() + "/data"), "command",
                      "file not found: ./data/bin/crunch (relative to " + dir.str() + "/data)");
}

TEST(CheckTask, ShellFormIsNotChecked) {
  TempDir dir;
  EXPECT_TRUE(check(shell_config("ork-no-such-program --flag"), dir.str()).empty());
}

TEST(FindOnPath, SkipsEmptyEntriesAndResolvesRelativeOnesFromTheBase) {
  TempDir dir;
  dir.write("tools/mytool", "#!/bin/sh\n", true);
  dir.write("other/notexec", "#!/bin/sh\n");
  EXPECT_EQ(find_on_path("mytool", "::tools:/nonexistent", dir.str()), dir.str() + "/tools/mytool");
  EXPECT_EQ(find_on_path("mytool", dir.str() + "/tools/", "/"), dir.str() + "/tools/mytool");
  EXPECT_EQ(find_on_path("notexec", "other", dir.str()), std::nullopt);
  EXPECT_EQ(find_on_path("mytool", "", dir.str()), std::nullopt);
}

TEST(FindOnPath, DefaultSearchPathFindsSh) {
  EXPECT_TRUE(find_on_path("sh", default_search_path(), "/").has_value());
}

}  // namespace
}  // namespace ork::plugins::process
