// The HTTP API of `ork serve`, driven over a real loopback socket: every
// route, paging, filters, bad input, live events, and the OpenAPI document
// checked against the routes the server really has.
#include "api_support.hpp"
#include "workflows.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ork::test {
namespace {

namespace json = boost::json;

class ApiTest : public ::testing::Test {
 protected:
  ServeFixture serve;
};

TEST_F(ApiTest, ListsWorkflowsAndShowsTheTypedDag) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.write_workflow("notes.yaml", "title: not a workflow\n");
  serve.start();

  HttpResult list = serve.get("/api/workflows");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.headers["content-type"], "application/json");
  json::array workflows = list.json().at("workflows").as_array();
  ASSERT_EQ(workflows.size(), 1u) << "only files with tasks: are workflows";
  EXPECT_EQ(workflows[0].at("name"), "pipeline");
  EXPECT_EQ(workflows[0].at("task_count"), 2);
  EXPECT_TRUE(workflows[0].at("last_run").is_null());

  HttpResult one = serve.get("/api/workflows/pipeline");
  ASSERT_EQ(one.status, 200) << one.body;
  json::object wf = one.json().as_object();
  const json::array& tasks = wf.at("tasks").as_array();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].at("name"), "produce");
  EXPECT_EQ(tasks[0].at("executor"), "process");
  EXPECT_EQ(tasks[0].at("output"), "{values: list[int]}");
  EXPECT_EQ(tasks[1].at("depends_on").as_array(), json::array{"produce"});
  EXPECT_EQ(tasks[1].at("inputs").at("values"), "list[int]");
  EXPECT_EQ(tasks[1].at("inputs").at("who"), "str");
  EXPECT_EQ(tasks[1].at("output_structural"), "{total: int}");
  EXPECT_EQ(wf.at("inputs").as_array()[0].at("name"), "who");
  EXPECT_EQ(wf.at("inputs").as_array()[0].at("required"), false);
}

TEST_F(ApiTest, TriggersARunAndReturnsItWithTasksAttemptsAndGraph) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.start();
  std::string id = serve.run_to_end("pipeline", R"({"inputs": {"who": "ork"}})");

  HttpResult run = serve.get("/api/runs/" + id);
  ASSERT_EQ(run.status, 200) << run.body;
  json::object r = run.json().as_object();
  EXPECT_EQ(r.at("status"), "succeeded");
  EXPECT_EQ(r.at("trigger"), "api");
  EXPECT_EQ(r.at("inputs").at("who"), "ork");
  EXPECT_EQ(r.at("tasks").at("consume").at("output").at("total"), 6);
  EXPECT_EQ(r.at("tasks").at("produce").at("attempts"), 1);
  EXPECT_EQ(r.at("attempts").as_array().size(), 2u);
  const json::array& graph = r.at("graph").as_array();
  ASSERT_EQ(graph.size(), 2u);
  EXPECT_EQ(graph[1].at("name"), "consume");
  EXPECT_EQ(graph[1].at("inputs").at("values"), "list[int]");

  HttpResult workflows = serve.get("/api/workflows");
  EXPECT_EQ(workflows.json().at("workflows").as_array()[0].at("last_run").at("run_id"), json::value(id));
}

TEST_F(ApiTest, IdempotencyKeyReturnsTheSameRun) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.start();
  HttpResult first = serve.post("/api/workflows/pipeline/runs", R"({"idempotency_key": "k1"})");
  HttpResult second = serve.post("/api/workflows/pipeline/runs", R"({"idempotency_key": "k1"})");
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(first.json().at("run_id"), second.json().at("run_id"));
  EXPECT_EQ(second.json().at("existing"), true);
}

TEST_F(ApiTest, ARunStartedFromTheWebUiSaysSo) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.start();
  HttpResult started = serve.post("/api/workflows/pipeline/runs", R"({"trigger": "ui"})");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id(started.json().at("run_id").as_string());
  EXPECT_EQ(serve.get("/api/runs/" + id).json().at("trigger"), "ui");
}

