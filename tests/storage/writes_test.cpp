// Storage conformance, the write side, for every backend through the C ABI:
// workflows, runs, every task transition (including late events), run
// updates and logs. Ported from the sqlite plugin's update tests.
#include <gtest/gtest.h>

#include <iterator>
#include <string>
#include <vector>

#include "storage_support.hpp"

namespace ork::storage_test {
namespace {

namespace json = boost::json;

class StoreWrites : public StorageTest {};

std::int64_t count_events(const json::array& events, std::string_view kind) {
  std::int64_t n = 0;
  for (const json::value& e : events) n += e.at("kind").as_string() == kind ? 1 : 0;
  return n;
}

TEST_P(StoreWrites, SaveWorkflowReturnsTheSameIdForTheSameHash) {
  const std::int64_t first = save_workflow("etl", "h1");
  EXPECT_EQ(save_workflow("etl", "h1"), first);
  const std::int64_t second = save_workflow("etl", "h2");
  EXPECT_NE(second, first);
  EXPECT_NE(save_workflow("other", "h1"), first);
}

TEST_P(StoreWrites, CreateRunWritesARunningRunWithPendingTasks) {
  const CreatedRun created = create_run("r1", {"extract", "load"}, 7000);
  EXPECT_EQ(created.run_id, "r1");
  EXPECT_FALSE(created.existing);
  const json::object run = get_run("r1");
  EXPECT_EQ(run.at("status"), "running");
  EXPECT_EQ(run.at("created_at"), 7000);
  EXPECT_EQ(run.at("started_at"), 7000);
  EXPECT_TRUE(run.at("finished_at").is_null());
  EXPECT_EQ(run.at("task_counts"), (json::object{{"pending", 2}}));
  const json::object& task = run.at("tasks").at("load").as_object();
  EXPECT_EQ(task.at("status"), "pending");
  EXPECT_EQ(task.at("attempts"), 0);
  const json::array events = events_after(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("kind"), "run");
  EXPECT_EQ(events[0].at("status"), "running");
  EXPECT_TRUE(events[0].at("task").is_null());
}

TEST_P(StoreWrites, IdempotencyKeyReturnsTheExistingRun) {
  EXPECT_FALSE(create_run("r1", {"a"}, 1, "etl", "nightly-2024-01-01").existing);
  const CreatedRun again = create_run("r2", {"a"}, 2, "etl", "nightly-2024-01-01");
  EXPECT_TRUE(again.existing);
  EXPECT_EQ(again.run_id, "r1");
  expect_error([&] { get_run("r2"); }, ORK_STATUS_NOT_FOUND, "");
  // The key is scoped to its workflow, and no key never matches.
  EXPECT_FALSE(create_run("r3", {"a"}, 3, "other", "nightly-2024-01-01").existing);
  EXPECT_FALSE(create_run("r4", {"a"}, 4).existing);
  EXPECT_FALSE(create_run("r5", {"a"}, 5).existing);
  EXPECT_EQ(get_run("r1").at("idempotency_key"), "nightly-2024-01-01");
  EXPECT_TRUE(get_run("r4").at("idempotency_key").is_null());
  EXPECT_EQ(count_events(events_after(0), "run"), 4);
}

TEST_P(StoreWrites, CreateRunRefusesADuplicateIdOrAnUnknownVersion) {
  create_run("r1", {"a"});
  expect_error([&] { create_run("r1", {"a"}); }, ORK_STATUS_CONFLICT, "");
  expect_error([&] { store().create_run("r2", 9999, "etl", {"a"}, 1); }, ORK_STATUS_NOT_FOUND,
               "workflow version 9999 does not exist");
  const std::int64_t version = save_workflow();
  expect_error([&] { store().create_run("r3", version, "etl", {"a", "a"}, 1); }, ORK_STATUS_ERROR,
               "task 'a' is listed twice in run 'r3'");
  expect_error([&] { get_run("r3"); }, ORK_STATUS_NOT_FOUND, "");  // rolled back as a whole
}

TEST_P(StoreWrites, RunningStartsAnAttempt) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 100);
  const json::object run = get_run("r1");
  const json::object& task = run.at("tasks").at("a").as_object();
  EXPECT_EQ(task.at("status"), "running");
  EXPECT_EQ(task.at("attempts"), 1);
  EXPECT_EQ(task.at("started_at"), 100);
  EXPECT_TRUE(task.at("finished_at").is_null());
  const json::array& attempts = run.at("attempts").as_array();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].at("status"), "running");
  EXPECT_EQ(attempts[0].at("started_at"), 100);
}

