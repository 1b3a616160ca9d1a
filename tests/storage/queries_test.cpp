// Storage conformance, the read side, for every backend through the C ABI:
// every query kind, its JSON shape, filters, cursors, run id prefixes and bad
// params. Ported from the sqlite plugin's query tests.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "storage_support.hpp"

namespace ork::storage_test {
namespace {

namespace json = boost::json;

class StoreQueries : public StorageTest {
 protected:
  std::string error_of(int kind, std::string_view params) {
    try {
      store().query(kind, params);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }

  // Pages through LIST_RUNS with `filters` (a JSON fragment, may be empty).
  std::vector<json::object> all_runs(const std::string& filters, int limit, int* pages) {
    std::vector<json::object> runs;
    json::value cursor = nullptr;
    *pages = 0;
    do {
      std::string params = "{" + filters + (filters.empty() ? "" : ",") + R"("limit":)" + std::to_string(limit);
      if (!cursor.is_null()) params += R"(,"cursor":)" + json::serialize(cursor);
      params += "}";
      json::object page = query(ORK_QUERY_LIST_RUNS, params);
      for (json::value& run : page.at("runs").as_array()) runs.push_back(run.as_object());
      cursor = page.at("next_cursor");
      ++*pages;
    } while (!cursor.is_null() && *pages < 100);
    return runs;
  }

  // 120 runs over two workflows; every third has failed; created_at repeats
  // in pairs so paging must break ties by id.
  void create_120_runs() {
    for (int i = 0; i < 120; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "run%03d", i);
      create_run(id, {"a", "b"}, 1000 + i / 2, i % 2 == 0 ? "even" : "odd");
      if (i % 3 == 0) store().update_run(id, "failed", 5000, "boom");
    }
  }
};

TEST_P(StoreQueries, ListRunsPagesThroughEveryRunNewestFirst) {
  create_120_runs();
  int pages = 0;
  const std::vector<json::object> runs = all_runs("", 50, &pages);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(runs.size(), 120u);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    ids.insert(std::string(runs[i].at("run_id").as_string()));
    if (i == 0) continue;
    const auto previous = std::make_pair(runs[i - 1].at("created_at").as_int64(),
                                         std::string(runs[i - 1].at("run_id").as_string()));
    const auto current =
        std::make_pair(runs[i].at("created_at").as_int64(), std::string(runs[i].at("run_id").as_string()));
    EXPECT_GT(previous, current) << "at " << i;
  }
  EXPECT_EQ(ids.size(), 120u);
  EXPECT_EQ(runs.front().at("run_id"), "run119");
  EXPECT_EQ(runs.back().at("run_id"), "run000");
}

TEST_P(StoreQueries, ListRunsFiltersByWorkflowAndStatus) {
  create_120_runs();
  int pages = 0;
  EXPECT_EQ(all_runs(R"("workflow":"even")", 7, &pages).size(), 60u);
  EXPECT_EQ(pages, 9);
  const std::vector<json::object> failed = all_runs(R"("status":"failed")", 50, &pages);
  EXPECT_EQ(failed.size(), 40u);
  for (const json::object& run : failed) EXPECT_EQ(run.at("status"), "failed");
  const std::vector<json::object> both = all_runs(R"("workflow":"odd","status":"running")", 50, &pages);
  EXPECT_EQ(both.size(), 40u);
  for (const json::object& run : both) {
    EXPECT_EQ(run.at("workflow"), "odd");
    EXPECT_EQ(run.at("status"), "running");
  }
  EXPECT_TRUE(query(ORK_QUERY_LIST_RUNS, R"({"workflow":"none"})").at("runs").as_array().empty());
}

TEST_P(StoreQueries, ListRunsDefaultsToFiftyAndCapsTheLimit) {
  create_120_runs();
  EXPECT_EQ(query(ORK_QUERY_LIST_RUNS, "{}").at("runs").as_array().size(), 50u);
  EXPECT_EQ(query(ORK_QUERY_LIST_RUNS, "").at("runs").as_array().size(), 50u);
  const json::object all = query(ORK_QUERY_LIST_RUNS, R"({"limit":100000})");
  EXPECT_EQ(all.at("runs").as_array().size(), 120u);
  EXPECT_TRUE(all.at("next_cursor").is_null());
}

TEST_P(StoreQueries, RunObjectHasTheContractShape) {
  create_run("r1", {"a", "b", "c"}, 4242);
  update("r1", "a", 1, "running", 4300);
  update("r1", "a", 1, "succeeded", 4400, "1");
  update("r1", "b", 1, "running", 4500);
  const json::object run = query(ORK_QUERY_LIST_RUNS, "{}").at("runs").at(0).as_object();
  const json::object expected = {
      {"run_id", "r1"},          {"workflow", "etl"},
      {"workflow_version_id", 1}, {"status", "running"},
      {"inputs", {{"n", 3}}},    {"trigger", "cli"},
      {"owner", "host:1"},       {"idempotency_key", nullptr},
      {"created_at", 4242},      {"started_at", 4242},
      {"finished_at", nullptr},  {"error", nullptr},
      {"task_counts", {{"pending", 1}, {"running", 1}, {"succeeded", 1}}}};
  EXPECT_EQ(run, expected) << json::serialize(run);
}

TEST_P(StoreQueries, ListRunsRefusesBadParams) {
  EXPECT_NE(error_of(ORK_QUERY_LIST_RUNS, "{").find("LIST_RUNS query: params are not valid JSON"),
            std::string::npos);
  EXPECT_NE(error_of(ORK_QUERY_LIST_RUNS, "[1]").find("must be a JSON object"), std::string::npos);
  EXPECT_NE(error_of(ORK_QUERY_LIST_RUNS, R"({"wokflow":"x"})").find("unknown param 'wokflow'"), std::string::npos);
  EXPECT_NE(error_of(ORK_QUERY_LIST_RUNS, R"({"limit":0})").find("'limit' must be at least 1"), std::string::npos);
  EXPECT_NE(error_of(ORK_QUERY_LIST_RUNS, R"({"limit":"ten"})").find("'limit' must be an integer"),
            std::string::npos);
  EXPECT_NE(error_of(ORK_QUERY_LIST_RUNS, R"({"status":3})").find("'status' must be a string"), std::string::npos);
  EXPECT_NE(error_of(ORK_QUERY_LIST_RUNS, R"({"cursor":"garbage"})").find("pass the next_cursor"),
            std::string::npos);
  EXPECT_EQ(error_of(ORK_QUERY_LIST_RUNS, R"({"limit":"20","cursor":null})"), "");  // HTTP-style strings are fine
}

TEST_P(StoreQueries, GetRunAcceptsAUniquePrefix) {
  create_run("abc123", {"a"});
  create_run("abd456", {"a"});
  create_run("abc", {"a"});
  EXPECT_EQ(get_run("abd").at("run_id"), "abd456");
  EXPECT_EQ(get_run("abc1").at("run_id"), "abc123");
  EXPECT_EQ(get_run("abc").at("run_id"), "abc");  // an exact id wins over longer ids
  // Ambiguous: NOT_FOUND (the CLI exits 2, the API answers 404), listing the candidates.
  EXPECT_EQ(expect_error([&] { get_run("ab"); }, ORK_STATUS_NOT_FOUND, ""),
            "run id prefix 'ab' is ambiguous; it matches:\n  abc\n  abc123\n  abd456\ngive more characters of the id");
  for (int i = 0; i < 11; ++i) create_run("many" + std::to_string(100 + i), {"a"});
  const std::string many = expect_error([&] { get_run("many"); }, ORK_STATUS_NOT_FOUND, "");
  EXPECT_NE(many.find("  many109\n  ... and more\n"), std::string::npos) << many;
  EXPECT_EQ(many.find("many110"), std::string::npos) << many;
  EXPECT_EQ(expect_error([&] { get_run("xyz"); }, ORK_STATUS_NOT_FOUND, ""), "no run 'xyz'");
  EXPECT_NE(error_of(ORK_QUERY_GET_RUN, "{}").find("param 'run_id' is required"), std::string::npos);
}

TEST_P(StoreQueries, GetRunListsTasksInCreationOrderAndAttemptsByTask) {
  create_run("r1", {"zeta", "alpha", "mid"});
  update("r1", "zeta", 1, "running", 10);
  update("r1", "zeta", 1, "retrying", 11, "", "e", 20);
  update("r1", "zeta", 2, "running", 20);
  update("r1", "alpha", 1, "running", 12);
  const json::object run = get_run("r1");
  std::vector<std::string> names;
  for (const auto& entry : run.at("tasks").as_object()) names.emplace_back(entry.key());
  EXPECT_EQ(names, (std::vector<std::string>{"zeta", "alpha", "mid"}));
  const json::array& attempts = run.at("attempts").as_array();
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].at("task"), "alpha");
  EXPECT_EQ(attempts[1].at("task"), "zeta");
  EXPECT_EQ(attempts[1].at("attempt"), 1);
  EXPECT_EQ(attempts[2].at("attempt"), 2);
  const json::object expected_task = {{"status", "pending"},      {"attempts", 0},
                                      {"output", nullptr},        {"error", nullptr},
                                      {"started_at", nullptr},    {"finished_at", nullptr},
                                      {"next_attempt_at", nullptr}};
  EXPECT_EQ(run.at("tasks").at("mid"), expected_task);
}