TEST_F(ApiTest, ListsRunsNewestFirstWithFiltersAndCursorPaging) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.write_workflow("chatty.yaml", chatty_yaml);
  serve.start();
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(serve.run_to_end("pipeline"));
  std::string other = serve.run_to_end("chatty");

  std::vector<std::string> seen;
  std::string path = "/api/runs?workflow=pipeline&limit=2";
  for (int page = 0; page < 10; ++page) {
    HttpResult r = serve.get(path);
    ASSERT_EQ(r.status, 200) << r.body;
    json::object o = r.json().as_object();
    EXPECT_LE(o.at("runs").as_array().size(), 2u);
    for (const auto& run : o.at("runs").as_array()) {
      EXPECT_EQ(run.at("workflow"), "pipeline");
      seen.emplace_back(run.at("run_id").as_string());
    }
    if (o.at("next_cursor").is_null()) break;
    path = "/api/runs?workflow=pipeline&limit=2&cursor=" + std::string(o.at("next_cursor").as_string());
  }
  std::vector<std::string> newest_first(ids.rbegin(), ids.rend());
  EXPECT_EQ(seen, newest_first);

  HttpResult all = serve.get("/api/runs?status=succeeded");
  EXPECT_EQ(all.json().at("runs").as_array().size(), 6u);
  EXPECT_EQ(all.json().at("runs").as_array()[0].at("run_id"), json::value(other));
  EXPECT_EQ(serve.get("/api/runs?status=failed").json().at("runs").as_array().size(), 0u);

  EXPECT_EQ(serve.get("/api/runs?status=bogus").status, 400);
  EXPECT_EQ(serve.get("/api/runs?limit=0").status, 400);
  EXPECT_EQ(serve.get("/api/runs?limit=abc").status, 400);
}

TEST_F(ApiTest, LogsArePagedAndServedAsJsonText) {
  serve.write_workflow("chatty.yaml", chatty_yaml);
  serve.start();
  std::string id = serve.run_to_end("chatty");

  std::vector<std::string> lines;
  std::string path = "/api/runs/" + id + "/tasks/talk/logs?limit=10";
  for (int page = 0; page < 10; ++page) {
    HttpResult r = serve.get(path);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
    json::object o = r.json().as_object();
    for (const auto& l : o.at("lines").as_array()) lines.emplace_back(l.at("line").as_string());
    if (!o.at("more").as_bool()) break;
    path = "/api/runs/" + id + "/tasks/talk/logs?limit=10&cursor=" + std::to_string(o.at("next_cursor").as_int64());
  }
  ASSERT_EQ(lines.size(), 25u);
  EXPECT_EQ(lines[0], "line 1");
  EXPECT_EQ(lines[24], "<script>alert(1)</script>") << "log text comes back verbatim, as JSON data";
  EXPECT_EQ(serve.get("/api/runs/" + id + "/tasks/talk/logs?cursor=x").status, 400);
}

TEST_F(ApiTest, UnknownIdsGive404AndWrongMethods405) {
  serve.write_workflow("chatty.yaml", chatty_yaml);
  serve.start();
  std::string id = serve.run_to_end("chatty");
  for (const std::string& path : {std::string("/api/runs/nope"), std::string("/api/workflows/nope"),
                                  "/api/runs/" + id + "/tasks/nope/logs", std::string("/api/runs/nope/tasks/talk/logs"),
                                  std::string("/api/nothing"), std::string("/no-such-page")}) {
    HttpResult r = serve.get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.json().at("error").at("status"), 404) << path;
  }
  EXPECT_EQ(serve.post("/api/runs/nope/cancel").status, 404);
  EXPECT_EQ(serve.post("/api/workflows/nope/runs", "{}").status, 404);
  EXPECT_EQ(serve.post("/api/workflows/nope/pause").status, 404);
  EXPECT_EQ(http(serve.port(), "DELETE", "/api/runs/" + id).status, 405);
  EXPECT_EQ(serve.get("/api/runs/" + id + "/cancel").status, 405);
}

