// The run scheduler in-process (the built process executor and a throw-away
// SQLite store): how many transactions a run's task states take. Each task's
// end shares its transaction with the start of the next task its thread
// runs — in a fan, a sibling; in a chain, its own downstream, which no other
// thread may start before that transaction is committed. A task's log lines
// go with its end, in the same transaction.
#include "api_support.hpp"
#include "scheduler/run_scheduler.hpp"
#include "scheduler/run_setup.hpp"
#include "workflow/compiler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ork::test {
namespace {

struct FinishedRun {
  std::string status;
  std::map<std::string, int> task_counts;
  std::uint64_t transactions = 0;
  std::uint64_t log_transactions = 0;  // log lines stored in transactions of their own
  std::vector<host::StoredLogLine> lines;
};

FinishedRun run_in_process(const TempDir& dir, const std::string& yaml, int concurrency,
                           host::LogBatching log_batching = {}) {
  const host::PluginRegistry& plugins = test_plugins();
  const std::filesystem::path file = dir.write("wf.yaml", yaml);
  host::CompileResult compiled = host::compile_workflow(file, plugins);
  if (!compiled.workflow) throw std::runtime_error("the test workflow does not compile: " + compiled.errors.front().message);
  host::Store store = host::Store::open(plugins, (dir.path() / "ork.db").string());
  host::RunOptions options;
  options.run_id = host::record_run(store, *compiled.workflow, host::RunRequest{}).run_id;
  options.concurrency = concurrency;
  options.log_batching = log_batching;
  const std::string run_id = options.run_id;
  host::NullObserver observer;
  host::RunScheduler scheduler(*compiled.workflow, plugins, store, std::move(options), observer);
  FinishedRun run;
  run.status = scheduler.execute();
  run.task_counts = scheduler.task_counts();
  run.transactions = scheduler.state_transactions();
  run.log_transactions = scheduler.log_transactions();
  run.lines = store.logs(host::LogFilter{run_id, std::nullopt, std::nullopt, std::nullopt, 10000}).lines;
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

// A window no test outlasts: the log writer's own thread never writes, so
// every line is stored by the transaction that records its attempt's end.
const host::LogBatching never_on_its_own{std::chrono::hours(1), 2000};

std::string echo_task(const std::string& name, const std::string& after) {
  return "  " + name + ": {executor: process, command: 'echo from " + name + "'" +
         (after.empty() ? std::string() : ", depends_on: [" + after + "]") + "}\n";
}

// A task that logs pays no transaction of its own for its lines: they go
// with its end (before, it took one more per task: 2n + 1).
TEST(SchedulerCommits, AChainOfNTasksThatLogTakesNPlusOneTransactions) {
  TempDir dir;
  constexpr int n = 20;
  std::string yaml = "name: chain\ntasks:\n";
  for (int i = 0; i < n; ++i) yaml += echo_task("t" + std::to_string(i), i > 0 ? "t" + std::to_string(i - 1) : "");
  FinishedRun run = run_in_process(dir, yaml, 2, never_on_its_own);
  EXPECT_EQ(run.status, "succeeded");
  EXPECT_EQ(run.transactions, static_cast<std::uint64_t>(n + 1));
  EXPECT_EQ(run.log_transactions, 0u);
  ASSERT_EQ(run.lines.size(), static_cast<std::size_t>(n)) << "every task's line is stored";
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(run.lines[i].task, "t" + std::to_string(i));
    EXPECT_EQ(run.lines[i].line, "from t" + std::to_string(i));
  }
}

TEST(SchedulerCommits, AFanOfTasksThatLogTakesNoLogTransactions) {
  TempDir dir;
  constexpr int n = 30;
  std::string yaml = "name: fan\ntasks:\n" + echo_task("root", "");
  std::string leaves;
  for (int i = 0; i < n; ++i) {
    yaml += echo_task("leaf" + std::to_string(i), "root");
    leaves += (i > 0 ? ", leaf" : "leaf") + std::to_string(i);
  }
  yaml += echo_task("sink", leaves);
  FinishedRun run = run_in_process(dir, yaml, 2, never_on_its_own);
  EXPECT_EQ(run.status, "succeeded");
  EXPECT_LE(run.transactions, static_cast<std::uint64_t>(n + 4));
  EXPECT_EQ(run.log_transactions, 0u);
  EXPECT_EQ(run.lines.size(), static_cast<std::size_t>(n + 2));
}

// A storage plugin older than API 1.9 has no append_logs_and_update_tasks:
// the loader leaves the slot NULL, and the host stores the lines, then the
// transitions, in two transactions. This test NULLs the slot in the host's
// copy of the sqlite table (restored after) and records the calls it makes.
class StoreWithoutLogsWithUpdates {
 public:
  StoreWithoutLogsWithUpdates() : table_(const_cast<ork_storage_vtable*>(
                                      test_plugins().storage_for_scheme("file")->storage)),
                                  saved_(*table_) {
    original_ = saved_;
    calls_.clear();
    table_->append_logs_and_update_tasks = nullptr;
    table_->append_logs = &append_logs;
    table_->update_tasks = &update_tasks;
  }
  ~StoreWithoutLogsWithUpdates() { *table_ = saved_; }
  StoreWithoutLogsWithUpdates(const StoreWithoutLogsWithUpdates&) = delete;
  StoreWithoutLogsWithUpdates& operator=(const StoreWithoutLogsWithUpdates&) = delete;

