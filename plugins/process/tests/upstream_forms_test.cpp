// The upstream ork's ways of writing a process task (docs/executors/process.md,
// "Shell and file"): `file:` naming the program, the `shell` executor (a
// `file:` there is a script /bin/sh reads), and the ORK_INPUT_JSON variable
// that carries the stdin object again.
#include "command.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace ork::plugins::process {
namespace {

using testing::Finish;
using testing::RecordingCheckSink;
using testing::RecordingTaskSink;
using testing::run_task;
using testing::shell_config;
using testing::TaskSetup;
using testing::TempDir;

std::vector<testing::CheckError> check(ProcessExecutor& executor, const std::string& config_json,
                                       const std::string& dir) {
  RecordingCheckSink recorder;
  ork::plugin::TaskSpec spec{"wf", dir + "/wf.yaml", dir, "task", config_json, dir, {}};
  executor.check(spec, ork::plugin::CheckSink(recorder.c_sink()));
  return recorder.errors();
}

Finish run(ProcessExecutor& executor, const TaskSetup& setup) {
  RecordingTaskSink sink;
  run_task(executor, setup, sink);
  return sink.finish();
}

TEST(UpstreamForms, FileIsTheProgram) {
  const Command command = std::get<Command>(parse_command(R"({"file": "bin/tool"})"));
  EXPECT_EQ(command.argv, (std::vector<std::string>{"bin/tool"}));
  EXPECT_EQ(command.key, "file");
  EXPECT_FALSE(command.via_shell);
  // A bare name is a file in the working directory, not a program on PATH.
  EXPECT_EQ(std::get<Command>(parse_command(R"({"file": "tool"})")).argv, (std::vector<std::string>{"./tool"}));
}

TEST(UpstreamForms, ShellFileIsAScriptForSh) {
  const Command command = std::get<Command>(parse_command(R"({"file": "steps.sh"})", Flavour::shell));
  EXPECT_EQ(command.argv, (std::vector<std::string>{"/bin/sh", "./steps.sh"}));
  EXPECT_EQ(command.script, "./steps.sh");
  EXPECT_TRUE(command.via_shell);
  // A command string is the same in both flavours.
  EXPECT_EQ(std::get<Command>(parse_command(R"({"command": "a | b"})", Flavour::shell)).argv,
            (std::vector<std::string>{"/bin/sh", "-c", "a | b"}));
}

TEST(UpstreamForms, BadFileValues) {
  CommandProblem both = std::get<CommandProblem>(parse_command(R"({"file": "x", "command": "y"})"));
  EXPECT_EQ(both.key, "file");
  EXPECT_EQ(both.message, "give either \"command\" or \"file\", not both");
  CommandProblem list = std::get<CommandProblem>(parse_command(R"({"file": ["x"]})"));
  EXPECT_EQ(list.message, "\"file\" must be the path of the program to run (relative to the workdir), not a list");
  CommandProblem empty = std::get<CommandProblem>(parse_command(R"({"file": ""})"));
  EXPECT_EQ(empty.message,
            "\"file\" must be the path of the program to run (relative to the workdir), not an empty string");
}

TEST(UpstreamForms, CheckFindsAMissingOrUnrunnableFile) {
  TempDir dir;
  dir.write("script.sh", "echo hi\n");  // not executable
  ProcessExecutor process(testing::fast_options());
  std::vector<testing::CheckError> missing = check(process, R"({"file": "nope"})", dir.str());
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].key, "file");
  EXPECT_EQ(missing[0].message, "file not found: ./nope (relative to " + dir.str() + ")");
  std::vector<testing::CheckError> not_executable = check(process, R"({"file": "script.sh"})", dir.str());
  ASSERT_EQ(not_executable.size(), 1u);
  EXPECT_EQ(not_executable[0].key, "file");

  ShellExecutor shell;
  EXPECT_TRUE(check(shell, R"({"file": "script.sh"})", dir.str()).empty()) << "sh reads it: +x is not needed";
  std::vector<testing::CheckError> gone = check(shell, R"({"file": "gone.sh"})", dir.str());
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].key, "file");
  EXPECT_EQ(gone[0].message, "file not found: ./gone.sh (relative to " + dir.str() + ")");
}

TEST(UpstreamForms, FileRunsInTheWorkdir) {
  TempDir dir;
  dir.write("tool.sh", "#!/bin/sh\necho \"ORK_OUTPUT:\\\"$(basename \"$PWD\")\\\"\"\n", true);
  dir.write("steps.sh", "echo 'ORK_OUTPUT:{\"via\": \"sh\"}'\n");
  ProcessExecutor process(testing::fast_options());
  Finish tool = run(process, {.config_json = R"({"file": "tool.sh"})", .workdir = dir.str()});
  EXPECT_EQ(tool.outcome, ORK_TASK_SUCCEEDED) << tool.error;
  EXPECT_EQ(tool.output, "\"" + dir.path().filename().string() + "\"");
  ShellExecutor shell;
  Finish steps = run(shell, {.config_json = R"({"file": "steps.sh"})", .workdir = dir.str()});
  EXPECT_EQ(steps.outcome, ORK_TASK_SUCCEEDED) << steps.error;
  EXPECT_EQ(steps.output, R"({"via": "sh"})");
}

TEST(UpstreamForms, InputIsAlsoInOrkInputJson) {
  ProcessExecutor process(testing::fast_options());
  const std::string input = R"({"n": 1, "upstream": {"a": [1, 2]}})";
  Finish finish = run(process, {.config_json = shell_config("printf 'ORK_OUTPUT:%s\\n' \"$ORK_INPUT_JSON\""),
                                .input_json = input,
                                .env = {"ORK_INPUT_JSON=stale"}});
  EXPECT_EQ(finish.outcome, ORK_TASK_SUCCEEDED) << finish.error;
  EXPECT_EQ(finish.output, input);
}

TEST(UpstreamForms, InputTooLargeForTheEnvironmentIsOnStdinOnly) {
  ProcessExecutor process(testing::fast_options());
  const std::string input = "{\"blob\": \"" + std::string(200 * 1024, 'x') + "\"}";
  Finish finish = run(process, {.config_json = shell_config("test -z \"${ORK_INPUT_JSON+set}\" && "
                                                            "echo \"ORK_OUTPUT:$(wc -c)\""),
                                .input_json = input});
  EXPECT_EQ(finish.outcome, ORK_TASK_SUCCEEDED) << finish.error;
  EXPECT_EQ(finish.output, std::to_string(input.size()));
}

}  // namespace
}  // namespace ork::plugins::process
