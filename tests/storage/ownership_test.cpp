// Storage conformance, plugin API 1.1, for every backend through the C ABI:
// claiming runs, lease renewal, cancel requests, orphaned runs and workflow
// settings. Ported from the sqlite plugin's ownership tests.
#include <gtest/gtest.h>

#include <string>

#include "storage_support.hpp"

namespace ork::storage_test {
namespace {

namespace json = boost::json;

// A new run is unowned for its first minute (both plugins' grace lease).
constexpr std::int64_t unclaimed_run_grace_ms = 60'000;

class Ownership : public StorageTest {
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

TEST_P(Ownership, TheCreatorClaimsItsNewRun) {
  create_run("r1", {"a"}, 1000);  // owner "host:1"
  EXPECT_TRUE(store().claim_run("r1", "host:1", "", 1001, 10'000));
  EXPECT_FALSE(store().claim_run("r1", "host:2", "", 5000, 10'000));  // lease held until 11001
  EXPECT_EQ(get_run("r1").at("owner"), "host:1");
}

TEST_P(Ownership, AnExpiredLeaseOrAProvablyDeadOwnerCanBeTakenOver) {
  create_run("r1", {"a"}, 1000);
  ASSERT_TRUE(store().claim_run("r1", "host:1", "", 1000, 10'000));
  EXPECT_FALSE(store().claim_run("r1", "host:2", "host:9", 2000, 10'000));  // someone else died, not the owner
  EXPECT_TRUE(store().claim_run("r1", "host:2", "host:1", 2000, 10'000));
  EXPECT_EQ(get_run("r1").at("owner"), "host:2");
  EXPECT_TRUE(store().claim_run("r1", "host:3", "", 12'001, 10'000));  // host:2's lease ran out at 12000
  EXPECT_EQ(get_run("r1").at("owner"), "host:3");
}

TEST_P(Ownership, FinishedRunsAreNotClaimedAndUnknownRunsAreNotFound) {
  create_run("r1", {"a"}, 1000);
  store().update_run("r1", "succeeded", 2000, "");
  EXPECT_FALSE(store().claim_run("r1", "host:1", "", 3000, 10'000));
  expect_error([&] { store().claim_run("ghost", "host:1", "", 3000, 10'000); }, ORK_STATUS_NOT_FOUND, "");
  expect_error([&] { store().claim_run("r1", "", "", 3000, 10'000); }, ORK_STATUS_ERROR, "");
}

TEST_P(Ownership, RenewingKeepsRunsOutOfTheOrphans) {
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

TEST_P(Ownership, AnUnclaimedRunGetsAGracePeriod) {
  create_run("r1", {"a"}, 1000);
  EXPECT_TRUE(orphans(1000 + unclaimed_run_grace_ms).empty());
  EXPECT_EQ(orphans(1001 + unclaimed_run_grace_ms), (std::vector<std::string>{"r1"}));
}

TEST_P(Ownership, CancelRequestsReachTheOwnerOnRenewal) {
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
  expect_error([&] { store().request_cancel("ghost", 1); }, ORK_STATUS_NOT_FOUND, "");
}

TEST_P(Ownership, WorkflowSettingsAreStoredAsJson) {
  store().set_workflow_setting("etl", "paused", "true");
  store().set_workflow_setting("etl", "last_scheduled_at", "1764131880000");
  store().set_workflow_setting("etl", "paused", "false");
  store().set_workflow_setting("other", "paused", "true");
  const json::object settings = query(ORK_QUERY_WORKFLOW_SETTINGS, R"({"workflow":"etl"})");
  EXPECT_EQ(settings, (json::object{{"settings", {{"last_scheduled_at", 1764131880000}, {"paused", false}}}}));
  EXPECT_EQ(query(ORK_QUERY_WORKFLOW_SETTINGS, R"({"workflow":"new"})"), (json::object{{"settings", json::object()}}));
  expect_error([&] { store().set_workflow_setting("etl", "paused", "yes please"); }, ORK_STATUS_ERROR, "");
  expect_error([&] { store().set_workflow_setting("etl", "", "1"); }, ORK_STATUS_ERROR, "");
  expect_error([&] { query(ORK_QUERY_WORKFLOW_SETTINGS, "{}"); }, ORK_STATUS_ERROR, "");
  expect_error([&] { query(ORK_QUERY_ORPHANED_RUNS, "{}"); }, ORK_STATUS_ERROR, "");
}

INSTANTIATE_TEST_SUITE_P(Backends, Ownership, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace ork::storage_test
