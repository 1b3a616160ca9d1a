// Dynamic workflows (issue 14) through the HTTP API: a workflow's tasks show
// their trigger rule and condition, a run's graph and skipped tasks say the
// same, and a run that outlives its `timeout:` is cancelled with the reason
// as its error; a mapped task's instances are tasks of the run with their
// `parent` and `index`, each with its own logs, and the OpenAPI document
// says so.
#include "api_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

namespace json = boost::json;

const char* const guarded_yaml = R"(tasks:
  check:
    executor: process
    command: "echo 'ORK_OUTPUT:{\"rows\": 0}'"
    output_type: {rows: int}
  publish: {executor: process, command: "true", when: check.rows > 0}
  report: {executor: process, command: "true", depends_on: [publish], trigger_rule: all_done}
)";

TEST(DynamicApi, TasksShowTheirTriggerRuleAndConditionAndSkipsTheirReason) {
  ServeFixture serve;
  serve.write_workflow("guarded.yaml", guarded_yaml);
  serve.start();
  HttpResult one = serve.get("/api/workflows/guarded");
  ASSERT_EQ(one.status, 200) << one.body;
  const json::value workflow = one.json();
  const json::array& tasks = workflow.at("tasks").as_array();
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].at("trigger_rule"), "all_succeeded");
  EXPECT_TRUE(tasks[0].at("when").is_null());
  EXPECT_EQ(tasks[1].at("when"), "check.rows > 0");
  EXPECT_EQ(tasks[2].at("trigger_rule"), "all_done");

  std::string id = serve.run_to_end("guarded");
  json::object run = serve.get("/api/runs/" + id).json().as_object();
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(run.at("tasks").at("publish").at("status"), "skipped");
  EXPECT_EQ(run.at("tasks").at("publish").at("error"), "condition is false: when: check.rows > 0");
  EXPECT_EQ(run.at("tasks").at("report").at("status"), "succeeded");
  const json::array& graph = run.at("graph").as_array();
  ASSERT_EQ(graph.size(), 3u);
  EXPECT_EQ(graph[1].at("when"), "check.rows > 0");
  EXPECT_EQ(graph[2].at("trigger_rule"), "all_done");
}

TEST(DynamicApi, ARunTimeoutCancelsTheRunWithItsReason) {
  ServeFixture serve;
  serve.write_workflow("slow.yaml", "timeout: 500ms\ntasks:\n  slow: {executor: process, command: \"sleep 30\"}\n");
  serve.start();
  std::string id = serve.run_to_end("slow");
  json::object run = serve.get("/api/runs/" + id).json().as_object();
  EXPECT_EQ(run.at("status"), "cancelled");
  EXPECT_EQ(run.at("error"), "run timed out: it ran longer than its timeout of 500ms and was cancelled");
  EXPECT_EQ(run.at("tasks").at("slow").at("status"), "cancelled");
}

const char* const mapped_yaml = R"(tasks:
  items: {executor: process, command: "echo 'ORK_OUTPUT:[10, 20]'", output_type: "list[int]"}
  each:
    executor: process
    command: "cat >/dev/null; echo item $ORK_MAP_INDEX; echo ORK_OUTPUT:$ORK_MAP_INDEX"
    input_type: {x: int}
    output_type: int
    map: {x: {from: items}}
)";

TEST(DynamicApi, AMappedTasksInstancesAreTasksOfTheRunWithParentAndIndex) {
  ServeFixture serve;
  serve.write_workflow("mapped.yaml", mapped_yaml);
  serve.start();
  json::object workflow = serve.get("/api/workflows/mapped").json().as_object();
  const json::array& tasks = workflow.at("tasks").as_array();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[1].at("map"), (json::object{{"x", "items"}}));
  EXPECT_EQ(tasks[1].at("output"), "list[int]");
  EXPECT_EQ(tasks[0].at("map"), json::object{});

  std::string id = serve.run_to_end("mapped");
  json::object run = serve.get("/api/runs/" + id).json().as_object();
  EXPECT_EQ(run.at("status"), "succeeded");
  const json::object& run_tasks = run.at("tasks").as_object();
  EXPECT_EQ(run_tasks.at("each").at("output"), (json::array{0, 1}));
  EXPECT_FALSE(run_tasks.at("each").as_object().contains("parent"));
  EXPECT_EQ(run_tasks.at("each[1]").at("parent"), "each");
  EXPECT_EQ(run_tasks.at("each[1]").at("index"), 1);
  EXPECT_EQ(run_tasks.at("each[1]").at("output"), 1);
  EXPECT_EQ(run.at("graph").as_array().size(), 2u) << "instances are not nodes of the graph";
  HttpResult logs = serve.get("/api/runs/" + id + "/tasks/each%5B1%5D/logs");
  ASSERT_EQ(logs.status, 200) << logs.body;
  const json::value page = logs.json();
  const json::array& lines = page.at("lines").as_array();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].at("line"), "item 1");

  const json::value doc = serve.get("/api/openapi.json").json();
  const json::object& task_state = doc.at("components").at("schemas").at("TaskState").at("properties").as_object();
  EXPECT_TRUE(task_state.contains("parent"));
  EXPECT_TRUE(task_state.contains("index"));
  EXPECT_TRUE(doc.at("components").at("schemas").at("Task").at("properties").as_object().contains("map"));
}

}  // namespace
}  // namespace ork::test