TEST_P(StoreQueries, InvalidStoredJsonIsEmbeddedAsAString) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 10);
  update("r1", "a", 1, "succeeded", 11, "{oops");
  EXPECT_EQ(task_of("r1", "a").at("output"), "{oops");
}

TEST_P(StoreQueries, LogsPageInIdOrder) {
  create_run("run-logs-1", {"a", "b"});
  std::vector<LogLine> lines;
  std::vector<std::string> texts;
  texts.reserve(25);
  for (int i = 0; i < 25; ++i) texts.push_back("line " + std::to_string(i));
  for (int i = 0; i < 25; ++i) {
    lines.push_back({"run-logs-1", i % 5 == 0 ? "b" : "a", static_cast<std::uint32_t>(1 + i % 2),
                     i % 2 == 0 ? ORK_LOG_STDOUT : ORK_LOG_STDERR, 100 + i, texts[static_cast<std::size_t>(i)]});
  }
  store().append_logs(lines);

  std::vector<std::string> seen;
  json::value cursor = nullptr;
  int pages = 0;
  do {
    std::string params = R"({"run_id":"run-logs","limit":10)";  // a prefix works too
    if (!cursor.is_null()) params += R"(,"cursor":)" + json::serialize(cursor);
    const json::object page = query(ORK_QUERY_LOGS, params + "}");
    for (const json::value& line : page.at("lines").as_array()) seen.emplace_back(line.at("line").as_string());
    cursor = page.at("next_cursor");
    ++pages;
  } while (!cursor.is_null() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, texts);

  const json::object first = query(ORK_QUERY_LOGS, R"({"run_id":"run-logs-1","limit":1})");
  const json::object expected = {{"id", 1},     {"task", "b"},      {"attempt", 1},
                                 {"stream", "stdout"}, {"at", 100}, {"line", "line 0"}};
  EXPECT_EQ(first.at("lines").at(0), expected);
  EXPECT_EQ(first.at("next_cursor"), 1);
  EXPECT_EQ(query(ORK_QUERY_LOGS, R"({"run_id":"run-logs-1","task":"b"})").at("lines").as_array().size(), 5u);
  EXPECT_EQ(query(ORK_QUERY_LOGS, R"({"run_id":"run-logs-1","task":"a","attempt":2})").at("lines").as_array().size(),
            10u);
  EXPECT_EQ(query(ORK_QUERY_LOGS, R"({"run_id":"run-logs-1","cursor":24})").at("lines").as_array().size(), 1u);
  expect_error([&] { query(ORK_QUERY_LOGS, R"({"run_id":"nope"})"); }, ORK_STATUS_NOT_FOUND, "");
}

