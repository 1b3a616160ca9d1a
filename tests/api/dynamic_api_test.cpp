// Dynamic workflows (issue 14) through the HTTP API: a workflow's tasks show
// their trigger rule and condition, a run's graph and skipped tasks say the
// same, and a run that outlives its `timeout:` is cancelled with the reason
// as its error.
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

}  // namespace
}  // namespace ork::test
