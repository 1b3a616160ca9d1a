// The `node` executor: warm workers running what prepare built, console
// output as live log lines, errors and crashes failing only their task,
// timeouts and cancel killing the worker.
#include <gtest/gtest.h>

#include <thread>

#include "plugin_harness.hpp"

namespace ork::plugins::typescript::test {
namespace {

TEST(TypeScriptRun, CallsTheFunctionWithNamedInputsAndLogsConsoleOutput) {
  TempDir dir("ork-ts-run");
  dir.write("tasks/clean.ts",
            "export type int = number;\n"
            "export interface Row { id: int; name: string }\n"
            "export function clean(rows: Row[], limit: int = 1, suffix?: string): { names: string[]; total: int } {\n"
            "  console.log('cleaning', rows.length, 'rows');\n"
            "  console.error('a warning');\n"
            "  return { names: rows.slice(0, limit).map((r) => r.name + (suffix ?? '')), total: rows.length };\n"
            "}\n");
  RunOutcome outcome = prepare_and_run(
      dir.path(), "tasks/clean.ts", "clean",
      with_input(R"({"rows": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "limit": 2, "suffix": null})"));
  ASSERT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.log_text();
  EXPECT_EQ(outcome.finish_calls, 1);
  EXPECT_EQ(boost::json::parse(outcome.output), boost::json::parse(R"({"names": ["a", "b"], "total": 2})"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "cleaning 2 rows")) << outcome.log_text();
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDERR, "a warning")) << outcome.log_text();
  ASSERT_FALSE(outcome.logs.empty());
  EXPECT_EQ(outcome.logs[0].stream, ORK_LOG_SYSTEM);
  EXPECT_EQ(outcome.logs[0].text.rfind("node worker pid ", 0), 0u);

  RunOutcome defaults = prepare_and_run(dir.path(), "tasks/clean.ts", "clean",
                                        with_input(R"({"rows": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]})"));
  EXPECT_EQ(boost::json::parse(defaults.output), boost::json::parse(R"({"names": ["a"], "total": 2})"));
}

TEST(TypeScriptRun, DatesArriveAsDateAndLeaveAsIsoText) {
  TempDir dir("ork-ts-run");
  dir.write("t.ts", "export interface Ev { at: Date; name: string }\n"
                    "export async function next(events: Ev[]): Promise<{ last: Date; isDate: boolean }> {\n"
                    "  const at = events[0].at;\n"
                    "  return { last: new Date(at.getTime() + 86400000), isDate: at instanceof Date };\n"
                    "}\n");
  RunOutcome outcome =
      prepare_and_run(dir.path(), "t.ts", "next", with_input(R"({"events": [{"at": "2024-05-01T12:00:00Z", "name": "x"}]})"));
  ASSERT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.log_text();
  EXPECT_EQ(boost::json::parse(outcome.output),
            boost::json::parse(R"({"last": "2024-05-02T12:00:00.000Z", "isDate": true})"));
}

TEST(TypeScriptRun, AThrownErrorFailsTheTaskWithMessageAndTsStack) {
  TempDir dir("ork-ts-run");
  dir.write("tasks/boom.ts", "export function boom(n: number): number {\n"
                             "  if (n > 1) {\n"
                             "    throw new RangeError('bad row ' + n);\n"
                             "  }\n"
                             "  return n;\n"
                             "}\n");
  RunOutcome outcome = prepare_and_run(dir.path(), "tasks/boom.ts", "boom", with_input(R"({"n": 3})"));
  ASSERT_EQ(outcome.outcome, ORK_TASK_FAILED) << outcome.log_text();
  std::string where = (dir.path() / "tasks/boom.ts").string() + ":3:11";
  EXPECT_EQ(outcome.error, "RangeError: bad row 3 (at " + where + ")") << outcome.log_text();
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDERR, "RangeError: bad row 3")) << outcome.log_text();
  // The worker survives a thrown error and runs the next task.
  RunOutcome next = prepare_and_run(dir.path(), "tasks/boom.ts", "boom", with_input(R"({"n": 1})"));
  EXPECT_EQ(next.outcome, ORK_TASK_SUCCEEDED) << next.log_text();
}

