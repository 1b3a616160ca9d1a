// The process protocol (DESIGN §5) through `ork run`: the ORK_OUTPUT marker
// rules, exit codes and signals, timeouts, environment, working directory and
// large outputs — each asserting the recorded status and reason.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

// Runs a one-task workflow whose task runs `command` and returns that task's JSON.
boost::json::object run_single(TempDir& dir, const std::string& task_yaml, int expected_exit) {
  dir.write("wf.yaml", "tasks:\n  t:\n" + task_yaml);
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
  return parse_json(r.out).at("tasks").at("t").as_object();
}

std::string logs_of(TempDir& dir, const std::string& task) {
  CommandResult runs = run_ork({"runs", "--json", "--limit", "1"}, dir.path());
  std::string run_id(parse_json(runs.out).at("runs").at(0).at("run_id").as_string());
  return run_ork({"logs", run_id, task}, dir.path()).out;
}

TEST(ProcessProtocol, NoMarkerMeansNullOutput) {
  TempDir dir;
  auto t = run_single(dir, "    executor: process\n    command: \"echo just a log line\"\n", 0);
  EXPECT_EQ(t.at("status").as_string(), "succeeded");
  EXPECT_TRUE(t.at("output").is_null());
  EXPECT_EQ(logs_of(dir, "t"), "just a log line\n");
}

TEST(ProcessProtocol, MarkerLineIsTheOutputAndOtherLinesAreLogs) {
  TempDir dir;
  auto t = run_single(dir,
                      "    executor: process\n    command: \"echo before; echo 'ORK_OUTPUT:{\\\"a\\\": [1, 2]}'; "
                      "echo after; echo err >&2\"\n",
                      0);
  EXPECT_EQ(boost::json::serialize(t.at("output")), R"({"a":[1,2]})");
  std::string logs = logs_of(dir, "t");
  EXPECT_NE(logs.find("before\n"), std::string::npos);
  EXPECT_NE(logs.find("after\n"), std::string::npos);
  EXPECT_NE(logs.find("! err\n"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("ORK_OUTPUT"), std::string::npos);
}

TEST(ProcessProtocol, TwoMarkersFailTheTask) {
  TempDir dir;
  auto t = run_single(dir, "    executor: process\n    command: \"echo 'ORK_OUTPUT:1'; echo 'ORK_OUTPUT:2'\"\n", 1);
  EXPECT_EQ(t.at("status").as_string(), "failed");
  EXPECT_EQ(t.at("error").as_string(),
            "task printed ORK_OUTPUT twice (lines 1 and 2); print exactly one result line");
}

TEST(ProcessProtocol, InvalidJsonAfterTheMarkerFailsTheTask) {
  TempDir dir;
  auto t = run_single(dir, "    executor: process\n    command: \"echo 'ORK_OUTPUT:{broken'\"\n", 1);
  EXPECT_EQ(t.at("status").as_string(), "failed");
  EXPECT_TRUE(std::string(t.at("error").as_string()).starts_with("ORK_OUTPUT line is not valid JSON: "))
      << t.at("error");
}

TEST(ProcessProtocol, GarbageOnStdoutIsJustLogs) {
  TempDir dir;
  auto t = run_single(dir,
                      "    executor: process\n    command: \"printf '\\\\001\\\\377garbage\\\\n{not json\\\\nORK_OUTPUT'\"\n",
                      0);
  EXPECT_EQ(t.at("status").as_string(), "succeeded");
  EXPECT_TRUE(t.at("output").is_null());
}

TEST(ProcessProtocol, NonZeroExitFailsWithCodeAndStderrTail) {
  TempDir dir;
  auto t = run_single(dir, "    executor: process\n    command: \"echo oops >&2; exit 7\"\n", 1);
  EXPECT_EQ(t.at("error").as_string(), "exited with code 7; last lines of stderr:\noops");
}

TEST(ProcessProtocol, KilledBySignalIsReported) {
  TempDir dir;
  auto t = run_single(dir, "    executor: process\n    command: \"kill -SEGV $$\"\n", 1);
  EXPECT_EQ(t.at("status").as_string(), "failed");
  EXPECT_EQ(t.at("error").as_string(), "killed by signal SIGSEGV (11)");
}

TEST(ProcessProtocol, TimeoutKillsTheProcessGroupAndFails) {
  TempDir dir;
  auto t = run_single(dir, "    executor: process\n    command: \"sleep 30 & sleep 30\"\n    timeout: 300ms\n", 1);
  EXPECT_EQ(t.at("status").as_string(), "failed");
  EXPECT_EQ(t.at("error").as_string(), "timed out after 300ms");
}

TEST(ProcessProtocol, MissingProgramFailsTheTaskAtCompileTime) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  t:\n    executor: process\n    command: [./no-such-program]\n");
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "wf.yaml:4:5: task \"t\": file not found: ./no-such-program (relative to " + dir.path().string() +
                       ")\nork: workflow refused (1 error); nothing was run or recorded\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / ".ork"));
}

TEST(ProcessProtocol, InputsEnvironmentAndWorkdir) {
  TempDir dir;
  dir.write("sub/marker.txt", "here\n");
  dir.write("wf.yaml", R"(tasks:
  t:
    executor: process
    command: 'cat marker.txt; echo "$ORK_TASK $ORK_ATTEMPT $GREETING"; cat'
    workdir: sub
    env: {GREETING: hi}
    inputs: {n: 5, s: text}
)");
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string run_id(parse_json(r.out).at("run_id").as_string());
  EXPECT_EQ(run_ork({"logs", run_id, "t"}, dir.path()).out,
            "here\nt 1 hi\n{\"n\":5,\"s\":\"text\",\"upstream\":{}}\n");
}

