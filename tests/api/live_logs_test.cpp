// Live logs through `ork serve`: while a task is still running, the line it
// printed is announced on the event stream (`event: log`) and served by
// GET /api/runs/{id}/tasks/{task}/logs — what the UI's live log view reads.
// The task waits for a gate file the test creates only after checking, so
// the order of events is asserted without depending on the machine's speed.
#include "api_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

namespace json = boost::json;

TEST(ApiLiveLogs, ARunningTasksLineReachesTheEventStreamAndTheLogsRoute) {
  ServeFixture serve;
  std::string gate = (serve.dir().path() / "gate").string();
  serve.write_workflow("live.yaml", "tasks:\n  talk: {executor: process, command: 'echo hello while running; "
                                    "i=0; while [ ! -e " + gate + " ] && [ $i -lt 3000 ]; do sleep 0.02; "
                                    "i=$((i+1)); done'}\n");
  serve.start();
  SseReader live(serve.port(), "/api/events");
  ASSERT_EQ(live.status(), 200);
  HttpResult started = serve.post("/api/workflows/live/runs", "{}");
  ASSERT_EQ(started.status, 201) << started.body;
  std::string id(started.json().at("run_id").as_string());

  auto announced = live.wait_for(
      [&](const SseReader::Event& e) {
        return e.name == "log" && e.data.at("run_id") == json::value(id) && e.data.at("task") == "talk";
      },
      std::chrono::seconds(10));
  EXPECT_TRUE(announced) << "no log event while the task runs";
  HttpResult logs = serve.get("/api/runs/" + id + "/tasks/talk/logs");
  ASSERT_EQ(logs.status, 200) << logs.body;
  json::value page = logs.json();
  const json::array& lines = page.at("lines").as_array();
  ASSERT_EQ(lines.size(), 1u) << logs.body;
  EXPECT_EQ(lines[0].at("line"), "hello while running");
  HttpResult run = serve.get("/api/runs/" + id);
  EXPECT_EQ(run.json().at("tasks").at("talk").at("status"), "running") << "the task waits for its gate";

  serve.dir().write("gate", "");
  json::object ended = serve.wait_for_run(id, [](const json::object& r) { return r.at("status") != "running"; });
  EXPECT_EQ(ended.at("status"), "succeeded");
}

}  // namespace
}  // namespace ork::test
