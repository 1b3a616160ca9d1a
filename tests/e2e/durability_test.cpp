// Durable runs through the real binary: resuming after kill -9, `ork serve`
// picking up orphaned runs, Ctrl-C cancelling cleanly, idempotency keys, and
// the scheduler's limits (pools, max_active_runs, workflow concurrency).
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int count_lines_with(const std::string& text, const std::string& needle) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line == needle ? 1 : 0;
  return n;
}

// A chain of `n` tasks, each appending its name to side.log and sleeping a bit.
void write_chain(const TempDir& dir, int n, const std::string& sleep = "0.05") {
  std::string yaml = "tasks:\n";
  for (int i = 0; i < n; ++i) {
    yaml += "  t" + std::to_string(i) + ": {executor: process, command: 'echo $ORK_TASK >> side.log; sleep " + sleep +
            "; echo ORK_OUTPUT:" + std::to_string(i) + "'";
    if (i > 0) yaml += ", depends_on: [t" + std::to_string(i - 1) + "]";
    yaml += "}\n";
  }
  dir.write("wf.yaml", yaml);
}

std::string latest_run_id(const TempDir& dir) {
  CommandResult runs = run_ork({"runs", "--json", "--limit", "1"}, dir.path());
  return std::string(parse_json(runs.out).at("runs").at(0).at("run_id").as_string());
}