TEST_F(ApiTest, BadBodiesGive400WithoutLeakingServerDetails) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.start();
  const std::string trigger = "/api/workflows/pipeline/runs";
  for (const std::string& body : {std::string("{not json"), std::string("[1,2]"), std::string(R"({"inputs": 3})"),
                                  std::string(R"({"inputs": {"who": 42}})"), std::string(R"({"inputs": {"nope": 1}})"),
                                  std::string(R"({"surprise": true})"), std::string(R"({"idempotency_key": 5})"),
                                  std::string(R"({"trigger": "schedule"})"), std::string(R"({"trigger": 1})")}) {
    HttpResult r = serve.post(trigger, body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    const std::string message(r.json().at("error").at("message").as_string());
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.find(serve.dir().path().string()), std::string::npos) << message;
  }
  // The connection is still usable after a bad request (the body was drained).
  EXPECT_EQ(serve.get("/api/health").status, 200);
}

TEST_F(ApiTest, OversizedBodyGives413) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.start();
  std::string big = R"({"inputs": {"who": ")" + std::string(2u << 20, 'x') + "\"}}";
  HttpResult r = serve.post("/api/workflows/pipeline/runs", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json().at("error").at("status"), 413);
  EXPECT_EQ(serve.get("/api/runs").json().at("runs").as_array().size(), 0u);
}

TEST_F(ApiTest, CancelsARunningRunThenRefusesToCancelItAgain) {
  serve.write_workflow("sleepy.yaml", sleepy_yaml);
  serve.start();
  HttpResult started = serve.post("/api/workflows/sleepy/runs", "{}");
  std::string id(started.json().at("run_id").as_string());
  serve.wait_for_run(id, [](const json::object& r) { return r.at("tasks").at("nap").at("status") == "running"; });

  HttpResult cancel = serve.post("/api/runs/" + id + "/cancel");
  ASSERT_EQ(cancel.status, 202) << cancel.body;
  EXPECT_EQ(cancel.json().at("outcome"), "cancelling");
  json::object run = serve.wait_for_run(id, [](const json::object& r) { return r.at("status") == "cancelled"; });
  EXPECT_EQ(run.at("status"), "cancelled");
  EXPECT_EQ(serve.post("/api/runs/" + id + "/cancel").status, 409);
}

TEST_F(ApiTest, BrokenFileKeepsItsLastGoodVersionAndShowsErrors) {
  std::filesystem::path file = serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.start();
  std::string broken = std::string(pipeline_yaml) + "  extra:\n    executor: process\n    comand: true\n";
  serve.write_workflow("pipeline.yaml", broken);
  serve.app().catalog().refresh();

  json::object wf = serve.get("/api/workflows/pipeline").json().as_object();
  EXPECT_EQ(wf.at("ok"), false);
  ASSERT_FALSE(wf.at("errors").as_array().empty());
  const json::object& error = wf.at("errors").as_array()[0].as_object();
  EXPECT_EQ(error.at("file"), "pipeline.yaml") << "relative to the served folder, no server path";
  EXPECT_GT(error.at("line").as_int64(), 0);
  EXPECT_EQ(wf.at("tasks").as_array().size(), 2u) << "the last good version stays served";
  EXPECT_EQ(serve.run_to_end("pipeline").size(), 12u);

  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.app().catalog().refresh();
  EXPECT_EQ(serve.get("/api/workflows/pipeline").json().at("ok"), true);

  serve.write_workflow("never.yaml", "name: never\ntasks:\n  a: {executor: nope}\n");
  serve.app().catalog().refresh();
  json::object never = serve.get("/api/workflows/never").json().as_object();
  EXPECT_EQ(never.at("compiled"), false);
  EXPECT_EQ(serve.post("/api/workflows/never/runs", "{}").status, 409);
}

