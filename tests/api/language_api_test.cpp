// Function-tasks of language plugins (issue 13) through the HTTP API: a
// workflow's tasks and a run's graph carry each task's `language` beside its
// signature (python here, the language every build has), and the OpenAPI
// document declares the field.
#include "api_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ork::test {
namespace {

namespace json = boost::json;

TEST(LanguageApi, TasksShowTheirLanguageBesideTheirSignature) {
  ServeFixture serve;
  std::filesystem::path file = serve.write_workflow("lang.yaml", R"(tasks:
  add: {file: add.py, function: add, inputs: {a: 40}}
  done: {executor: process, command: "true", depends_on: [add]}
)");
  std::ofstream(file.parent_path() / "add.py") << "def add(a: int, b: int = 2) -> int:\n    return a + b\n";
  serve.start();
  HttpResult one = serve.get("/api/workflows/lang");
  ASSERT_EQ(one.status, 200) << one.body;
  const json::value workflow = one.json();
  const json::array& tasks = workflow.at("tasks").as_array();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].at("name"), "add");
  EXPECT_EQ(tasks[0].at("language"), "python");
  EXPECT_EQ(tasks[0].at("executor"), "python");
  EXPECT_EQ(tasks[0].at("inputs").at("b"), "int");
  EXPECT_EQ(tasks[1].at("language"), "") << "a process task has no language";

  std::string id = serve.run_to_end("lang");
  json::object run = serve.get("/api/runs/" + id).json().as_object();
  EXPECT_EQ(run.at("status"), "succeeded") << json::serialize(run);
  for (const json::value& node : run.at("graph").as_array()) {
    EXPECT_TRUE(node.as_object().contains("language")) << json::serialize(node);
  }
}

TEST(LanguageApi, OpenApiDeclaresTheLanguageOfATask) {
  ServeFixture serve;
  serve.start();
  HttpResult doc = serve.get("/api/openapi.json");
  ASSERT_EQ(doc.status, 200);
  const json::value openapi = doc.json();
  const json::object& task = openapi.at("components").at("schemas").at("Task").at("properties").as_object();
  EXPECT_EQ(task.at("language").at("type"), "string");
}

}  // namespace
}  // namespace ork::test
