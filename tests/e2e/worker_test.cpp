// `ork run --workers-only` with `ork worker` processes sharing one store:
// every task runs exactly once on some worker, the load spreads, and the
// attempt of a worker that dies is run again by another once its lease ends.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Workers, EveryTaskRunsExactlyOnceAcrossThreeWorkers) {
  TempDir dir;
  std::string yaml = "tasks:\n  root: {executor: process, command: 'echo root $ORK_WORKER >> side.log'}\n";
  for (int i = 0; i < 60; ++i) {
    yaml += "  t" + std::to_string(i) +
            ": {executor: process, command: 'echo $ORK_TASK $ORK_WORKER >> side.log; sleep 0.02; echo "
            "ORK_OUTPUT:" + std::to_string(i) + "', depends_on: [root]}\n";
  }
  dir.write("wf.yaml", yaml);
  std::vector<std::unique_ptr<BackgroundOrk>> workers;
  for (const char* name : {"w1", "w2", "w3"}) {
    workers.push_back(std::make_unique<BackgroundOrk>(
        std::vector<std::string>{"worker", "--slots", "2", "--name", name, "--executors", "process"}, dir.path()));
  }
  for (auto& w : workers) ASSERT_TRUE(w->wait_for_output("slots", 20000)) << w->out() << w->err();

  CommandResult r = run_ork({"run", "wf.yaml", "--workers-only", "--json", "--concurrency", "6"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto run = parse_json(r.out);
  EXPECT_EQ(run.at("status").as_string(), "succeeded");
  EXPECT_EQ(run.at("tasks").at("t59").at("output").as_int64(), 59);

  std::map<std::string, int> runs_of_task;
  std::set<std::string> workers_used;
  for (const auto& line : lines_of(dir.path() / "side.log")) {
    std::istringstream in(line);
    std::string task, worker;
    in >> task >> worker;
    runs_of_task[task]++;
    workers_used.insert(worker);
  }
  EXPECT_EQ(runs_of_task.size(), 61u);
  for (const auto& [task, n] : runs_of_task) EXPECT_EQ(n, 1) << task << " ran " << n << " times";
  EXPECT_GE(workers_used.size(), 2u) << "the load should spread over the workers";

  auto listed = parse_json(run_ork({"workers", "--json"}, dir.path()).out).at("workers").as_array();
  EXPECT_EQ(listed.size(), 3u);
  for (const auto& w : listed) EXPECT_TRUE(w.at("alive").as_bool()) << w;

  for (auto& w : workers) w->signal(SIGTERM);
  for (auto& w : workers) EXPECT_EQ(w->wait(20000), 0) << w->err();
}

TEST(Workers, TheAttemptOfADeadWorkerRunsAgainElsewhere) {
  TempDir dir;
  dir.write("task.sh", R"SH(echo "start $ORK_WORKER" >> side.log
if [ "$ORK_WORKER" = doomed ]; then sleep 30; fi
echo "ORK_OUTPUT:\"done by $ORK_WORKER\"")SH");
  dir.write("wf.yaml", "tasks:\n  t: {executor: process, command: [sh, task.sh]}\n");
  const std::vector<std::string> short_lease{"ORK_WORKER_LEASE_MS=1000"};
  auto doomed = std::make_unique<BackgroundOrk>(
      std::vector<std::string>{"worker", "--slots", "1", "--name", "doomed"}, dir.path(), short_lease);
  BackgroundOrk run({"run", "wf.yaml", "--workers-only", "--json"}, dir.path());
  ASSERT_TRUE(eventually([&] { return fs::exists(dir.path() / "side.log"); }, 20000)) << doomed->err();
  doomed->signal(SIGKILL);
  doomed.reset();
  BackgroundOrk rescuer({"worker", "--slots", "1", "--name", "rescuer"}, dir.path(), short_lease);
  ASSERT_EQ(run.wait(30000), 0) << run.out() << run.err() << rescuer.err();
  auto result = parse_json(run.out());
  EXPECT_EQ(result.at("tasks").at("t").at("output").as_string(), "done by rescuer");
  EXPECT_EQ(lines_of(dir.path() / "side.log"), (std::vector<std::string>{"start doomed", "start rescuer"}));
  rescuer.signal(SIGTERM);
  EXPECT_EQ(rescuer.wait(20000), 0);
}

TEST(Workers, WorkersOnlyNeedsAStoreWithAQueueAndWorkersNeedKnownExecutors) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  t: {executor: process, command: 'true'}\n");
  CommandResult bad = run_ork({"worker", "--executors", "procss"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "ork: --executors: no executor 'procss' is loaded here (see `ork plugins`)\n");
  CommandResult none = run_ork({"workers"}, dir.path());
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out, "no workers have reported to this store\n");
}