TEST_F(ApiTest, EventsStreamLiveAndResumeAfterLastEventId) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.start();
  SseReader live(serve.port(), "/api/events");
  ASSERT_EQ(live.status(), 200);
  std::string id = serve.run_to_end("pipeline");
  auto finished = live.wait_for([&](const SseReader::Event& e) {
    return e.name == "run" && e.data.at("run_id") == json::value(id) && e.data.at("status") == "succeeded";
  });
  ASSERT_TRUE(finished) << "the run's end reached the event stream";
  EXPECT_TRUE(live.wait_for([&](const SseReader::Event& e) {
    return e.name == "task" && e.data.at("task") == "consume" && e.data.at("status") == "succeeded";
  }));
  EXPECT_TRUE(live.wait_for([&](const SseReader::Event& e) { return e.name == "log"; }));

  SseReader replay(serve.port(), "/api/events?run=" + id, {{"Last-Event-ID", "0"}});
  auto first = replay.wait_for([&](const SseReader::Event& e) { return e.name == "run"; });
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data.at("status"), "running");
  EXPECT_TRUE(replay.wait_for([&](const SseReader::Event& e) { return e.id == finished->id; }));
}

TEST_F(ApiTest, RunOfAnotherProcessAppearsLive) {
  serve.write_workflow("pipeline.yaml", pipeline_yaml);
  serve.start();
  SseReader live(serve.port(), "/api/events");
  CommandResult cli = run_ork({"run", "workflows/pipeline.yaml", "--json", "--db", serve.db()}, serve.dir().path());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  std::string id(parse_json(cli.out).at("run_id").as_string());
  EXPECT_TRUE(live.wait_for([&](const SseReader::Event& e) {
    return e.name == "run" && e.data.at("run_id") == json::value(id) && e.data.at("status") == "succeeded";
  }));
  HttpResult run = serve.get("/api/runs/" + id);
  EXPECT_EQ(run.json().at("trigger"), "cli");
}

TEST_F(ApiTest, PausesAndUnpausesASchedule) {
  serve.write_workflow("ticker.yaml", every_minute_yaml);
  host::ServeOptions options;
  options.run_schedules = false;
  serve.start(options);
  json::object wf = serve.get("/api/workflows/ticker").json().as_object();
  EXPECT_EQ(wf.at("schedule"), "* * * * *");
  EXPECT_EQ(wf.at("timezone"), "UTC");
  EXPECT_FALSE(wf.at("next_run_at").is_null());

  HttpResult paused = serve.post("/api/workflows/ticker/pause");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(paused.json().at("paused"), true);
  EXPECT_TRUE(paused.json().at("next_run_at").is_null());
  EXPECT_EQ(serve.get("/api/workflows").json().at("workflows").as_array()[0].at("paused"), true);
  HttpResult unpaused = serve.post("/api/workflows/ticker/unpause");
  EXPECT_EQ(unpaused.json().at("paused"), false);
  EXPECT_FALSE(unpaused.json().at("next_run_at").is_null());
}

TEST_F(ApiTest, ServesTheEmbeddedUiWithASafeContentPolicy) {
  serve.start();
  HttpResult index = serve.get("/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("<html"), std::string::npos);
  EXPECT_NE(index.headers["content-security-policy"].find("script-src 'self'"), std::string::npos);
  HttpResult dagre = serve.get("/vendor/dagre.min.js");
  EXPECT_EQ(dagre.status, 200);
  EXPECT_NE(dagre.body.find("dagre"), std::string::npos);
  EXPECT_EQ(serve.get("/../CMakeLists.txt").status, 404);
}

// Every route the server has is described, and everything described exists.
TEST_F(ApiTest, OpenApiDocumentMatchesTheRealRoutes) {
  serve.start();
  HttpResult doc = serve.get("/api/openapi.json");
  ASSERT_EQ(doc.status, 200);
  json::object paths = doc.json().at("paths").as_object();
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, methods] : paths) {
    for (const auto& [method, op] : methods.as_object()) {
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.emplace(upper, std::string(path));
    }
  }
  std::set<std::pair<std::string, std::string>> served(serve.app().routes().begin(), serve.app().routes().end());
  EXPECT_EQ(documented, served);
  for (const auto& [method, pattern] : served) {
    EXPECT_TRUE(paths.contains(pattern)) << pattern;
  }
}

}  // namespace
}  // namespace ork::test