TEST(ProcessProtocol, SixteenMegabyteOutputIsRecordedWhole) {
  TempDir dir;
  dir.write("big.py", R"(import json
print("ORK_OUTPUT:" + json.dumps({"blob": "x" * (16 * 1024 * 1024)}))
)");
  auto t = run_single(dir, "    executor: process\n    command: [/usr/bin/python3, big.py]\n", 0);
  ASSERT_EQ(t.at("status").as_string(), "succeeded");
  EXPECT_EQ(t.at("output").at("blob").as_string().size(), 16u * 1024 * 1024);
}

TEST(ProcessProtocol, ManyLogLinesAreAllRecordedInOrder) {
  TempDir dir;
  auto t = run_single(dir, "    executor: process\n    command: \"seq 1 20000\"\n", 0);
  ASSERT_EQ(t.at("status").as_string(), "succeeded");
  std::string logs = logs_of(dir, "t");
  std::string expected;
  for (int i = 1; i <= 20000; ++i) expected += std::to_string(i) + "\n";
  EXPECT_EQ(logs, expected);
}

TEST(ProcessProtocol, IntrospectAsksTheProgramForItsSignature) {
  TempDir dir;
  dir.write("typed.sh", R"SH(if [ "$1" = "--ork-signature" ]; then
  echo '{"inputs": {"n": "int"}, "output": {"doubled": "int"}}'
  exit 0
fi
echo 'ORK_OUTPUT:{"doubled": 2}')SH");
  dir.write("wf.yaml", R"(tasks:
  typed: {executor: process, command: [sh, typed.sh], introspect: true, inputs: {n: 1}}
  bad: {executor: process, command: [sh, typed.sh], introspect: true, inputs: {n: "one"}}
)");
  CommandResult r = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "wf.yaml:3:83: task \"bad\" input \"n\": the constant \"one\" is str, but parameter \"n\" expects int\n"
                   "ork: workflow refused (1 error)\n");
}

TEST(ProcessProtocol, IntrospectOnAProgramWithoutSignatureIsACompileError) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  t: {executor: process, command: [echo], introspect: true}\n"
                       "  u: {executor: process, command: 'echo x', introspect: true}\n");
  CommandResult r = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "wf.yaml:2:43: task \"t\": echo --ork-signature did not print a signature (a JSON object {\"inputs\": ..., "
            "\"output\": ...}); is it built with an ork SDK?\n"
            "wf.yaml:3:45: task \"u\": introspect needs the argv form of \"command\" (a list), so ork can append "
            "--ork-signature to it\n"
            "ork: workflow refused (2 errors)\n");
}

// docs/sdk-python.md: a program built with the Python SDK, found through the
// task's own `env: {PYTHONPATH: ...}`, declares its types with
// `introspect: true`, and its edges are checked. --ork-signature runs with the
// task's env and workdir, as the task itself will.
TEST(ProcessProtocol, IntrospectRunsWithTheTasksEnvAndWorkdir) {
  TempDir dir;
  dir.write("tasks/words.py", R"PY(from ork_sdk import run


def words() -> list[str]:
    return ["a", "b"]


if __name__ == "__main__":
    run(words)
)PY");
  dir.write("tasks/total.py", R"PY(from ork_sdk import run


def total(numbers: list[int]) -> int:
    return sum(numbers)


if __name__ == "__main__":
    run(total)
)PY");
  const std::string sdk = std::string(ORK_SOURCE_DIR) + "/sdk/python";
  dir.write("wf.yaml", "defaults: {env: {PYTHONPATH: '" + sdk + "'}}\n" + R"(tasks:
  words: {executor: process, command: [python3, words.py], workdir: tasks, introspect: true}
  total: {executor: process, command: [python3, tasks/total.py], introspect: true, inputs: {numbers: {from: words}}}
)");
  CommandResult r = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.err, "wf.yaml:4:109: task \"total\" input \"numbers\": the output of words is list[str], but parameter "
                   "\"numbers\" expects list[int]\n"
                   "ork: workflow refused (1 error)\n");
}

// Without `introspect: true` (or input_type/output_type) the same program is
// untyped: the edge is not checked, and `ork validate` says so.
TEST(ProcessProtocol, SdkProgramWithoutIntrospectIsUntypedAndFlagged) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n"
                       "  words: {executor: process, command: 'echo ORK_OUTPUT:[1]'}\n");
  CommandResult r = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("introspect: true"), std::string::npos) << r.out;
}

// docs/executors/process.md: a bare program name is searched on the task's
// own PATH when `env:` sets one — when ork validates and when it runs.
TEST(ProcessProtocol, BareProgramIsFoundOnTheTasksOwnPath) {
  TempDir dir;
  dir.write("bin/crunchy", "#!/bin/sh\necho 'ORK_OUTPUT:\"crunched\"'\n", true);
  dir.write("wf.yaml", "tasks:\n  t: {executor: process, command: [crunchy], env: {PATH: '" + (dir.path() / "bin").string() +
                           ":/usr/bin:/bin'}}\n");
  CommandResult validated = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(parse_json(r.out).at("tasks").at("t").at("output"), boost::json::value("crunched"));
}

}  // namespace
}  // namespace ork::test
