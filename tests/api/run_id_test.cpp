// Every route that takes a run id accepts the same thing GET /api/runs/{id}
// does: the full id or an unambiguous prefix; an ambiguous prefix is a 409
// that names candidates, on every route alike.
#include "api_support.hpp"
#include "workflows.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

namespace json = boost::json;

TEST(RunIds, APrefixReachesTheSameRunOnEveryRoute) {
  ServeFixture serve;
  serve.write_workflow("sleepy.yaml", sleepy_yaml);
  serve.write_workflow("chatty.yaml", chatty_yaml);
  serve.start();
  const std::string chatty = serve.run_to_end("chatty");
  HttpResult started = serve.post("/api/workflows/sleepy/runs", "{}");
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id(started.json().at("run_id").as_string());
  serve.wait_for_run(id, [](const json::object& r) { return r.at("tasks").at("nap").at("status") == "running"; });
  const std::string prefix = id.substr(0, 8);
  ASSERT_NE(chatty.substr(0, 8), prefix);

  HttpResult shown = serve.get("/api/runs/" + prefix);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.json().at("run_id"), json::value(id));
  EXPECT_EQ(serve.get("/api/runs/" + prefix + "/tasks/nap/logs").json().at("run_id"), json::value(id));
  EXPECT_EQ(serve.get("/api/runs/" + chatty.substr(0, 8) + "/tasks/talk/logs").json().at("lines").as_array().size(), 25u);

  SseReader events(serve.port(), "/api/events?run=" + prefix, {{"Last-Event-ID", "0"}});
  EXPECT_TRUE(events.wait_for([&](const SseReader::Event& e) { return e.data.at("run_id") == json::value(id); }));

  HttpResult cancel = serve.post("/api/runs/" + prefix + "/cancel", "{}");
  ASSERT_EQ(cancel.status, 202) << "cancel finds the run GET shows: " << cancel.body;
  EXPECT_EQ(cancel.json().at("run_id"), json::value(id)) << "the answer names the full id";
  json::object run = serve.wait_for_run(id, [](const json::object& r) { return r.at("status") == "cancelled"; });
  EXPECT_EQ(run.at("status"), "cancelled");
  EXPECT_EQ(serve.post("/api/runs/" + prefix + "/cancel", "{}").status, 409);
}

TEST(RunIds, AnAmbiguousPrefixIsAConflictOnEveryRoute) {
  ServeFixture serve;
  serve.write_workflow("chatty.yaml", chatty_yaml);
  serve.start();
  const std::string first = serve.run_to_end("chatty");
  const std::int64_t version = serve.get("/api/runs/" + first).json().at("workflow_version_id").as_int64();
  for (const char* id : {"twin-run-aaaa", "twin-run-bbbb"}) {
    host::NewRun twin;
    twin.run_id = id;
    twin.workflow_version_id = version;
    twin.workflow_name = "chatty";
    twin.created_at = host::now_millis();
    twin.task_names = {"talk"};
    serve.app().store().create_run(twin);
  }
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/api/runs/twin-run"}, {"POST", "/api/runs/twin-run/cancel"}, {"GET", "/api/runs/twin-run/tasks/talk/logs"}}) {
    HttpResult r = http(serve.port(), method, path, method == "POST" ? "{}" : "");
    EXPECT_EQ(r.status, 409) << method << " " << path << ": " << r.body;
    const std::string message(r.json().at("error").at("message").as_string());
    EXPECT_NE(message.find("twin-run-aaaa"), std::string::npos) << message;
    EXPECT_NE(message.find("ambiguous"), std::string::npos) << message;
    EXPECT_EQ(message.find(serve.dir().path().string()), std::string::npos) << "no store path: " << message;
  }
  EXPECT_EQ(serve.get("/api/runs/twin-run-a").status, 200);
  EXPECT_EQ(serve.get("/api/runs/nope").status, 404);
}

}  // namespace
}  // namespace ork::test
