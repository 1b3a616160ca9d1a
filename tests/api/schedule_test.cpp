// The cron schedule loop of `ork serve`: driven with an injected clock for
// due times, downtime and pausing, and once in real time to check that a
// schedule fires within a second of its minute.
#include "api_support.hpp"
#include "workflows.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

namespace json = boost::json;

constexpr host::Millis t0 = 1'767'225'630'000;  // 2026-01-01T00:00:30Z

class ScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    serve.write_workflow("ticker.yaml", every_minute_yaml);
    host::ServeOptions options;
    options.run_schedules = false;  // the test ticks the loop itself
    options.clock = [this] { return now.load(); };
    serve.start(options);
  }
  host::ScheduleLoop& loop() { return serve.app().schedules(); }

  std::atomic<host::Millis> now{t0};
  ServeFixture serve;
};

TEST_F(ScheduleTest, FiresOnceWhenTheMinuteComes) {
  EXPECT_TRUE(loop().tick(t0).empty()) << "nothing is due at start; no catch-up for a new workflow";
  EXPECT_TRUE(loop().tick(t0 + 29'000).empty());
  std::vector<host::ScheduledRun> fired = loop().tick(t0 + 30'000);  // 00:01:00
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].workflow, "ticker");
  EXPECT_EQ(fired[0].due_at, t0 + 30'000);
  EXPECT_FALSE(fired[0].late);
  EXPECT_TRUE(loop().tick(t0 + 31'000).empty()) << "the same minute fires once";

  json::object run = serve.wait_for_run(fired[0].run_id, [](const json::object& r) { return r.at("status") == "succeeded"; });
  EXPECT_EQ(run.at("trigger"), "schedule");
  serve.app().launcher().wait_idle();
}

TEST_F(ScheduleTest, AfterDowntimeStartsOneLateRunOnly) {
  loop().tick(t0);
  std::vector<host::ScheduledRun> fired = loop().tick(t0 + 3 * 3'600'000 + 10'000);  // three hours later
  ASSERT_EQ(fired.size(), 1u) << "no catch-up storm";
  EXPECT_TRUE(fired[0].late);
  EXPECT_EQ(fired[0].due_at, t0 + 3 * 3'600'000 - 30'000) << "the latest missed minute";
  json::object run = serve.wait_for_run(fired[0].run_id, [](const json::object& r) { return r.at("status") == "succeeded"; });
  EXPECT_EQ(run.at("trigger"), "schedule-late");
  EXPECT_TRUE(loop().tick(t0 + 3 * 3'600'000 + 20'000).empty());
  serve.app().launcher().wait_idle();
}

TEST_F(ScheduleTest, PausedWorkflowsDoNotFireAndResumeWithoutCatchingUp) {
  loop().tick(t0);
  loop().set_paused("ticker", true);
  EXPECT_TRUE(loop().paused("ticker"));
  EXPECT_EQ(loop().next_run_at("ticker"), std::nullopt);
  EXPECT_TRUE(loop().tick(t0 + 600'000).empty());

  now = t0 + 600'000;  // 00:10:30
  loop().set_paused("ticker", false);
  EXPECT_EQ(loop().next_run_at("ticker"), t0 + 630'000);
  EXPECT_TRUE(loop().tick(t0 + 620'000).empty()) << "the paused minutes are not made up";
  EXPECT_EQ(loop().tick(t0 + 630'000).size(), 1u);
  serve.app().launcher().wait_idle();
}

// A client that takes the key of the next slot would make the scheduled run
// silently never happen: the scheduler's keys are reserved.
TEST_F(ScheduleTest, ApiCallersCannotTakeTheKeyOfAScheduledRun) {
  loop().tick(t0);
  const std::string key = host::schedule_key("ticker", t0 + 30'000);
  HttpResult stolen = serve.post("/api/workflows/ticker/runs", R"({"idempotency_key": ")" + key + "\"}");
  EXPECT_EQ(stolen.status, 400) << stolen.body;
  EXPECT_NE(stolen.body.find("reserved"), std::string::npos) << stolen.body;
  EXPECT_EQ(serve.post("/api/workflows/ticker/runs", R"({"idempotency_key": "schedule:anything"})").status, 400);
  EXPECT_EQ(serve.get("/api/runs").json().at("runs").as_array().size(), 0u);

  std::vector<host::ScheduledRun> fired = loop().tick(t0 + 30'000);
  ASSERT_EQ(fired.size(), 1u);
  json::object run = serve.wait_for_run(fired[0].run_id, [](const json::object& r) { return r.at("status") == "succeeded"; });
  EXPECT_EQ(run.at("trigger"), "schedule") << "the scheduled run happened";
  EXPECT_EQ(serve.post("/api/workflows/ticker/runs", R"({"idempotency_key": "my-schedule:1"})").status, 201)
      << "other keys are the client's";
  serve.app().launcher().wait_idle();
}

// The real loop, on a clock shifted so that a minute boundary is ~1.5 s away.
TEST(ScheduleRealTime, FiresWithinOneSecondOfTheMinute) {
  ServeFixture serve;
  serve.write_workflow("ticker.yaml", every_minute_yaml);
  const host::Millis real_start = host::now_millis();
  const host::Millis virtual_start = (real_start / 60'000 + 1) * 60'000 - 1'500;
  const host::Millis offset = virtual_start - real_start;
  host::ServeOptions options;
  options.clock = [offset] { return host::now_millis() + offset; };
  serve.start(options);

  const host::Millis boundary = (virtual_start / 60'000 + 1) * 60'000;
  std::optional<host::Millis> seen_at;
  for (int i = 0; i < 1000 && !seen_at; ++i) {
    json::array runs = serve.get("/api/runs?workflow=ticker").json().at("runs").as_array();
    if (!runs.empty()) seen_at = host::now_millis() + offset;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(seen_at) << "the schedule never fired";
  EXPECT_GE(*seen_at, boundary);
  EXPECT_LT(*seen_at - boundary, 1000) << "fired " << (*seen_at - boundary) << " ms after the minute";
  serve.app().launcher().wait_idle();
}

}  // namespace
}  // namespace ork::test
