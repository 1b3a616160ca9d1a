// API answers never show the server's absolute workflows folder or its
// environment: compile errors, refusals and stored run errors name paths
// relative to the workflows folder and write the server's PATH as $PATH.
#include "api_support.hpp"
#include "http/api_redaction.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace ork::test {
namespace {

namespace json = boost::json;

void expect_no_server_details(const std::string& text, const std::string& workflows, const std::string& what) {
  EXPECT_EQ(text.find(workflows), std::string::npos) << what << " shows the workflows folder: " << text;
  const char* path = std::getenv("PATH");
  ASSERT_NE(path, nullptr);
  EXPECT_EQ(text.find(path), std::string::npos) << what << " shows the server's PATH: " << text;
}

TEST(ApiRedaction, ErrorsShowNeitherServerPathsNorThePathVariable) {
  ServeFixture serve;
  serve.write_workflow("lost.yaml", "name: lost\ntasks:\n  a:\n    executor: process\n    command: [ork-no-such-program-x]\n");
  serve.write_workflow("sub/missing.yaml", "name: missing\ntasks:\n  a:\n    executor: process\n    command: [./bin/nothing]\n");
  serve.write_workflow("ok.yaml", "name: ok\ntasks:\n  a:\n    executor: process\n    command: echo hi\n");
  serve.start();
  const std::string workflows = std::filesystem::weakly_canonical(serve.dir().path() / "workflows").string();

  HttpResult list = serve.get("/api/workflows");
  ASSERT_EQ(list.status, 200);
  ASSERT_NE(list.body.find("ork-no-such-program-x"), std::string::npos) << "the error is there: " << list.body;
  ASSERT_NE(list.body.find("$PATH"), std::string::npos) << list.body;
  expect_no_server_details(list.body, workflows, "GET /api/workflows");
  for (const char* name : {"lost", "missing"}) {
    HttpResult one = serve.get(std::string("/api/workflows/") + name);
    expect_no_server_details(one.body, workflows, std::string("GET /api/workflows/") + name);
    HttpResult trigger = serve.post(std::string("/api/workflows/") + name + "/runs", "{}");
    EXPECT_EQ(trigger.status, 409);
    expect_no_server_details(trigger.body, workflows, "POST runs");
  }

  // A stored error that names the folder and PATH, as a plugin's might.
  HttpResult started = serve.post("/api/workflows/ok/runs", "{}");
  const std::string id(started.json().at("run_id").as_string());
  serve.wait_for_run(id, [](const json::object& r) { return r.at("status") == "succeeded"; });
  serve.app().store().update_run(id, "failed", host::now_millis(),
                                 "cannot read " + workflows + "/data/in.csv (PATH=" + std::getenv("PATH") + ")");
  HttpResult run = serve.get("/api/runs/" + id);
  EXPECT_EQ(run.json().at("error"), "cannot read data/in.csv (PATH=$PATH)");
  expect_no_server_details(run.body, workflows, "GET /api/runs/{id}");
  expect_no_server_details(serve.get("/api/runs").body, workflows, "GET /api/runs");
}

TEST(ApiRedaction, ReplacesTheFolderAndPathVariable) {
  host::ApiRedactor redact("/srv/flows", "/opt/bin:/usr/bin");
  EXPECT_EQ(redact("file not found: ./x (relative to /srv/flows/sub)"), "file not found: ./x (relative to sub)");
  EXPECT_EQ(redact("in /srv/flows"), "in .");
  EXPECT_EQ(redact("not on PATH (PATH=/opt/bin:/usr/bin)"), "not on PATH (PATH=$PATH)");
  EXPECT_EQ(redact("/srv/flowsother/x"), "/srv/flowsother/x") << "another folder that only starts the same";
}

}  // namespace
}  // namespace ork::test