TEST(TypeScriptRun, ACrashFailsOnlyThatTask) {
  TempDir dir("ork-ts-run");
  dir.write("t.ts", "export function crash(code: number): number { console.log('going'); process.exit(code); }\n"
                    "export function fine(): string { return 'ok'; }\n");
  RunOutcome crashed = prepare_and_run(dir.path(), "t.ts", "crash", with_input(R"({"code": 3})"));
  EXPECT_EQ(crashed.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(crashed.error.rfind("node worker died: exited with code 3", 0), 0u) << crashed.log_text();
  EXPECT_TRUE(crashed.logged(ORK_LOG_STDOUT, "going")) << crashed.log_text();
  RunOutcome after = prepare_and_run(dir.path(), "t.ts", "fine");
  EXPECT_EQ(after.outcome, ORK_TASK_SUCCEEDED) << after.log_text();
  EXPECT_EQ(after.output, "\"ok\"");
}

TEST(TypeScriptRun, IntOutputMustBeAnInteger) {
  TempDir dir("ork-ts-run");
  dir.write("t.ts", "type int = number;\nexport function half(n: int): int { return n / 2; }\n");
  RunOutcome outcome = prepare_and_run(dir.path(), "t.ts", "half", with_input(R"({"n": 3})"));
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(outcome.error, "function 'half' is declared to return int but returned 1.5");
}

TEST(TypeScriptRun, NaNOutputFailsNamingWhere) {
  TempDir dir("ork-ts-run");
  dir.write("t.ts", "export function f(): { xs: number[] } { return { xs: [1, NaN] }; }\n");
  RunOutcome outcome = prepare_and_run(dir.path(), "t.ts", "f");
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(outcome.error, "cannot serialise NaN at return value.xs[1]: JSON has no NaN or infinities");
}

TEST(TypeScriptRun, EnvAndWorkdirApplyToOneTaskOnly) {
  TempDir dir("ork-ts-run");
  dir.write("t.ts", "export function env(): string { return (process.env.ORK_TS_TEST ?? 'unset') + ':' + process.cwd(); }\n");
  RunOutcome with = prepare_and_run(dir.path(), "t.ts", "env", with_env("ORK_TS_TEST=yes"));
  EXPECT_EQ(with.output, "\"yes:" + dir.str() + "\"") << with.log_text();
  RunOutcome without = prepare_and_run(dir.path(), "t.ts", "env");
  EXPECT_EQ(without.output, "\"unset:" + dir.str() + "\"") << without.log_text();
}

TEST(TypeScriptRun, TimeoutKillsTheWorker) {
  TempDir dir("ork-ts-run");
  dir.write("t.ts", "export function spin(): number { for (;;) {} }\n");
  RunOutcome outcome = prepare_and_run(dir.path(), "t.ts", "spin", with_timeout(300));
  EXPECT_EQ(outcome.outcome, ORK_TASK_TIMED_OUT) << outcome.log_text();
  EXPECT_NE(outcome.error.find("the node worker running it was killed"), std::string::npos);
}

TEST(TypeScriptRun, CancelKillsTheWorker) {
  TempDir dir("ork-ts-run");
  dir.write("t.ts", "export function spin(): number { for (;;) {} }\n");
  CheckOutcome prepared = prepare(dir.path(), "t.ts", "spin");
  ASSERT_TRUE(prepared.config) << prepared.error_text();
  std::uint64_t token = next_token();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    descriptor().executor->cancel_task(plugin_state(), token);
  });
  RunOutcome outcome = run(dir.path(), *prepared.config, with_token(token));
  canceller.join();
  EXPECT_EQ(outcome.outcome, ORK_TASK_CANCELLED) << outcome.log_text();
}

TEST(TypeScriptRun, TasksRunInParallelWorkers) {
  TempDir dir("ork-ts-run");
  dir.write("t.ts", "export async function wait(ms: number): Promise<number> {\n"
                    "  await new Promise((r) => setTimeout(r, ms));\n  return process.pid;\n}\n");
  CheckOutcome prepared = prepare(dir.path(), "t.ts", "wait");
  ASSERT_TRUE(prepared.config) << prepared.error_text();
  std::vector<RunOutcome> outcomes(2);
  std::vector<std::thread> threads;
  for (auto& outcome : outcomes) {
    threads.emplace_back([&] { outcome = run(dir.path(), *prepared.config, with_input(R"({"ms": 400})")); });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(outcomes[0].outcome, ORK_TASK_SUCCEEDED) << outcomes[0].log_text();
  ASSERT_EQ(outcomes[1].outcome, ORK_TASK_SUCCEEDED) << outcomes[1].log_text();
  EXPECT_NE(outcomes[0].output, outcomes[1].output);  // two workers, one task each
}

TEST(TypeScriptRun, ExecutorCheckRefusesAnIncompleteConfig) {
  TempDir dir("ork-ts-run");
  std::string config = R"({"function": "f"})";
  std::string workflow_dir = dir.str();
  ork_task_spec spec{};
  spec.struct_size = ORK_STRUCT_SIZE(ork_task_spec);
  spec.workflow_dir = {workflow_dir.data(), workflow_dir.size()};
  spec.config_json = {config.data(), config.size()};
  std::vector<std::pair<std::string, std::string>> errors;
  ork_check_sink sink{ORK_STRUCT_SIZE(ork_check_sink), &errors,
                      [](void* ctx, ork_str key, ork_str message) {
                        static_cast<std::vector<std::pair<std::string, std::string>>*>(ctx)->emplace_back(
                            std::string(key.ptr, key.len), std::string(message.ptr, message.len));
                      },
                      [](void*, ork_str) {}, nullptr};
  ASSERT_EQ(descriptor().executor->check_task(plugin_state(), &spec, &sink, nullptr), ORK_STATUS_OK);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].first, "module");
  EXPECT_EQ(errors[1].first, "parameters");
}

}  // namespace
}  // namespace ork::plugins::typescript::test
