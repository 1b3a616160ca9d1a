// Worker lifecycle: reuse, isolation between tasks, re-import of edited files,
// venvs, and crashes, timeouts and cancellation that take down only the task's
// own worker while siblings carry on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

#include "plugin_harness.hpp"

namespace ork::plugins::python::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

boost::json::object task(const std::string& function) {
  return boost::json::object{{"file", "tasks.py"}, {"function", function}};
}

RunOutcome run_fixture(const std::string& function, RunOptions options = {}) {
  return run(fixtures(), task(function), std::move(options));
}

RunOptions with_input(const std::string& input_json) {
  RunOptions options;
  options.input_json = input_json;
  return options;
}

// Runs `crashing` and a sibling sleeping 0.5 s at the same time; the sibling must succeed.
RunOutcome crash_beside_a_sibling(const std::string& crashing) {
  auto sibling = std::async(std::launch::async, [] { return run_fixture("slow_ok", with_input(R"({"delay": 0.5})")); });
  RunOutcome crashed = run_fixture(crashing);
  RunOutcome survivor = sibling.get();
  EXPECT_EQ(survivor.outcome, ORK_TASK_SUCCEEDED) << survivor.log_text();
  EXPECT_EQ(survivor.output, R"("ok")");
  return crashed;
}

TEST(Worker, IsReusedAcrossTasks) {
  RunOutcome first = run_fixture("worker_pid");
  RunOutcome second = run_fixture("worker_pid");
  ASSERT_EQ(first.outcome, ORK_TASK_SUCCEEDED) << first.log_text();
  EXPECT_EQ(first.output, second.output);
  ASSERT_FALSE(second.logs.empty());
  EXPECT_EQ(second.logs.front().stream, ORK_LOG_SYSTEM);
  EXPECT_THAT(second.logs.front().text,
              StartsWith("python worker pid " + second.output + " (Python " ORK_TEST_PYTHON_VERSION "."));
}

TEST(Worker, ManySequentialTasksShareOneWarmWorker) {
  RunOutcome first = run_fixture("worker_pid");
  auto started = std::chrono::steady_clock::now();
  constexpr int kTasks = 200;
  for (int i = 0; i < kTasks; ++i) {
    RunOutcome outcome = run_fixture("worker_pid");
    ASSERT_EQ(outcome.output, first.output) << "task " << i << " ran in another worker";
  }
  auto total = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  std::printf("warm python task round trip: %.0f us on average\n", double(total.count()) / kTasks);
}