TEST_P(StoreWrites, SucceededRecordsOutputOnTaskAndAttempt) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 100);
  update("r1", "a", 1, "succeeded", 150, R"({"rows":[1,2,3]})");
  const json::object run = get_run("r1");
  const json::object& task = run.at("tasks").at("a").as_object();
  EXPECT_EQ(task.at("status"), "succeeded");
  EXPECT_EQ(task.at("output"), json::parse(R"({"rows":[1,2,3]})"));
  EXPECT_EQ(task.at("finished_at"), 150);
  EXPECT_TRUE(task.at("error").is_null());
  const json::object& attempt = run.at("attempts").at(0).as_object();
  EXPECT_EQ(attempt.at("status"), "succeeded");
  EXPECT_EQ(attempt.at("started_at"), 100);
  EXPECT_EQ(attempt.at("finished_at"), 150);
  EXPECT_EQ(attempt.at("output"), json::parse(R"({"rows":[1,2,3]})"));
}

TEST_P(StoreWrites, FailedAndCancelledRecordTheError) {
  create_run("r1", {"a", "b"});
  update("r1", "a", 1, "running", 100);
  update("r1", "a", 1, "failed", 110, "", "exit code 3");
  update("r1", "b", 1, "running", 100);
  update("r1", "b", 1, "cancelled", 120, "", "cancelled by user");
  const json::object run = get_run("r1");
  EXPECT_EQ(run.at("tasks").at("a").at("status"), "failed");
  EXPECT_EQ(run.at("tasks").at("a").at("error"), "exit code 3");
  EXPECT_EQ(run.at("tasks").at("a").at("finished_at"), 110);
  EXPECT_TRUE(run.at("tasks").at("a").at("output").is_null());
  EXPECT_EQ(run.at("tasks").at("b").at("status"), "cancelled");
  EXPECT_EQ(run.at("attempts").at(1).at("status"), "cancelled");
  EXPECT_EQ(run.at("attempts").at(1).at("error"), "cancelled by user");
}

TEST_P(StoreWrites, RetryingFailsTheAttemptAndSchedulesTheNext) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 100);
  update("r1", "a", 1, "retrying", 110, "", "timed out", 2110);
  json::object task = task_of("r1", "a");
  EXPECT_EQ(task.at("status"), "retrying");
  EXPECT_EQ(task.at("error"), "timed out");
  EXPECT_EQ(task.at("next_attempt_at"), 2110);
  EXPECT_TRUE(task.at("finished_at").is_null());
  EXPECT_EQ(get_run("r1").at("attempts").at(0).at("status"), "failed");
  EXPECT_EQ(get_run("r1").at("attempts").at(0).at("finished_at"), 110);

  update("r1", "a", 2, "running", 2200);
  task = task_of("r1", "a");
  EXPECT_EQ(task.at("status"), "running");
  EXPECT_EQ(task.at("attempts"), 2);
  EXPECT_EQ(task.at("started_at"), 100);  // when the task first started
  EXPECT_TRUE(task.at("error").is_null());
  EXPECT_TRUE(task.at("next_attempt_at").is_null());

  update("r1", "a", 2, "succeeded", 2300, "7");
  const json::object run = get_run("r1");
  EXPECT_EQ(run.at("tasks").at("a").at("output"), 7);
  const json::array& attempts = run.at("attempts").as_array();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].at("attempt"), 1);
  EXPECT_EQ(attempts[0].at("error"), "timed out");
  EXPECT_EQ(attempts[1].at("attempt"), 2);
  EXPECT_EQ(attempts[1].at("status"), "succeeded");
}

