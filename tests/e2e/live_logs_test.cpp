// Log lines are live: through the real binary, a line a task prints is
// visible to `ork logs` while the task is still running — for process,
// python and isolated library tasks, and for attempts run by `ork worker` —
// and it survives a kill -9 of `ork run`, staying with the interrupted
// attempt after `ork resume`. Each task prints, then waits for a "gate" file
// the test creates once it has seen the line, so the order of events is
// asserted without depending on how fast the machine is.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

// How long a printed line may take to show up before the test gives up: far
// above the ~100 ms batching window, so a loaded machine does not flake, and
// far below the 60 s the task would wait for its gate.
constexpr int visible_within_ms = 10000;

struct LiveTask {
  std::string yaml;                     // the workflow; its only task is `t`
  std::vector<std::string> printed;     // lines `ork logs RUN t` shows once it printed
};

// Prints "process says one" and "! process says two" (stderr), then waits for the gate.
LiveTask process_task(const TempDir& dir) {
  dir.write("task.sh", "echo process says one\necho process says two >&2\n"
                       "i=0; while [ ! -e \"$1\" ] && [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done\n"
                       "echo 'ORK_OUTPUT:\"done\"'\n");
  return {"tasks:\n  t: {executor: process, command: [sh, task.sh, " + (dir.path() / "gate").string() + "]}\n",
          {"process says one", "! process says two"}};
}

// Prints from Python (stdout and stderr) and from C (libc's printf, as a C
// extension would), then waits for the gate.
LiveTask python_task(const TempDir& dir) {
  dir.write("task.py", R"PY(import ctypes
import os
import sys
import time


def main(gate: str) -> str:
    print("python says one")
    print("python says two", file=sys.stderr)
    ctypes.CDLL(None).printf(b"C says three\n")
    deadline = time.monotonic() + 60
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.02)
    return "done"
)PY");
  return {"tasks:\n  t: {executor: python, file: task.py, function: main, inputs: {gate: " +
              (dir.path() / "gate").string() + "}}\n",
          {"python says one", "! python says two", "C says three"}};
}

// printf and fprintf(stderr) in an isolated library call (tests/e2e/libs/live_logs.c).
LiveTask isolated_library_task(const TempDir& dir) {
  return {"tasks:\n  t: {executor: library, file: " ORK_E2E_TASK_LIBS "/live_logs.so, function: print_then_wait, "
          "isolate: true, inputs: {gate: " + (dir.path() / "gate").string() + "}}\n",
          {"library says one", "! library says two"}};
}

std::string latest_run_id(const TempDir& dir) {
  CommandResult runs = run_ork({"runs", "--json", "--limit", "1"}, dir.path());
  if (runs.exit_code != 0) return "";
  boost::json::value parsed = parse_json(runs.out);
  const boost::json::array& list = parsed.at("runs").as_array();
  return list.empty() ? "" : std::string(list.at(0).at("run_id").as_string());
}

std::string task_status(const TempDir& dir, const std::string& run_id) {
  CommandResult r = run_ork({"tasks", run_id, "--json"}, dir.path());
  return std::string(parse_json(r.out).at("tasks").at("t").at("status").as_string());
}

bool shows_all(const std::string& logs, const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    if (logs.find(line + "\n") == std::string::npos) return false;
  }
  return true;
}

// Waits until `ork logs RUN t` shows every printed line, then checks that the
// task is still running: the lines reached the store before the task ended.
// Returns the run id (empty on failure).
std::string expect_lines_while_running(const TempDir& dir, const LiveTask& task) {
  std::string run_id;
  EXPECT_TRUE(eventually([&] { return !(run_id = latest_run_id(dir)).empty(); }, visible_within_ms));
  if (run_id.empty()) return "";
  std::string logs;
  std::vector<std::string> args{"logs", run_id, "t"};
  bool seen = eventually([&] { return shows_all(logs = run_ork(args, dir.path()).out, task.printed); },
                         visible_within_ms);
  EXPECT_TRUE(seen) << "logs while the task runs:\n" << logs;
  EXPECT_EQ(task_status(dir, run_id), "running") << "the task must still be waiting for its gate";
  return seen ? run_id : "";
}

class LiveLogs : public testing::TestWithParam<LiveTask (*)(const TempDir&)> {};

TEST_P(LiveLogs, APrintedLineIsVisibleWhileTheTaskStillRuns) {
  TempDir dir;
  LiveTask task = GetParam()(dir);
  dir.write("wf.yaml", task.yaml);
  BackgroundOrk run({"run", "wf.yaml", "--json"}, dir.path());
  std::string run_id = expect_lines_while_running(dir, task);
  dir.write("gate", "");
  ASSERT_EQ(run.wait(30000), 0) << run.out() << run.err();
  ASSERT_FALSE(run_id.empty());
  // Nothing written twice or lost when the attempt ends.
  std::string logs = run_ork({"logs", run_id, "t"}, dir.path()).out;
  EXPECT_TRUE(shows_all(logs, task.printed)) << logs;
  for (const std::string& line : task.printed) {
    EXPECT_EQ(logs.find(line + "\n"), logs.rfind(line + "\n")) << line << " recorded twice:\n" << logs;
  }
}

TEST_P(LiveLogs, AKilledRunKeepsTheLinesOfItsInterruptedAttempt) {
  TempDir dir;
  LiveTask task = GetParam()(dir);
  dir.write("wf.yaml", task.yaml);
  std::string run_id;
  {
    BackgroundOrk run({"run", "wf.yaml"}, dir.path());
    run_id = expect_lines_while_running(dir, task);
    run.signal(SIGKILL);
    run.wait(5000);
  }
  ASSERT_FALSE(run_id.empty());
  dir.write("gate", "");  // the second attempt (and the orphaned first one) may finish now
  CommandResult resumed = run_ork({"resume", run_id, "--json"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(parse_json(resumed.out).at("tasks").at("t").at("attempts").as_int64(), 2) << resumed.out;
  CommandResult first = run_ork({"logs", run_id, "t", "--attempt", "1"}, dir.path());
  EXPECT_TRUE(shows_all(first.out, task.printed)) << "attempt 1 after kill -9:\n" << first.out << first.err;
}

std::string executor_name(const testing::TestParamInfo<LiveLogs::ParamType>& info) {
  static const std::vector<std::string> names{"process", "python", "isolated_library"};
  return names.at(info.index);
}

INSTANTIATE_TEST_SUITE_P(Executors, LiveLogs, testing::Values(&process_task, &python_task, &isolated_library_task),
                         executor_name);

TEST(LiveLogs, LinesOfAnAttemptRunByOrkWorkerAreVisibleWhileItRuns) {
  TempDir dir;
  LiveTask task = process_task(dir);
  dir.write("wf.yaml", task.yaml);
  BackgroundOrk worker({"worker", "--slots", "1", "--name", "w1", "--executors", "process"}, dir.path());
  ASSERT_TRUE(worker.wait_for_output("slots", 20000)) << worker.out() << worker.err();
  BackgroundOrk run({"run", "wf.yaml", "--workers-only", "--json"}, dir.path());
  std::string run_id = expect_lines_while_running(dir, task);
  dir.write("gate", "");
  EXPECT_EQ(run.wait(30000), 0) << run.out() << run.err() << worker.err();
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(20000), 0) << worker.err();
}

}  // namespace
}  // namespace ork::test