  // "logs t3" for a batch of lines, "tasks t3:succeeded t4:running" for one of transitions.
  static const std::vector<std::string>& calls() { return calls_; }

 private:
  static ork_status append_logs(void* store, const ork_log_line* lines, size_t count, ork_error* err) {
    std::string call = "logs";
    for (size_t i = 0; i < count; ++i) call += " " + std::string(lines[i].task_name.ptr, lines[i].task_name.len);
    calls_.push_back(call);
    return original_.append_logs(store, lines, count, err);
  }
  static ork_status update_tasks(void* store, const ork_task_update* updates, size_t count, ork_error* err) {
    std::string call = "tasks";
    for (size_t i = 0; i < count; ++i) {
      call += " " + std::string(updates[i].task_name.ptr, updates[i].task_name.len) + ":" +
              std::string(updates[i].status.ptr, updates[i].status.len);
    }
    calls_.push_back(call);
    return original_.update_tasks(store, updates, count, err);
  }

  ork_storage_vtable* table_;
  ork_storage_vtable saved_;
  static inline ork_storage_vtable original_{};
  static inline std::vector<std::string> calls_;
};

TEST(SchedulerCommits, WithAnOlderStorePluginEachEndIsStoredAfterItsLines) {
  TempDir dir;
  constexpr int n = 5;
  std::string yaml = "name: chain\ntasks:\n";
  for (int i = 0; i < n; ++i) yaml += echo_task("t" + std::to_string(i), i > 0 ? "t" + std::to_string(i - 1) : "");
  FinishedRun run;
  std::vector<std::string> calls;
  {
    StoreWithoutLogsWithUpdates older;
    run = run_in_process(dir, yaml, 1, never_on_its_own);
    calls = StoreWithoutLogsWithUpdates::calls();
  }
  EXPECT_EQ(run.status, "succeeded");
  EXPECT_EQ(run.lines.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::string task = "t" + std::to_string(i);
    auto lines = std::find(calls.begin(), calls.end(), "logs " + task);
    auto end = std::find_if(calls.begin(), calls.end(), [&](const std::string& call) {
      return call.starts_with("tasks " + task + ":succeeded");
    });
    ASSERT_NE(lines, calls.end()) << task << "'s line was stored in a batch of its own";
    ASSERT_NE(end, calls.end());
    EXPECT_EQ(lines + 1, end) << task << ": its line, then at once its end";
  }
}

}  // namespace
}  // namespace ork::test