TEST_P(StoreWrites, AttemptlessUpdatesTouchOnlyTheTask) {
  create_run("r1", {"a", "b", "c"});
  update("r1", "a", 0, "skipped", 100, "", "upstream_failed");
  update("r1", "b", 0, "cancelled", 110, "", "run cancelled");
  update("r1", "c", 1, "running", 100);
  update("r1", "c", 1, "retrying", 110, "", "boom", 500);
  update("r1", "c", 0, "cancelled", 120, "", "run cancelled");  // cancel while waiting to retry
  const json::object run = get_run("r1");
  EXPECT_EQ(run.at("tasks").at("a").at("status"), "skipped");
  EXPECT_EQ(run.at("tasks").at("a").at("error"), "upstream_failed");
  EXPECT_EQ(run.at("tasks").at("a").at("finished_at"), 100);
  EXPECT_EQ(run.at("tasks").at("a").at("attempts"), 0);
  EXPECT_EQ(run.at("tasks").at("b").at("status"), "cancelled");
  EXPECT_EQ(run.at("tasks").at("b").at("finished_at"), 110);
  EXPECT_EQ(run.at("tasks").at("c").at("status"), "cancelled");
  EXPECT_EQ(run.at("tasks").at("c").at("attempts"), 1);
  EXPECT_TRUE(run.at("tasks").at("c").at("next_attempt_at").is_null());
  EXPECT_EQ(run.at("attempts").as_array().size(), 1u);  // only c's real attempt
}

TEST_P(StoreWrites, LateEventsNeverOverwriteAFinalState) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 100);
  update("r1", "a", 1, "retrying", 110, "", "flaky", 200);
  update("r1", "a", 2, "running", 200);
  update("r1", "a", 2, "succeeded", 300, R"("done")");
  const std::size_t events_before = events_after(0).size();

  update("r1", "a", 2, "failed", 310, "", "late failure of the same attempt");
  update("r1", "a", 1, "running", 320);
  update("r1", "a", 1, "retrying", 330, "", "late retry of an older attempt", 400);
  update("r1", "a", 0, "pending", 340);
  update("r1", "a", 0, "cancelled", 350, "", "late cancel");

  const json::object run = get_run("r1");
  const json::object& task = run.at("tasks").at("a").as_object();
  EXPECT_EQ(task.at("status"), "succeeded");
  EXPECT_EQ(task.at("output"), "done");
  EXPECT_EQ(task.at("finished_at"), 300);
  EXPECT_EQ(run.at("attempts").at(0).at("status"), "failed");
  EXPECT_EQ(run.at("attempts").at(1).at("status"), "succeeded");
  EXPECT_EQ(events_after(0).size(), events_before);  // ignored updates write no event
}

TEST_P(StoreWrites, AHigherAttemptRestartsAFinalTask) {
  create_run("r1", {"a", "b"});
  update("r1", "a", 1, "running", 100);
  update("r1", "a", 1, "failed", 110, "", "crashed");
  update("r1", "b", 0, "skipped", 110, "", "upstream_failed");
  update("r1", "a", 2, "running", 500);
  update("r1", "b", 1, "running", 600);
  const json::object run = get_run("r1");
  const json::object& a = run.at("tasks").at("a").as_object();
  EXPECT_EQ(a.at("status"), "running");
  EXPECT_EQ(a.at("attempts"), 2);
  EXPECT_TRUE(a.at("finished_at").is_null());
  EXPECT_TRUE(a.at("error").is_null());
  EXPECT_EQ(run.at("tasks").at("b").at("status"), "running");
  EXPECT_TRUE(run.at("tasks").at("b").at("finished_at").is_null());
}

TEST_P(StoreWrites, AnUpdateForAnOlderAttemptIsIgnored) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 100);
  update("r1", "a", 1, "retrying", 110, "", "x", 200);
  update("r1", "a", 2, "running", 200);
  update("r1", "a", 1, "failed", 210, "", "stale");
  EXPECT_EQ(task_of("r1", "a").at("status"), "running");
  EXPECT_EQ(task_of("r1", "a").at("attempts"), 2);
}

TEST_P(StoreWrites, EveryAppliedTaskUpdateWritesOneEvent) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 100);
  update("r1", "a", 1, "succeeded", 200, "1");
  const json::array events = events_after(0);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].at("kind"), "task");
  EXPECT_EQ(events[1].at("task"), "a");
  EXPECT_EQ(events[1].at("status"), "running");
  EXPECT_EQ(events[1].at("at"), 100);
  EXPECT_EQ(events[2].at("status"), "succeeded");
  EXPECT_EQ(events[2].at("run_id"), "r1");
}

TEST_P(StoreWrites, UpdateTaskRefusesUnknownRunsTasksAndStatuses) {
  create_run("r1", {"a"});
  EXPECT_EQ(expect_error([&] { update("nope", "a", 1, "running", 1); }, ORK_STATUS_NOT_FOUND, ""), "no run 'nope'");
  EXPECT_EQ(expect_error([&] { update("r1", "zz", 1, "running", 1); }, ORK_STATUS_NOT_FOUND, ""),
            "run 'r1' has no task 'zz'");
  expect_error([&] { update("r1", "a", 1, "done", 1); }, ORK_STATUS_ERROR, "unknown task status 'done'");
}