// The recorded log of the one task of the one run in `dir`'s store: stream and line.
std::vector<std::vector<std::string>> recorded_log(const fs::path& dir) {
  return sqlite_rows(dir / ".ork" / "ork.db", "SELECT stream, line FROM logs ORDER BY id");
}

TEST(Workers, AWorkerRecordsNoMoreOfAnAttemptsOutputThanOrkRun) {
  const std::string yaml =
      "tasks:\n  flood: {executor: process, command: 'for i in $(seq 100); do printf \"%099d\\\\n\" $i; done; "
      "echo ORK_OUTPUT:1'}\n";
  const std::vector<std::string> small_limit{"ORK_LOG_LIMIT_BYTES=2000"};
  TempDir local;
  local.write("wf.yaml", yaml);
  CommandResult here = run_ork({"run", "wf.yaml"}, local.path(), small_limit);
  ASSERT_EQ(here.exit_code, 0) << here.err;
  const auto expected = recorded_log(local.path());
  ASSERT_FALSE(expected.empty());
  const std::string note_end = "were not recorded: this attempt's output exceeded the log limit of 2000 bytes "
                               "(ORK_LOG_LIMIT_BYTES)";
  ASSERT_NE(expected.back()[1].find(note_end), std::string::npos) << expected.back()[1];
  ASSERT_LT(expected.size(), 20u);

  TempDir queued;
  queued.write("wf.yaml", yaml);
  BackgroundOrk worker({"worker", "--slots", "1", "--name", "w1"}, queued.path(), small_limit);
  ASSERT_TRUE(worker.wait_for_output("slots", 20000)) << worker.out() << worker.err();
  CommandResult r = run_ork({"run", "wf.yaml", "--workers-only", "--json"}, queued.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << worker.err();
  EXPECT_EQ(recorded_log(queued.path()), expected) << "the worker must cap the log as `ork run` does";
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(20000), 0) << worker.err();
}

// A function-task of a language plugin (Python, {file, function}) queued for a
// worker: the worker prepares it from the queued source keys and runs it; a
// crash in the function fails only that task.
TEST(Workers, AWorkerRunsFunctionTasksOfALanguage) {
  TempDir dir;
  dir.write("tasks/calc.py",
            "def add(a: int, b: int = 2) -> int:\n    return a + b\n\n\n"
            "def boom(x: int) -> int:\n    raise RuntimeError('boom')\n");
  dir.write("wf.yaml",
            "tasks:\n  add: {file: tasks/calc.py, function: add, inputs: {a: 40}}\n"
            "  twice: {file: tasks/calc.py, function: add, inputs: {a: {from: add}, b: 0}}\n"
            "  boom: {file: tasks/calc.py, function: boom, inputs: {x: 1}}\n");
  BackgroundOrk worker({"worker", "--slots", "2", "--name", "w1", "--executors", "python"}, dir.path());
  ASSERT_TRUE(worker.wait_for_output("slots", 20000)) << worker.out() << worker.err();
  CommandResult r = run_ork({"run", "wf.yaml", "--workers-only", "--json"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err << worker.err();
  auto run = parse_json(r.out);
  EXPECT_EQ(run.at("tasks").at("add").at("output").as_int64(), 42) << r.out;
  EXPECT_EQ(run.at("tasks").at("twice").at("output").as_int64(), 42) << r.out;
  EXPECT_EQ(run.at("tasks").at("boom").at("status").as_string(), "failed") << r.out;
  EXPECT_NE(boost::json::serialize(run.at("tasks").at("boom").at("error")).find("boom"), std::string::npos) << r.out;
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(20000), 0) << worker.err();
}

}  // namespace
}  // namespace ork::test