TEST_P(StoreQueries, LogLinesWithInvalidUtf8AreRepaired) {
  create_run("r1", {"a"});
  const std::vector<LogLine> lines = {{"r1", "a", 1, ORK_LOG_SYSTEM, 1, "caf\xE9 \xC3\xA9"}};
  store().append_logs(lines);
  const std::string answer = store().query(ORK_QUERY_LOGS, R"({"run_id":"r1"})");
  const json::object parsed = json::parse(answer).as_object();  // Boost.JSON refuses invalid UTF-8
  EXPECT_EQ(parsed.at("lines").at(0).at("line"), "caf\xEF\xBF\xBD \xC3\xA9");
  EXPECT_EQ(parsed.at("lines").at(0).at("stream"), "system");
}

TEST_P(StoreQueries, EventsComeInSequenceFromAfter) {
  create_run("r1", {"a"});
  update("r1", "a", 1, "running", 10);
  store().update_run("r1", "succeeded", 20, "");
  const json::object all = query(ORK_QUERY_EVENTS, R"({"after":0})");
  const json::array& events = all.at("events").as_array();
  ASSERT_EQ(events.size(), 3u);
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_GT(events[i].at("seq").as_int64(), events[i - 1].at("seq").as_int64());
  }
  EXPECT_EQ(all.at("last_seq"), events.back().at("seq"));
  const std::int64_t first_seq = events[0].at("seq").as_int64();
  const json::object rest = query(ORK_QUERY_EVENTS, R"({"after":)" + std::to_string(first_seq) + R"(,"limit":1})");
  ASSERT_EQ(rest.at("events").as_array().size(), 1u);
  EXPECT_EQ(rest.at("events").at(0).at("status"), "running");
  EXPECT_EQ(rest.at("last_seq"), first_seq + 1);
  const json::object none = query(ORK_QUERY_EVENTS, R"({"after":999})");
  EXPECT_TRUE(none.at("events").as_array().empty());
  EXPECT_EQ(none.at("last_seq"), events.back().at("seq"));
  EXPECT_EQ(query(ORK_QUERY_EVENTS, "{}").at("events").as_array().size(), 3u);
}