// `map:` instances ("count[3]") are not listed when a run is created: the
// first transition of one adds its row, at its mapped task's position, and
// nothing else is added that way.
TEST_P(StoreWrites, AnInstanceOfATaskGetsItsRowOnItsFirstTransition) {
  create_run("r1", {"count", "total"});
  update("r1", "count[1]", 0, "pending", 10);
  update("r1", "count[0]", 1, "running", 20);
  update("r1", "count[0]", 1, "succeeded", 30, "7");
  const json::object run = get_run("r1");
  const json::object& tasks = run.at("tasks").as_object();
  ASSERT_EQ(tasks.size(), 4u);
  EXPECT_EQ(tasks.at("count[0]").at("status"), "succeeded");
  EXPECT_EQ(tasks.at("count[0]").at("output"), 7);
  EXPECT_EQ(tasks.at("count[1]").at("status"), "pending");
  EXPECT_EQ(run.at("attempts").as_array().size(), 1u);
  EXPECT_EQ(tasks.begin()->key(), "count");
  EXPECT_EQ(std::prev(tasks.end())->key(), "total") << "instances sit at their task's position";
  for (const char* bad : {"zz[0]", "count[]", "count[x]", "[0]"}) {
    EXPECT_EQ(expect_error([&] { update("r1", bad, 1, "running", 1); }, ORK_STATUS_NOT_FOUND, ""),
              "run 'r1' has no task '" + std::string(bad) + "'");
  }
}

TEST_P(StoreWrites, UpdateRunSetsStatusFinishAndError) {
  create_run("r1", {"a"});
  store().update_run("r1", "failed", 900, "task a failed");
  json::object run = get_run("r1");
  EXPECT_EQ(run.at("status"), "failed");
  EXPECT_EQ(run.at("finished_at"), 900);
  EXPECT_EQ(run.at("error"), "task a failed");
  store().update_run("r1", "running", 1000, "");  // resumed
  run = get_run("r1");
  EXPECT_EQ(run.at("status"), "running");
  EXPECT_TRUE(run.at("finished_at").is_null());
  EXPECT_TRUE(run.at("error").is_null());
  const json::array events = events_after(0);
  EXPECT_EQ(count_events(events, "run"), 3);
  EXPECT_EQ(events.back().at("status"), "running");
}

TEST_P(StoreWrites, UpdateRunRefusesUnknownRunsAndStatuses) {
  create_run("r1", {"a"});
  expect_error([&] { store().update_run("nope", "succeeded", 1, ""); }, ORK_STATUS_NOT_FOUND, "");
  expect_error([&] { store().update_run("r1", "paused", 1, ""); }, ORK_STATUS_ERROR, "");
}

TEST_P(StoreWrites, AppendLogsStoresBytesAsGivenAndOneEventPerTask) {
  using namespace std::string_literals;
  create_run("r1", {"a", "b"});
  const std::string binary = "nul\0and \xFF byte"s;
  const std::vector<LogLine> lines = {
      {"r1", "a", 1, ORK_LOG_STDOUT, 10, "first"},
      {"r1", "a", 1, ORK_LOG_STDERR, 12, binary},
      {"r1", "b", 1, ORK_LOG_SYSTEM, 11, "from b"},
  };
  store().append_logs(lines);
  // Shown bytes: invalid UTF-8 becomes U+FFFD; NUL stays a character.
  const json::array shown = query(ORK_QUERY_LOGS, R"({"run_id":"r1"})").at("lines").as_array();
  ASSERT_EQ(shown.size(), 3u);
  EXPECT_EQ(shown[1].at("line"), json::string("nul\0and \xEF\xBF\xBD byte"s));
  EXPECT_EQ(shown[1].at("stream"), "stderr");

  const json::array events = events_after(1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("kind"), "log");
  EXPECT_EQ(events[0].at("task"), "a");
  EXPECT_EQ(events[0].at("at"), 12);
  EXPECT_TRUE(events[0].at("status").is_null());
  EXPECT_EQ(events[1].at("task"), "b");
}

