// The run scheduler in-process (the built process executor and a throw-away
// SQLite store): how many transactions a run's task states take. Each task's
// end shares its transaction with the start of the next task its thread
// runs — in a fan, a sibling; in a chain, its own downstream, which no other
// thread may start before that transaction is committed.
#include "api_support.hpp"
#include "scheduler/run_scheduler.hpp"
#include "scheduler/run_setup.hpp"
#include "workflow/compiler.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

struct FinishedRun {
  std::string status;
  std::map<std::string, int> task_counts;
  std::uint64_t transactions = 0;
};

FinishedRun run_in_process(const TempDir& dir, const std::string& yaml, int concurrency) {
  const std::filesystem::path file = dir.write("wf.yaml", yaml);
  host::CompileResult compiled = host::compile_workflow(file, test_plugins());
  if (!compiled.workflow) throw std::runtime_error("the test workflow does not compile: " + compiled.errors.front().message);
  host::Store store = host::Store::open(test_plugins(), (dir.path() / "ork.db").string());
  host::RunOptions options;
  options.run_id = host::record_run(store, *compiled.workflow, host::RunRequest{}).run_id;
  options.concurrency = concurrency;
  host::NullObserver observer;
  host::RunScheduler scheduler(*compiled.workflow, test_plugins(), store, std::move(options), observer);
  FinishedRun run;
  run.status = scheduler.execute();
  run.task_counts = scheduler.task_counts();
  run.transactions = scheduler.state_transactions();
  return run;
}

std::string process_task(const std::string& name, const std::string& after) {
  return "  " + name + ": {executor: process, command: 'true'" +
         (after.empty() ? std::string() : ", depends_on: [" + after + "]") + "}\n";
}

TEST(SchedulerCommits, AChainOfNTasksTakesNPlusOneTransactions) {
  TempDir dir;
  constexpr int n = 30;
  std::string yaml = "name: chain\ntasks:\n";
  for (int i = 0; i < n; ++i) yaml += process_task("t" + std::to_string(i), i > 0 ? "t" + std::to_string(i - 1) : "");
  FinishedRun run = run_in_process(dir, yaml, 2);
  EXPECT_EQ(run.status, "succeeded");
  EXPECT_EQ(run.task_counts["succeeded"], n);
  // The first start, each end with the next start, the last end: recording
  // ends and starts apart would take 2n.
  EXPECT_EQ(run.transactions, static_cast<std::uint64_t>(n + 1));
}

TEST(SchedulerCommits, AFanTakesAboutOneTransactionPerTask) {
  TempDir dir;
  constexpr int n = 40;
  std::string yaml = "name: fan\ntasks:\n" + process_task("root", "");
  std::string leaves;
  for (int i = 0; i < n; ++i) {
    yaml += process_task("leaf" + std::to_string(i), "root");
    leaves += (i > 0 ? ", leaf" : "leaf") + std::to_string(i);
  }
  yaml += process_task("sink", leaves);
  FinishedRun run = run_in_process(dir, yaml, 2);
  EXPECT_EQ(run.status, "succeeded");
  EXPECT_EQ(run.task_counts["succeeded"], n + 2);
  // n + 2 tasks, and at most two transactions more: the second thread's
  // first start and its last end have no partner. The sink starts with the
  // last leaf's end, the leaves with the root's end and with each other's.
  EXPECT_LE(run.transactions, static_cast<std::uint64_t>(n + 4));
}

}  // namespace
}  // namespace ork::test