TEST_P(StoreQueries, EventsOnAnEmptyStore) {
  const json::object none = query(ORK_QUERY_EVENTS, R"({"after":0})");
  EXPECT_TRUE(none.at("events").as_array().empty());
  EXPECT_EQ(none.at("last_seq"), 0);
}

TEST_P(StoreQueries, ListWorkflowsShowsTheLatestVersionOfEachName) {
  save_workflow("zeta", "h1");
  const std::int64_t old_alpha = save_workflow("alpha", "h1");
  const std::int64_t new_alpha = save_workflow("alpha", "h2");
  save_workflow("alpha", "h1");  // saving an old version again does not make it the latest
  const json::array workflows = query(ORK_QUERY_LIST_WORKFLOWS, "{}").at("workflows").as_array();
  ASSERT_EQ(workflows.size(), 2u);
  const json::object expected = {{"name", "alpha"},
                                 {"version_id", new_alpha},
                                 {"content_hash", "h2"},
                                 {"file", "/w/etl.yaml"},
                                 {"created_at", 1000}};
  EXPECT_EQ(workflows[0], expected);
  EXPECT_EQ(workflows[1].at("name"), "zeta");
  EXPECT_NE(old_alpha, new_alpha);
  EXPECT_NE(error_of(ORK_QUERY_LIST_WORKFLOWS, R"({"x":1})").find("unknown param 'x' (known: none)"),
            std::string::npos);
}

TEST_P(StoreQueries, GetWorkflowByVersionOrLatestByName) {
  const std::int64_t v1 = save_workflow("etl", "h1");
  const std::int64_t v2 = save_workflow("etl", "h2");
  const json::object by_id = query(ORK_QUERY_GET_WORKFLOW, R"({"version_id":)" + std::to_string(v1) + "}");
  const json::object expected = {{"version_id", v1},
                                 {"name", "etl"},
                                 {"content_hash", "h1"},
                                 {"file", "/w/etl.yaml"},
                                 {"source", "name: etl\n"},
                                 {"spec", {{"tasks", {{"a", json::object()}}}}},
                                 {"created_at", 1000}};
  EXPECT_EQ(by_id, expected);
  EXPECT_EQ(query(ORK_QUERY_GET_WORKFLOW, R"({"name":"etl"})").at("version_id"), v2);
  expect_error([&] { query(ORK_QUERY_GET_WORKFLOW, R"({"version_id":999})"); }, ORK_STATUS_NOT_FOUND, "");
  expect_error([&] { query(ORK_QUERY_GET_WORKFLOW, R"({"name":"nope"})"); }, ORK_STATUS_NOT_FOUND, "");
  EXPECT_NE(error_of(ORK_QUERY_GET_WORKFLOW, "{}").find("exactly one of"), std::string::npos);
}

TEST_P(StoreQueries, UnknownQueryKindIsAnError) {
  EXPECT_NE(error_of(42, "{}").find("unknown query kind 42"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreQueries, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ork::storage_test