TEST(Durability, ResumeAfterKillNineNeverRerunsSucceededTasks) {
  TempDir dir;
  write_chain(dir, 30);
  {
    BackgroundOrk run({"run", "wf.yaml"}, dir.path());
    ASSERT_TRUE(run.wait_for_output("✓ t5 succeeded", 20000)) << run.out() << run.err();
    run.signal(SIGKILL);
    run.wait(5000);
  }
  std::string run_id = latest_run_id(dir);
  auto before = parse_json(run_ork({"tasks", run_id, "--json"}, dir.path()).out);
  EXPECT_EQ(before.at("status").as_string(), "running");
  std::vector<std::string> succeeded_before;
  for (const auto& [name, task] : before.at("tasks").as_object()) {
    if (task.at("status").as_string() == "succeeded") succeeded_before.emplace_back(name);
  }
  ASSERT_GE(succeeded_before.size(), 6u);

  CommandResult resumed = run_ork({"resume", run_id, "--json"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  auto after = parse_json(resumed.out);
  EXPECT_EQ(after.at("status").as_string(), "succeeded");
  for (int i = 0; i < 30; ++i) {
    const auto& task = after.at("tasks").at("t" + std::to_string(i));
    EXPECT_EQ(task.at("status").as_string(), "succeeded");
    EXPECT_EQ(task.at("output").as_int64(), i);
  }
  std::string side = read_file(dir.path() / "side.log");
  for (const auto& name : succeeded_before) {
    EXPECT_EQ(count_lines_with(side, name), 1) << name << " succeeded before the kill and must not run again";
  }
  // Resuming a finished run is refused.
  CommandResult again = run_ork({"resume", run_id}, dir.path());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_EQ(again.err, "ork: run " + run_id + " already ended (succeeded); nothing to resume\n");
}

// Each task of a chain but the first checks, with the sqlite3 shell, that its
// upstream's end is committed in the store: a task's end and its downstream's
// start share one transaction, so the downstream must never run before it.
TEST(Durability, ADownstreamRunsOnlyOnceItsUpstreamsEndIsCommitted) {
  TempDir dir;
  dir.write("check.sh",
            "status=$(sqlite3 .ork/ork.db \"select status from tasks where run_id = '$ORK_RUN_ID' and name = '$1'\")\n"
            "[ \"$status\" = succeeded ] || { echo \"upstream $1 is '$status' in the store\" >&2; exit 1; }\n");
  std::string yaml = "tasks:\n  t0: {executor: process, command: 'true'}\n";
  for (int i = 1; i < 12; ++i) {
    yaml += "  t" + std::to_string(i) + ": {executor: process, command: 'sh check.sh t" + std::to_string(i - 1) +
            "', depends_on: [t" + std::to_string(i - 1) + "]}\n";
  }
  dir.write("wf.yaml", yaml);
  CommandResult run = run_ork({"run", "wf.yaml", "--concurrency", "2"}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST(Durability, ServeResumesOrphanedRunsAtStart) {
  TempDir dir;
  write_chain(dir, 12);
  {
    BackgroundOrk run({"run", "wf.yaml"}, dir.path());
    ASSERT_TRUE(run.wait_for_output("✓ t2 succeeded", 20000)) << run.out() << run.err();
    run.signal(SIGKILL);
    run.wait(5000);
  }
  std::string run_id = latest_run_id(dir);
  fs::create_directories(dir.path() / "workflows");
  BackgroundOrk serve({"serve", "--bind", "127.0.0.1:0", "--workflows", "workflows"}, dir.path());
  bool finished = eventually(
      [&] {
        auto run = parse_json(run_ork({"tasks", run_id, "--json"}, dir.path()).out);
        return run.at("status").as_string() == "succeeded";
      },
      30000);
  EXPECT_TRUE(finished) << serve.out() << serve.err();
  EXPECT_NE(serve.err().find("resuming run " + run_id), std::string::npos) << serve.err();
  EXPECT_EQ(count_lines_with(read_file(dir.path() / "side.log"), "t0"), 1);
}

TEST(Durability, InterruptCancelsTheRunAndExits130) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  slow: {executor: process, command: "echo started; sleep 30"}
  after: {executor: process, command: "true", depends_on: [slow]}
  other: {executor: process, command: "sleep 30"}
)");
  BackgroundOrk run({"run", "wf.yaml", "--concurrency", "2"}, dir.path());
  ASSERT_TRUE(run.wait_for_output("… other started", 20000)) << run.out();
  ASSERT_TRUE(run.wait_for_output("… slow started", 20000)) << run.out();
  // Interrupt only once `slow` printed its line and the line was recorded
  // (logs are live): "started" is the partial log the cancel must keep, and a
  // SIGINT sent before `echo` ran would leave no line to keep.
  const std::string started_run = latest_run_id(dir);
  ASSERT_TRUE(eventually([&] { return run_ork({"logs", started_run, "slow"}, dir.path()).out == "started\n"; }, 20000));
  run.signal(SIGINT);
  int code = run.wait(20000);
  EXPECT_EQ(code, 130) << run.out() << run.err();
  std::string run_id = latest_run_id(dir);
  auto detail = parse_json(run_ork({"tasks", run_id, "--json"}, dir.path()).out);
  EXPECT_EQ(detail.at("status").as_string(), "cancelled");
  EXPECT_EQ(detail.at("tasks").at("slow").at("status").as_string(), "cancelled");
  EXPECT_EQ(detail.at("tasks").at("other").at("status").as_string(), "cancelled");
  EXPECT_EQ(detail.at("tasks").at("after").at("status").as_string(), "cancelled");
  // The partial log of the cancelled attempt is kept.
  EXPECT_EQ(run_ork({"logs", run_id, "slow"}, dir.path()).out, "started\n");
}

TEST(Durability, IdempotencyKeyReturnsTheExistingRun) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  a: {executor: process, command: 'echo run >> side.log'}\n");
  CommandResult first = run_ork({"run", "wf.yaml", "--json", "--idempotency-key", "nightly-2026-11-26"}, dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  CommandResult second = run_ork({"run", "wf.yaml", "--json", "--idempotency-key", "nightly-2026-11-26"}, dir.path());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(parse_json(first.out).at("run_id"), parse_json(second.out).at("run_id"));
  EXPECT_EQ(read_file(dir.path() / "side.log"), "run\n");
  CommandResult other = run_ork({"run", "wf.yaml", "--json", "--idempotency-key", "nightly-2026-11-27"}, dir.path());
  EXPECT_NE(parse_json(first.out).at("run_id"), parse_json(other.out).at("run_id"));
}

// Each task holds a lock file while it runs and fails if another holds it.
const char* exclusive_task = R"SH(if ! mkdir held.lock 2>/dev/null; then echo "overlap" >&2; exit 1; fi
sleep 0.1; rmdir held.lock)SH";

TEST(Durability, PoolOfSizeOneNeverRunsTwoTasksAtOnce) {
  TempDir dir;
  dir.write("exclusive.sh", exclusive_task);
  std::string yaml = "pools: {gpu: 1}\ntasks:\n";
  for (int i = 0; i < 6; ++i) yaml += "  t" + std::to_string(i) + ": {executor: process, command: [sh, exclusive.sh], pool: gpu}\n";
  yaml += "  free: {executor: process, command: 'true'}\n";
  dir.write("wf.yaml", yaml);
  CommandResult r = run_ork({"run", "wf.yaml", "--json", "--concurrency", "4"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(Durability, WorkflowConcurrencyCapsTheRun) {
  TempDir dir;
  dir.write("exclusive.sh", exclusive_task);
  std::string yaml = "concurrency: 1\ntasks:\n";
  for (int i = 0; i < 5; ++i) yaml += "  t" + std::to_string(i) + ": {executor: process, command: [sh, exclusive.sh]}\n";
  dir.write("wf.yaml", yaml);
  CommandResult r = run_ork({"run", "wf.yaml", "--json", "--concurrency", "4"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(Durability, UndeclaredPoolIsRefused) {
  TempDir dir;
  dir.write("wf.yaml", "pools: {gpu: 1}\ntasks:\n  a: {executor: process, command: 'true', pool: gpus}\n");
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "wf.yaml:3:49: task \"a\": pool \"gpus\" is not declared (did you mean \"gpu\"?); declare it with "
                   "a size under the top-level \"pools:\" (e.g. pools: {gpus: 1})\n"
                   "ork: workflow refused (1 error); nothing was run or recorded\n");
}

TEST(Durability, MaxActiveRunsMakesASecondRunWait) {
  TempDir dir;
  dir.write("wf.yaml", "max_active_runs: 1\ntasks:\n  a: {executor: process, command: [sh, exclusive.sh]}\n");
  dir.write("exclusive.sh", R"SH(if ! mkdir held.lock 2>/dev/null; then echo "overlap" >&2; exit 1; fi
sleep 1; rmdir held.lock)SH");
  BackgroundOrk first({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(first.wait_for_output("… a started", 20000)) << first.out() << first.err();
  CommandResult second = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.err.find("older runs of wf are active (max_active_runs 1)"), std::string::npos) << second.err;
  EXPECT_EQ(first.wait(20000), 0) << first.out() << first.err();
}

TEST(Durability, CancelFromAnotherProcessStopsTheRun) {
  TempDir dir;
  dir.write("wf.yaml", "tasks:\n  slow: {executor: process, command: 'echo started; sleep 60'}\n"
                       "  after: {executor: process, command: 'true', depends_on: [slow]}\n");
  BackgroundOrk run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(run.wait_for_output("… slow started", 20000)) << run.out() << run.err();
  std::string run_id = latest_run_id(dir);
  // No server answers on this port: `ork cancel` asks the run's owner through the store.
  CommandResult cancel = run_ork({"cancel", run_id, "--server", "http://127.0.0.1:9"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("cancellation requested"), std::string::npos) << cancel.out;
  EXPECT_EQ(run.wait(30000), 1) << run.out() << run.err();
  auto detail = parse_json(run_ork({"tasks", run_id, "--json"}, dir.path()).out);
  EXPECT_EQ(detail.at("status").as_string(), "cancelled");
  EXPECT_EQ(detail.at("tasks").at("slow").at("status").as_string(), "cancelled");
  EXPECT_EQ(detail.at("tasks").at("after").at("status").as_string(), "cancelled");
}

TEST(Durability, CancelOfARunWhoseOwnerDiedClosesIt) {
  TempDir dir;
  write_chain(dir, 10, "0.2");
  {
    BackgroundOrk run({"run", "wf.yaml"}, dir.path());
    ASSERT_TRUE(run.wait_for_output("✓ t0 succeeded", 20000)) << run.out() << run.err();
    run.signal(SIGKILL);
    run.wait(5000);
  }
  std::string run_id = latest_run_id(dir);
  CommandResult cancel = run_ork({"cancel", run_id, "--server", "http://127.0.0.1:9"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  auto detail = parse_json(run_ork({"tasks", run_id, "--json"}, dir.path()).out);
  EXPECT_EQ(detail.at("status").as_string(), "cancelled");
  EXPECT_EQ(detail.at("tasks").at("t0").at("status").as_string(), "succeeded");
  EXPECT_EQ(detail.at("tasks").at("t9").at("status").as_string(), "cancelled");
}

}  // namespace
}  // namespace ork::test
