// `cache:` through the HTTP API (issue 14 item 4): a workflow's task shows
// its cache settings and the files of its code identity, and a run whose
// task reused an earlier output shows it `cached` with `cached_from`.
#include "api_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

namespace json = boost::json;

TEST(CacheApi, ACachedTaskShowsWhereItsOutputCameFrom) {
  ServeFixture serve;
  serve.write_workflow("step.sh", "echo 'ORK_OUTPUT:{\"rows\": 3}'\n");
  serve.write_workflow("cached.yaml", R"(tasks:
  step: {executor: process, command: [sh, step.sh], cache: {ttl: 1h, version: "2"}}
  after: {executor: process, command: "true", depends_on: [step]}
)");
  serve.start();
  HttpResult workflow = serve.get("/api/workflows/cached");
  ASSERT_EQ(workflow.status, 200) << workflow.body;
  const json::value shown = workflow.json();
  EXPECT_EQ(shown.at("tasks").at(0).at("cache"),
            (json::object{{"ttl_ms", 3'600'000}, {"version", "2"}, {"code_files", json::array{"step.sh"}}}));
  EXPECT_TRUE(shown.at("tasks").at(1).at("cache").is_null());

  const std::string first = serve.run_to_end("cached");
  const std::string second = serve.run_to_end("cached");
  const json::object run = serve.get("/api/runs/" + second).json().as_object();
  EXPECT_EQ(run.at("status"), "succeeded");
  const json::object& step = run.at("tasks").at("step").as_object();
  EXPECT_EQ(step.at("status"), "cached");
  EXPECT_EQ(step.at("output"), (json::object{{"rows", 3}}));
  EXPECT_TRUE(step.at("error").is_null());
  EXPECT_EQ(step.at("cached_from").at("run_id"), json::value(first));
  EXPECT_EQ(step.at("cached_from").at("task"), "step");
  EXPECT_EQ(run.at("tasks").at("after").at("status"), "succeeded");
  json::object earlier = serve.get("/api/runs/" + first).json().as_object();
  EXPECT_EQ(earlier.at("tasks").at("step").at("status"), "succeeded");
  EXPECT_FALSE(earlier.at("tasks").at("step").as_object().contains("cached_from"));
}

}  // namespace
}  // namespace ork::test