// A worker that ends while idle (here: a thread of its last task exits it
// after the reply; in production also the OOM killer) is not handed to the
// next task, which runs in a new worker instead of failing.
TEST(Worker, AWorkerThatDiedWhileIdleIsReplaced) {
  RunOutcome last = run_fixture("worker_pid_then_exit_soon");
  ASSERT_EQ(last.outcome, ORK_TASK_SUCCEEDED) << last.error;
  // Unreaped, the exited worker is a zombie: wait until it is one.
  auto exited = [&last] {
    std::ifstream stat("/proc/" + last.output + "/stat");
    std::string pid, name, state;
    return !(stat >> pid >> name >> state) || state == "Z";
  };
  for (int i = 0; i < 1000 && !exited(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(exited()) << "the worker did not exit within 10 s";
  RunOutcome next = run_fixture("worker_pid");
  ASSERT_EQ(next.outcome, ORK_TASK_SUCCEEDED) << next.error;
  EXPECT_NE(next.output, last.output);
}

TEST(Worker, SegfaultFailsOnlyThatTask) {
  RunOutcome crashed = crash_beside_a_sibling("segfault");
  EXPECT_EQ(crashed.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(crashed.error, StartsWith("python worker died: killed by signal SIGSEGV"));
  EXPECT_THAT(crashed.error, HasSubstr("last stderr lines: about to crash"));
  EXPECT_TRUE(crashed.logged(ORK_LOG_STDERR, "about to crash"));
  EXPECT_EQ(run_fixture("add", with_input(R"({"a": 1, "b": 2})")).output, "3");  // replaced on demand
}

TEST(Worker, OsExitFailsOnlyThatTask) {
  RunOutcome crashed = crash_beside_a_sibling("hard_exit");
  EXPECT_EQ(crashed.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(crashed.error, "python worker died: exited with code 3");
  EXPECT_EQ(run_fixture("add", with_input(R"({"a": 1, "b": 2})")).output, "3");
}

TEST(Worker, TimeoutKillsATaskSleepingInALoop) {
  RunOptions options;
  options.timeout_ms = 700;
  RunOutcome outcome = run_fixture("sleep_loop", options);
  EXPECT_EQ(outcome.outcome, ORK_TASK_TIMED_OUT);
  EXPECT_EQ(outcome.error, "timed out after 700ms; the python worker running it was killed (a new one replaces it)");
  EXPECT_LT(outcome.elapsed.count(), 700 + 1500);
  EXPECT_EQ(run_fixture("add", with_input(R"({"a": 1, "b": 2})")).output, "3");
}

TEST(Worker, TimeoutKillsABusyLoop) {
  RunOptions options;
  options.timeout_ms = 1000;
  RunOutcome outcome = run_fixture("busy_loop", options);
  EXPECT_EQ(outcome.outcome, ORK_TASK_TIMED_OUT);
  EXPECT_EQ(outcome.error, "timed out after 1s; the python worker running it was killed (a new one replaces it)");
  EXPECT_LT(outcome.elapsed.count(), 1000 + 1500);
}

TEST(Worker, CancelKillsTheRunningTask) {
  RunOptions options;
  options.token = next_token();
  std::uint64_t token = options.token;
  auto running = std::async(std::launch::async, [options] { return run_fixture("sleep_loop", options); });
  // Cancel once the task is surely running (the first run also starts a worker).
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  executor().cancel_task(executor_state(), token);
  ASSERT_EQ(running.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  RunOutcome outcome = running.get();
  EXPECT_EQ(outcome.outcome, ORK_TASK_CANCELLED);
  EXPECT_EQ(outcome.error, "cancelled; the python worker running it was killed");
}

TEST(Worker, CancelOfAnUnknownTokenIsIgnored) {
  executor().cancel_task(executor_state(), 0xdeadbeef);
  EXPECT_EQ(run_fixture("add", with_input(R"({"a": 2, "b": 2})")).output, "4");
}

TEST(Isolation, EnvDoesNotLeakIntoTheNextTask) {
  RunOptions options = with_input(R"({"name": "ORK_TEST_VARIABLE"})");
  options.env = {"ORK_TEST_VARIABLE=hello", "ORK_RUN_ID=run-1"};
  RunOutcome with_env = run_fixture("read_env", options);
  EXPECT_EQ(with_env.output, R"("hello")");
  RunOutcome without = run_fixture("read_env", with_input(R"({"name": "ORK_TEST_VARIABLE"})"));
  EXPECT_EQ(without.output, "null");
  run_fixture("set_env_itself", with_input(R"({"name": "ORK_SET_BY_TASK"})"));
  EXPECT_EQ(run_fixture("read_env", with_input(R"({"name": "ORK_SET_BY_TASK"})")).output, "null");
}

// The worker's own variables (PATH here) come back after a task changed or
// deleted them, in os.environ and for the next task's child processes alike;
// so does a variable the task's `env:` overrode.
TEST(Isolation, WorkerVariablesChangedByATaskAreRestored) {
  auto read = [](const std::string& function, const std::string& name, std::vector<std::string> env = {}) {
    RunOptions options = with_input(R"({"name": ")" + name + R"("})");
    options.env = std::move(env);
    return run_fixture(function, options).output;
  };
  std::string path = read("read_env", "PATH");
  ASSERT_NE(path, "null");
  EXPECT_EQ(read("read_env_in_a_child", "PATH"), path);

  run_fixture("delete_env_itself", with_input(R"({"name": "PATH"})"));
  EXPECT_EQ(read("read_env", "PATH"), path);
  EXPECT_EQ(read("read_env_in_a_child", "PATH"), path);

  run_fixture("set_env_itself", with_input(R"({"name": "PATH"})"));
  EXPECT_EQ(read("read_env", "PATH"), path);
  EXPECT_EQ(read("read_env_in_a_child", "PATH"), path);

  EXPECT_EQ(read("read_env_in_a_child", "PATH", {"PATH=/task/bin"}), R"("/task/bin")");
  EXPECT_EQ(read("read_env_in_a_child", "PATH"), path);
}

TEST(Isolation, WorkingDirectoryIsTheRequestsWorkdir) {
  TempDir workdir;
  RunOptions options;
  options.workdir = workdir.path().string();
  EXPECT_EQ(run_fixture("current_directory", options).output, "\"" + workdir.path().string() + "\"");
  EXPECT_EQ(run_fixture("current_directory").output, "\"" + fixtures().string() + "\"");
}

TEST(Reimport, EditedFileIsReimportedBetweenRuns) {
  TempDir dir;
  boost::json::object config{{"file", "edited.py"}};
  dir.write("edited.py", "def main(n: int) -> int:\n    return n + 1\n");
  RunOptions options = with_input(R"({"n": 1})");
  EXPECT_EQ(run(dir.path(), config, options).output, "2");
  dir.write("edited.py", "def main(n: str) -> str:\n    return n * 2 + '!'\n");
  EXPECT_EQ(run(dir.path(), config, with_input(R"({"n": "ab"})")).output, R"("abab!")");
  CheckOutcome checked = check(dir.path(), config);
  ASSERT_TRUE(checked.signature.has_value());
  EXPECT_EQ(*checked.signature, boost::json::parse(R"({"inputs": {"n": "str"}, "output": "str"})"));
}

TEST(Reimport, SignatureFollowsEditsToo) {
  TempDir dir;
  boost::json::object config{{"file", "edited.py"}};
  dir.write("edited.py", "def main(n: int) -> int:\n    return n\n");
  EXPECT_EQ(*check(dir.path(), config).signature, boost::json::parse(R"({"inputs": {"n": "int"}, "output": "int"})"));
  dir.write("edited.py", "def main(n: int, m: float) -> float:\n    return n * m\n");
  EXPECT_EQ(*check(dir.path(), config).signature,
            boost::json::parse(R"({"inputs": {"n": "int", "m": "float"}, "output": "float"})"));
}

TEST(ModuleTask, RunsByModuleName) {
  EXPECT_EQ(run(fixtures(), boost::json::object{{"module", "pkg.etl"}}, with_input(R"({"n": 4})")).output, "8");
}

TEST(Venv, MatchingVenvSuppliesItsPackages) {
  TempDir dir;
  std::string command = std::string(ORK_TEST_PYTHON_EXE) + " -m venv --without-pip " + (dir.path() / ".venv").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  dir.write(".venv/lib/python" ORK_TEST_PYTHON_VERSION "/site-packages/ork_venv_probe.py", "VALUE = 'from the venv'\n");
  dir.write("tasks.py",
            "import sys\n\nimport ork_venv_probe\n\n\ndef main() -> list[str]:\n"
            "    return [ork_venv_probe.VALUE, sys.executable]\n");
  boost::json::object config{{"file", "tasks.py"}};
  CheckOutcome checked = check(dir.path(), config);
  ASSERT_TRUE(checked.errors.empty()) << checked.errors.front().second;
  EXPECT_EQ(*checked.signature, boost::json::parse(R"({"inputs": {}, "output": "list[str]"})"));
  RunOutcome outcome = run(dir.path(), config);
  ASSERT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.log_text();
  EXPECT_EQ(boost::json::parse(outcome.output),
            (boost::json::array{"from the venv", (dir.path() / ".venv/bin/python").string()}));
}

TEST(Venv, PythonKeyNamingTheEmbeddedInterpreterRunsPlainly) {
  TempDir dir;
  dir.write("tasks.py", "import sys\n\n\ndef main() -> str:\n    return sys.executable\n");
  boost::json::object config{{"file", "tasks.py"}, {"python", ORK_TEST_PYTHON_EXE}};
  RunOutcome outcome = run(dir.path(), config);
  ASSERT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.log_text();
  EXPECT_EQ(outcome.output, "\"" ORK_TEST_PYTHON_EXE "\"");
}

TEST(Venv, PythonKeyNamingAnInterpreterOfAnotherVersionIsRefused) {
  TempDir dir;
  dir.write("tasks.py", "def main() -> int:\n    return 1\n");
  // Stands in for a python3.12: answers the plugin's version query like one.
  dir.write("bin/python3.12", "#!/bin/sh\necho 3.12\necho /opt/py312/site-packages\n");
  std::filesystem::permissions(dir.path() / "bin/python3.12", std::filesystem::perms::owner_all);
  CheckOutcome outcome = check(dir.path(), boost::json::object{{"file", "tasks.py"}, {"python", "bin/python3.12"}});
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].first, "python");
  EXPECT_EQ(outcome.errors[0].second,
            (dir.path() / "bin/python3.12").string() +
                " uses Python 3.12 but ork's python worker embeds Python " ORK_TEST_PYTHON_VERSION
                ", so its packages cannot be loaded; point `python:` at a Python " ORK_TEST_PYTHON_VERSION
                " interpreter or venv");
  RunOutcome run_outcome = run(dir.path(), boost::json::object{{"file", "tasks.py"}, {"python", "bin/python3.12"}});
  EXPECT_EQ(run_outcome.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(run_outcome.error, HasSubstr("uses Python 3.12"));
}

TEST(Worker, CrashWhileImportingIsACompileErrorOnTheFile) {
  TempDir dir;
  dir.write("crash.py", "import os\n\nos._exit(5)\n\n\ndef main() -> int:\n    return 1\n");
  CheckOutcome outcome = check(dir.path(), boost::json::object{{"file", "crash.py"}});
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0],
            std::make_pair(std::string("file"),
                           std::string("the python worker died while importing crash.py: exited with code 5")));
}

}  // namespace
}  // namespace ork::plugins::python::test
