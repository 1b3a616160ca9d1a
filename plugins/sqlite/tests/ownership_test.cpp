// Plugin API 1.1 on SqliteStore: claiming runs, lease renewal, cancel
// requests, orphaned runs, workflow settings, and the migration that added
// them to files written before.
#include <gtest/gtest.h>

#include <string>

#include "migrations.hpp"
#include "test_support.hpp"

namespace ork::plugins::sqlite {
namespace {

using ork::plugin::NotFound;
namespace json = boost::json;

class Ownership : public testing::StoreTest {
 protected:
  std::vector<std::string> orphans(std::int64_t now) {
    std::vector<std::string> ids;
    const json::object answer = query(ORK_QUERY_ORPHANED_RUNS, R"({"now":)" + std::to_string(now) + "}");
    for (const json::value& run : answer.at("runs").as_array()) ids.emplace_back(run.at("run_id").as_string());
    return ids;
  }

  std::vector<std::string> renew(std::string_view owner, std::int64_t now, std::int64_t lease_ms) {
    std::vector<std::string> ids;
    const json::value answer = json::parse(store().renew_leases(owner, now, lease_ms));
    for (const json::value& id : answer.at("cancel_requested").as_array()) ids.emplace_back(id.as_string());
    return ids;
  }
};

TEST_F(Ownership, TheCreatorClaimsItsNewRun) {
  create_run("r1", {"a"}, 1000);  // owner "host:1"
  EXPECT_TRUE(store().claim_run("r1", "host:1", "", 1001, 10'000));
  EXPECT_FALSE(store().claim_run("r1", "host:2", "", 5000, 10'000));  // lease held until 11001
  EXPECT_EQ(get_run("r1").at("owner"), "host:1");
}

TEST_F(Ownership, AnExpiredLeaseOrAProvablyDeadOwnerCanBeTakenOver) {
  create_run("r1", {"a"}, 1000);
  ASSERT_TRUE(store().claim_run("r1", "host:1", "", 1000, 10'000));
  EXPECT_FALSE(store().claim_run("r1", "host:2", "host:9", 2000, 10'000));  // someone else died, not the owner
  EXPECT_TRUE(store().claim_run("r1", "host:2", "host:1", 2000, 10'000));
  EXPECT_EQ(get_run("r1").at("owner"), "host:2");
  EXPECT_TRUE(store().claim_run("r1", "host:3", "", 12'001, 10'000));  // host:2's lease ran out at 12000
  EXPECT_EQ(get_run("r1").at("owner"), "host:3");
}

TEST_F(Ownership, FinishedRunsAreNotClaimedAndUnknownRunsAreNotFound) {
  create_run("r1", {"a"}, 1000);
  store().update_run("r1", "succeeded", 2000, "");
  EXPECT_FALSE(store().claim_run("r1", "host:1", "", 3000, 10'000));
  EXPECT_THROW(store().claim_run("ghost", "host:1", "", 3000, 10'000), NotFound);
  EXPECT_THROW(store().claim_run("r1", "", "", 3000, 10'000), std::invalid_argument);
}

TEST_F(Ownership, RenewingKeepsRunsOutOfTheOrphans) {
  create_run("r1", {"a"}, 1000);
  create_run("r2", {"a"}, 1000);
  ASSERT_TRUE(store().claim_run("r1", "host:1", "", 1000, 5000));
  ASSERT_TRUE(store().claim_run("r2", "host:1", "", 1000, 5000));
  EXPECT_TRUE(orphans(5999).empty());
  EXPECT_EQ(orphans(6001), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_TRUE(renew("host:1", 6001, 5000).empty());
  EXPECT_TRUE(orphans(11'000).empty());
  store().update_run("r2", "failed", 7000, "x");  // finished runs are never orphans
  EXPECT_EQ(orphans(20'000), (std::vector<std::string>{"r1"}));
  EXPECT_EQ(query(ORK_QUERY_ORPHANED_RUNS, R"({"now":20000})").at("runs").at(0).at("task_counts"),
            (json::object{{"pending", 1}}));
}

TEST_F(Ownership, AnUnclaimedRunGetsAGracePeriod) {
  create_run("r1", {"a"}, 1000);
  EXPECT_TRUE(orphans(1000 + unclaimed_run_grace_ms).empty());
  EXPECT_EQ(orphans(1001 + unclaimed_run_grace_ms), (std::vector<std::string>{"r1"}));
}

TEST_F(Ownership, CancelRequestsReachTheOwnerOnRenewal) {
  create_run("r1", {"a"}, 1000);
  create_run("r2", {"a"}, 1000);
  ASSERT_TRUE(store().claim_run("r1", "host:1", "", 1000, 5000));
  ASSERT_TRUE(store().claim_run("r2", "host:2", "host:1", 1000, 5000));  // created by host:1, handed over
  store().request_cancel("r1", 1500);
  store().request_cancel("r1", 1600);
  EXPECT_EQ(renew("host:1", 2000, 5000), (std::vector<std::string>{"r1"}));
  EXPECT_TRUE(renew("host:2", 2000, 5000).empty());
  store().update_run("r1", "cancelled", 2100, "cancelled on request");
  EXPECT_TRUE(renew("host:1", 2200, 5000).empty());
  EXPECT_THROW(store().request_cancel("ghost", 1), NotFound);
}

TEST_F(Ownership, WorkflowSettingsAreStoredAsJson) {
  store().set_workflow_setting("etl", "paused", "true");
  store().set_workflow_setting("etl", "last_scheduled_at", "1764131880000");
  store().set_workflow_setting("etl", "paused", "false");
  store().set_workflow_setting("other", "paused", "true");
  const json::object settings = query(ORK_QUERY_WORKFLOW_SETTINGS, R"({"workflow":"etl"})");
  EXPECT_EQ(settings, (json::object{{"settings", {{"last_scheduled_at", 1764131880000}, {"paused", false}}}}));
  EXPECT_EQ(query(ORK_QUERY_WORKFLOW_SETTINGS, R"({"workflow":"new"})"), (json::object{{"settings", json::object()}}));
  EXPECT_THROW(store().set_workflow_setting("etl", "paused", "yes please"), std::invalid_argument);
  EXPECT_THROW(store().set_workflow_setting("etl", "", "1"), std::invalid_argument);
  EXPECT_THROW(query(ORK_QUERY_WORKFLOW_SETTINGS, "{}"), std::invalid_argument);
  EXPECT_THROW(query(ORK_QUERY_ORPHANED_RUNS, "{}"), std::invalid_argument);
}

TEST_F(Ownership, AVersionOneFileIsMigratedAndItsRunningRunsAreOrphans) {
  {
    Connection old(ConnectionOptions{db_file()});
    migrate(old, known_migrations().first(1));
    old.execute(
        "INSERT INTO runs (id, workflow_name, status, inputs_json, triggered_by, owner, created_at) "
        "VALUES ('old', 'etl', 'running', '{}', 'cli', 'host:7', 1)");
  }
  EXPECT_EQ(orphans(2), (std::vector<std::string>{"old"}));  // opening the store migrated the file
  EXPECT_TRUE(store().claim_run("old", "host:8", "", 2, 1000));
  EXPECT_TRUE(orphans(3).empty());
}

}  // namespace
}  // namespace ork::plugins::sqlite
