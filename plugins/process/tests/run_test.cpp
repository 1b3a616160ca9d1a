// Running real programs through the executor: the protocol end to end, and
// the ways a program can misbehave (crash, hang, flood, ignore stdin, leave
// processes behind).
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

namespace ork::plugins::process {
namespace {

using namespace std::chrono_literals;
using testing::argv_config;
using testing::Finish;
using testing::RecordingTaskSink;
using testing::run_task;
using testing::shell_config;
using testing::TaskSetup;
using testing::TempDir;

Finish run(const TaskSetup& setup, RecordingTaskSink& sink) {
  run_task(setup, sink);
  return sink.finish();
}

Finish run(const TaskSetup& setup) {
  RecordingTaskSink sink;
  return run(setup, sink);
}

void expect_success(const Finish& finish, const std::string& output) {
  EXPECT_EQ(finish.outcome, ORK_TASK_SUCCEEDED) << finish.error;
  EXPECT_EQ(finish.output, output);
  EXPECT_EQ(finish.error, "");
}

void expect_failure(const Finish& finish, ork_task_outcome outcome, const std::string& error) {
  EXPECT_EQ(finish.outcome, outcome);
  EXPECT_EQ(finish.output, "");
  EXPECT_EQ(finish.error, error);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(Run, ArgvFormPassesArgumentsVerbatim) {
  expect_success(run({.config_json = argv_config({"printf", "ORK_OUTPUT:[\"%s\",\"%s\"]\n", "a b", "$HOME"})}),
                 "[\"a b\",\"$HOME\"]");
}

TEST(Run, ShellForm) {
  expect_success(run({.config_json = shell_config("x=$((6 * 7)); echo \"ORK_OUTPUT:$x\" | cat")}), "42");
}

TEST(Run, NoResultLineSucceedsWithNull) {
  RecordingTaskSink sink;
  expect_success(run({.config_json = argv_config({"true"})}, sink), "");
  EXPECT_TRUE(sink.logs().empty());
}

TEST(Run, InputJsonArrivesOnStdin) {
  std::string input = R"({"values": [1, 2, 3], "upstream": {"extract": "ok"}})";
  expect_success(run({.config_json = argv_config({"sh", "-c", "printf ORK_OUTPUT:; cat"}), .input_json = input}),
                 input);
}

TEST(Run, InputIsReadableByPython) {
  std::string script =
      "import json, sys\n"
      "data = json.load(sys.stdin)\n"
      "print('ORK_OUTPUT:' + json.dumps({'sum': sum(data['values'])}))\n";
  expect_success(run({.config_json = argv_config({"/usr/bin/python3", "-S", "-c", script}),
                      .input_json = R"({"values": [1, 2, 3]})"}),
                 R"({"sum": 6})");
}

TEST(Run, TaskEnvironmentIsAddedToTheHostsAndOverridesIt) {
  setenv("ORK_TEST_FROM_HOST", "host", 1);
  setenv("ORK_TEST_OVERRIDDEN", "host", 1);
  expect_success(
      run({.config_json = shell_config(
               "echo \"ORK_OUTPUT:[\\\"$ORK_TEST_FROM_HOST\\\",\\\"$ORK_TEST_OVERRIDDEN\\\",\\\"$ORK_TASK\\\"]\""),
           .env = {"ORK_TEST_OVERRIDDEN=task", "ORK_TASK=crunch"}}),
      R"(["host","task","crunch"])");
  unsetenv("ORK_TEST_FROM_HOST");
  unsetenv("ORK_TEST_OVERRIDDEN");
}

TEST(Run, WorkdirIsHonouredForTheProcessAndRelativeProgramPaths) {
  TempDir dir;
  dir.write("bin/where", "#!/bin/sh\necho \"ORK_OUTPUT:\\\"$(pwd -P)\\\"\"\n", true);
  expect_success(run({.config_json = argv_config({"./bin/where"}), .workdir = dir.str()}), "\"" + dir.str() + "\"");
}

TEST(Run, BareProgramIsFoundOnTheTasksPath) {
  TempDir dir;
  dir.write("tools/ork-test-tool", "#!/bin/sh\necho ORK_OUTPUT:7\n", true);
  expect_success(
      run({.config_json = argv_config({"ork-test-tool"}), .env = {"PATH=" + dir.str() + "/tools:/usr/bin:/bin"}}),
      "7");
}

// The outcome of one attempt of `setup` on `executor`.
Finish attempt(ProcessExecutor& executor, const TaskSetup& setup) {
  RecordingTaskSink sink;
  run_task(executor, setup, sink);
  return sink.finish();
}

// Options under which a bare program found on PATH is remembered for an
// hour (far longer than a test), or not at all (`freshness` 0).
ProcessExecutor::Options remembering_for(std::chrono::milliseconds freshness) {
  ProcessExecutor::Options options = testing::fast_options();
  options.program_freshness = freshness;
  return options;
}

// A task running `ork-test-tool`, searched on `path_dirs` (under `dir`) and then /usr/bin:/bin.
TaskSetup tool_on_path(const TempDir& dir, const std::string& path_dirs) {
  return {.config_json = argv_config({"ork-test-tool"}),
          .workdir = dir.str(),
          .env = {"PATH=" + path_dirs + ":/usr/bin:/bin"}};
}

// A bare name is searched on PATH once, not for every attempt (1000 tasks
// running `true` would stat every PATH entry 1000 times): within the
// freshness window the path found first keeps being used...
TEST(Run, BareProgramFoundOnPathIsRememberedForTheFreshnessWindow) {
  TempDir dir;
  dir.write("late/ork-test-tool", "#!/bin/sh\necho ORK_OUTPUT:1\n", true);
  const TaskSetup setup = tool_on_path(dir, dir.str() + "/early:" + dir.str() + "/late");
  ProcessExecutor executor(remembering_for(std::chrono::hours(1)));
  expect_success(attempt(executor, setup), "1");
  dir.write("early/ork-test-tool", "#!/bin/sh\necho ORK_OUTPUT:2\n", true);  // now first on PATH
  expect_success(attempt(executor, setup), "1");
  // ... and without the window every attempt searches PATH again.
  ProcessExecutor fresh(remembering_for(0ms));
  expect_success(attempt(fresh, setup), "2");
  std::filesystem::remove(dir.path() / "early" / "ork-test-tool");
  expect_success(attempt(fresh, setup), "1");
}

// A remembered program that is gone (uninstalled, moved to another PATH
// entry) is searched for again at once, not reported missing.
TEST(Run, RememberedProgramThatDisappearedIsSearchedForAgain) {
  TempDir dir;
  dir.write("a/ork-test-tool", "#!/bin/sh\necho ORK_OUTPUT:1\n", true);
  const TaskSetup setup = tool_on_path(dir, dir.str() + "/a:" + dir.str() + "/b");
  ProcessExecutor executor(remembering_for(std::chrono::hours(1)));
  expect_success(attempt(executor, setup), "1");
  std::filesystem::remove(dir.path() / "a" / "ork-test-tool");
  dir.write("b/ork-test-tool", "#!/bin/sh\necho ORK_OUTPUT:2\n", true);
  expect_success(attempt(executor, setup), "2");
  std::filesystem::remove(dir.path() / "b" / "ork-test-tool");
  Finish gone = attempt(executor, setup);
  EXPECT_EQ(gone.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(gone.error.rfind("command not found: ork-test-tool (searched PATH=", 0), 0u) << gone.error;
}

TEST(Run, TwoResultLinesFail) {
  expect_failure(run({.config_json = shell_config("echo ORK_OUTPUT:1; echo log; echo ORK_OUTPUT:2")}),
                 ORK_TASK_FAILED, "task printed ORK_OUTPUT twice (lines 1 and 3); print exactly one result line");
}

TEST(Run, InvalidResultJsonFails) {
  expect_failure(run({.config_json = shell_config("echo 'ORK_OUTPUT:{\"a\": tru}'")}), ORK_TASK_FAILED,
                 "ORK_OUTPUT line is not valid JSON: syntax error at offset 6");
}

TEST(Run, IndentedMarkerIsALogLineNotAResult) {
  RecordingTaskSink sink;
  expect_success(run({.config_json = shell_config("echo '  ORK_OUTPUT:1'")}, sink), "");
  EXPECT_EQ(sink.lines(ORK_LOG_STDOUT), (std::vector<std::string>{"  ORK_OUTPUT:1"}));
}

TEST(Run, StdoutAndStderrAreBothLoggedInOrderPerStream) {
  RecordingTaskSink sink;
  expect_success(run({.config_json = shell_config("for i in 1 2 3; do echo out$i; echo err$i >&2; done; "
                                                  "echo ORK_OUTPUT:true")},
                     sink),
                 "true");
  EXPECT_EQ(sink.lines(ORK_LOG_STDOUT), (std::vector<std::string>{"out1", "out2", "out3"}));
  EXPECT_EQ(sink.lines(ORK_LOG_STDERR), (std::vector<std::string>{"err1", "err2", "err3"}));
}

TEST(Run, BytesThatAreNotUtf8PassThrough) {
  RecordingTaskSink sink;
  expect_success(run({.config_json = argv_config({"printf", "\\377\\376ok\\r\\nlast"})}, sink), "");
  EXPECT_EQ(sink.lines(ORK_LOG_STDOUT), (std::vector<std::string>{"\xff\xfeok", "last"}));
}

TEST(Run, ResultLineWithoutTrailingNewline) {
  expect_success(run({.config_json = argv_config({"printf", "log\\nORK_OUTPUT:{\"done\": true}"})}),
                 "{\"done\": true}");
}

TEST(Run, SixteenMiBResult) {
  std::string script = "printf 'ORK_OUTPUT:\"'; head -c 16777216 /dev/zero | tr '\\0' a; printf '\"\\n'";
  Finish finish = run({.config_json = shell_config(script)});
  EXPECT_EQ(finish.outcome, ORK_TASK_SUCCEEDED) << finish.error;
  EXPECT_EQ(finish.output.size(), 16u * 1024 * 1024 + 2);
  EXPECT_EQ(finish.output, "\"" + std::string(16u * 1024 * 1024, 'a') + "\"");
}

TEST(Run, HundredThousandLinesOnEachStreamDoNotDeadlock) {
  RecordingTaskSink sink;
  expect_success(run({.config_json = shell_config("seq 100000 >&2 & seq 100000; wait; echo ORK_OUTPUT:1")}, sink),
                 "1");
  std::vector<std::string> out = sink.lines(ORK_LOG_STDOUT);
  std::vector<std::string> err = sink.lines(ORK_LOG_STDERR);
  ASSERT_EQ(out.size(), 100000u);
  ASSERT_EQ(err.size(), 100000u);
  EXPECT_EQ(out.front(), "1");
  EXPECT_EQ(out.back(), "100000");
  EXPECT_EQ(err[49999], "50000");
}

TEST(Run, NonZeroExitFailsWithCodeAndStderrTail) {
  expect_failure(run({.config_json = shell_config("echo partial; echo 'bad input' >&2; echo 'line 2' >&2; exit 3")}),
                 ORK_TASK_FAILED, "exited with code 3; last lines of stderr:\nbad input\nline 2");
}

TEST(Run, NonZeroExitWithoutStderr) {
  expect_failure(run({.config_json = argv_config({"false"})}), ORK_TASK_FAILED, "exited with code 1");
}

TEST(Run, NonZeroExitFailsEvenWithAResult) {
  expect_failure(run({.config_json = shell_config("echo ORK_OUTPUT:1; exit 4")}), ORK_TASK_FAILED,
                 "exited with code 4");
}

TEST(Run, DeathBySignalIsNamed) {
  expect_failure(run({.config_json = shell_config("echo 'about to crash' >&2; kill -SEGV $$")}), ORK_TASK_FAILED,
                 "killed by signal SIGSEGV (11); last lines of stderr:\nabout to crash");
}

TEST(Run, MissingRelativeProgramFailsTheTask) {
  TempDir dir;
  expect_failure(run({.config_json = argv_config({"./bin/nope"}), .workdir = dir.str()}), ORK_TASK_FAILED,
                 "cannot start ./bin/nope (relative to " + dir.str() +
                     "): file not found (or its #! interpreter is missing)");
}

TEST(Run, MissingBareProgramFailsTheTask) {
  expect_failure(run({.config_json = argv_config({"ork-no-such-program"}), .env = {"PATH=/nonexistent:/also-not"}}),
                 ORK_TASK_FAILED,
                 "command not found: ork-no-such-program (searched PATH=/nonexistent:/also-not); install it, or "
                 "give its path, e.g. ./bin/ork-no-such-program");
}

TEST(Run, ProgramThatIsNotExecutableFailsTheTask) {
  TempDir dir;
  dir.write("script.sh", "#!/bin/sh\n");
  expect_failure(run({.config_json = argv_config({"./script.sh"}), .workdir = dir.str()}), ORK_TASK_FAILED,
                 "cannot start ./script.sh (relative to " + dir.str() +
                     "): permission denied; make it executable (chmod +x) or run it through its interpreter");
}

TEST(Run, MissingWorkdirFailsTheTask) {
  TempDir dir;
  std::string missing = dir.str() + "/missing";
  expect_failure(run({.config_json = argv_config({"/bin/true"}), .workdir = missing}), ORK_TASK_FAILED,
                 "cannot start the task: its working directory " + missing + " does not exist");
}

TEST(Run, LargeInputToAChildThatNeverReadsDoesNotDeadlock) {
  // Default SIGPIPE disposition here: a write to the closed pipe that raised
  // SIGPIPE in this thread would kill the test.
  ASSERT_NE(signal(SIGPIPE, SIG_DFL), SIG_ERR);
  std::string input = "{\"blob\": \"" + std::string(1024 * 1024, 'x') + "\"}";
  auto start = std::chrono::steady_clock::now();
  expect_success(run({.config_json = shell_config("sleep 0.2; echo ORK_OUTPUT:1"), .input_json = input}), "1");
  expect_success(run({.config_json = argv_config({"true"}), .input_json = input}), "");
  EXPECT_LT(seconds_since(start), 10.0);
  sigset_t pending;
  sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0) << "the executor must swallow the SIGPIPE it caused";
}

TEST(Run, TimeoutKillsTheWholeProcessTree) {
  // Become the reaper of orphans, so the killed background sleep is reaped
  // here and the group really disappears.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  RecordingTaskSink sink;
  auto start = std::chrono::steady_clock::now();
  Finish finish = run({.config_json = argv_config({"sh", "-c", "echo $$; echo waiting >&2; sleep 100 & sleep 100"}),
                       .timeout = 1s},
                      sink);
  double elapsed = seconds_since(start);
  expect_failure(finish, ORK_TASK_TIMED_OUT, "timed out after 1s; last lines of stderr:\nwaiting");
  EXPECT_LT(elapsed, 5.0);
  std::vector<std::string> out = sink.lines(ORK_LOG_STDOUT);
  ASSERT_EQ(out.size(), 1u);
  pid_t group = std::stoi(out[0]);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    gone = kill(-group, 0) != 0 && errno == ESRCH;
    if (!gone) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(gone) << "a process of group " << group << " survived the timeout";
}

TEST(Run, TimeoutEscalatesToSigkillWhenSigtermIsIgnored) {
  auto start = std::chrono::steady_clock::now();
  Finish finish = run({.config_json = shell_config("trap '' TERM; sleep 100"), .timeout = 500ms});
  expect_failure(finish, ORK_TASK_TIMED_OUT, "timed out after 500ms");
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST(Run, KillGraceComesFromTheEnvironment) {
  setenv("ORK_PROCESS_KILL_GRACE_MS", "250", 1);
  EXPECT_EQ(ProcessExecutor::Options::from_environment().kill_grace, 250ms);
  setenv("ORK_PROCESS_KILL_GRACE_MS", "soon", 1);
  EXPECT_THROW(ProcessExecutor::Options::from_environment(), std::invalid_argument);
  unsetenv("ORK_PROCESS_KILL_GRACE_MS");
  EXPECT_EQ(ProcessExecutor::Options::from_environment().kill_grace, 5000ms);
}

TEST(Run, LeftoverProcessHoldingStdoutDoesNotHangTheTask) {
  RecordingTaskSink sink;
  auto start = std::chrono::steady_clock::now();
  expect_success(run({.config_json = shell_config("sleep 100 & echo ORK_OUTPUT:1")}, sink), "1");
  EXPECT_LT(seconds_since(start), 5.0);
  EXPECT_EQ(sink.lines(ORK_LOG_SYSTEM),
            (std::vector<std::string>{"the task's main process exited, but processes it started kept its "
                                      "stdout/stderr open; killed its process group"}));
}

TEST(Run, ProcessOutsideTheGroupHoldingStdoutIsAbandoned) {
  RecordingTaskSink sink;
  auto start = std::chrono::steady_clock::now();
  // setsid leaves the task's process group, so killing the group misses it.
  expect_success(run({.config_json = shell_config("setsid sleep 3 & echo ORK_OUTPUT:1")}, sink), "1");
  EXPECT_LT(seconds_since(start), 2.5);
  EXPECT_EQ(sink.lines(ORK_LOG_SYSTEM),
            (std::vector<std::string>{
                "the task's main process exited, but processes it started kept its stdout/stderr open; killed its "
                "process group",
                "a process outside the task's process group still holds its stdout/stderr open; stopped reading"}));
}

TEST(Run, ChildGetsDefaultSignalsWhateverTheHostBlocksOrIgnores) {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t previous;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &previous), 0);
  auto previous_pipe = signal(SIGPIPE, SIG_IGN);
  RecordingTaskSink sink;
  expect_success(run({.config_json = argv_config({"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"})}, sink), "");
  signal(SIGPIPE, previous_pipe);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  std::vector<std::string> lines = sink.lines(ORK_LOG_STDOUT);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "SigBlk:\t0000000000000000");
  ASSERT_TRUE(lines[1].starts_with("SigIgn:\t"));
  // glibc's posix_spawn leaves its two internal real-time signals (32, 33)
  // ignored in every child; no standard signal may be.
  std::uint64_t ignored = std::stoull(lines[1].substr(8), nullptr, 16);
  EXPECT_EQ(ignored & 0x7fffffffu, 0u) << lines[1];
}

TEST(Run, ChildInheritsNoDescriptorButStdio) {
  UniqueFd leaky(open("/dev/null", O_RDONLY));  // no O_CLOEXEC on purpose
  ASSERT_TRUE(leaky);
  RecordingTaskSink sink;
  // ls opens the directory it lists as fd 3.
  expect_success(run({.config_json = argv_config({"ls", "/proc/self/fd"})}, sink), "");
  EXPECT_EQ(sink.lines(ORK_LOG_STDOUT), (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST(Run, CancelFromAnotherThread) {
  ProcessExecutor executor(testing::fast_options());
  RecordingTaskSink sink;
  auto start = std::chrono::steady_clock::now();
  std::thread runner([&] {
    run_task(executor, {.config_json = shell_config("echo started; echo 'stopping?' >&2; sleep 100"), .token = 7},
             sink);
  });
  ASSERT_TRUE(sink.wait_for_line("stopping?", 10s));
  executor.cancel(99);  // someone else's token: ignored
  executor.cancel(7);
  executor.cancel(7);  // idempotent
  runner.join();
  expect_failure(sink.finish(), ORK_TASK_CANCELLED, "cancelled; last lines of stderr:\nstopping?");
  EXPECT_LT(seconds_since(start), 5.0);
  executor.cancel(7);  // finished: a no-op
  // The next run gets the same (pooled) cancel signal, rearmed: it runs to its end.
  RecordingTaskSink next;
  run_task(executor, {.config_json = shell_config("sleep 0.2; echo ORK_OUTPUT:1"), .token = 8}, next);
  expect_success(next.finish(), "1");
}

TEST(Run, ConcurrentRunsOnOneExecutorStaySeparate) {
  ProcessExecutor executor(testing::fast_options());
  std::vector<std::future<Finish>> results;
  for (int i = 0; i < 8; ++i) {
    results.push_back(std::async(std::launch::async, [&executor, i] {
      RecordingTaskSink sink;
      run_task(executor,
               {.config_json = shell_config("read x; echo \"ORK_OUTPUT:$x\""),
                .input_json = std::to_string(i) + "\n",
                .token = static_cast<std::uint64_t>(100 + i)},
               sink);
      return sink.finish();
    }));
  }
  for (int i = 0; i < 8; ++i) expect_success(results[i].get(), std::to_string(i));
}

}  // namespace
}  // namespace ork::plugins::process