TEST_P(StoreWrites, AppendLogsForAnUnknownRunWritesNothing) {
  create_run("r1", {"a"});
  const std::vector<LogLine> lines = {
      {"r1", "a", 1, ORK_LOG_STDOUT, 10, "kept?"},
      {"ghost", "a", 1, ORK_LOG_STDOUT, 10, "orphan"},
  };
  expect_error([&] { store().append_logs(lines); }, ORK_STATUS_NOT_FOUND, "");
  EXPECT_TRUE(query(ORK_QUERY_LOGS, R"({"run_id":"r1"})").at("lines").as_array().empty());
  store().append_logs({});  // an empty batch is a no-op
}

TEST_P(StoreWrites, AppendLogsRefusesAnUnknownStream) {
  create_run("r1", {"a"});
  const std::vector<LogLine> lines = {{"r1", "a", 1, 9, 10, "x"}};
  expect_error([&] { store().append_logs(lines); }, ORK_STATUS_ERROR, "");
}

// Plugin API 1.9: a finished attempt's last lines and its end, in one
// transaction: both stored, the lines' event before the task's.
TEST_P(StoreWrites, LogsWithUpdatesStoresTheLinesThenTheTransitions) {
  ASSERT_TRUE(store().has_logs_with_updates());
  create_run("r1", {"a", "b"});
  update("r1", "a", 1, "running", 100);
  store().append_logs_and_update_tasks({{"r1", "a", 1, ORK_LOG_STDOUT, 110, "last words"}},
                                       {{"r1", "a", 1, "succeeded", 120, "7", ""}, {"r1", "b", 1, "running", 121, "", ""}});
  EXPECT_EQ(task_of("r1", "a").at("status"), "succeeded");
  EXPECT_EQ(task_of("r1", "a").at("output"), 7);
  EXPECT_EQ(task_of("r1", "b").at("status"), "running");
  const json::array shown = query(ORK_QUERY_LOGS, R"({"run_id":"r1"})").at("lines").as_array();
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].at("line"), "last words");
  const json::array events = events_after(0);  // the run's start, a's, then the call's three
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[2].at("kind"), "log");
  EXPECT_EQ(events[3].at("status"), "succeeded");
  EXPECT_EQ(events[4].at("status"), "running");
  // Either part may be empty.
  store().append_logs_and_update_tasks({}, {{"r1", "b", 1, "failed", 130, "", "boom"}});
  store().append_logs_and_update_tasks({{"r1", "b", 1, ORK_LOG_STDERR, 131, "late"}}, {});
  store().append_logs_and_update_tasks({}, {});
  EXPECT_EQ(task_of("r1", "b").at("status"), "failed");
  EXPECT_EQ(query(ORK_QUERY_LOGS, R"({"run_id":"r1"})").at("lines").as_array().size(), 2u);
}

// All or none: a transition the store refuses takes the lines with it, and
// a refused line takes the transitions with it.
TEST_P(StoreWrites, LogsWithUpdatesStoresNothingWhenEitherPartIsRefused) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 100);
  expect_error([&] {
    store().append_logs_and_update_tasks({{"r1", "a", 1, ORK_LOG_STDOUT, 110, "lost"}},
                                         {{"r1", "a", 1, "succeeded", 120, "1", ""}, {"r1", "zz", 1, "running", 121, "", ""}});
  }, ORK_STATUS_NOT_FOUND, "");
  expect_error([&] {
    store().append_logs_and_update_tasks({{"r1", "a", 1, ORK_LOG_STDOUT, 110, "lost"}, {"ghost", "a", 1, 1, 111, "x"}},
                                         {{"r1", "a", 1, "succeeded", 120, "1", ""}});
  }, ORK_STATUS_NOT_FOUND, "");
  expect_error([&] {
    store().append_logs_and_update_tasks({{"r1", "a", 1, 9, 110, "bad stream"}}, {{"r1", "a", 1, "succeeded", 120, "1", ""}});
  }, ORK_STATUS_ERROR, "");
  EXPECT_EQ(task_of("r1", "a").at("status"), "running");
  EXPECT_TRUE(query(ORK_QUERY_LOGS, R"({"run_id":"r1"})").at("lines").as_array().empty());
  EXPECT_EQ(events_after(0).size(), 2u) << "no event of a refused transaction";
}

TEST_P(StoreWrites, StateSurvivesReopening) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 100);
  close_store();
  EXPECT_EQ(task_of("r1", "a").at("status"), "running");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreWrites, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ork::storage_test
