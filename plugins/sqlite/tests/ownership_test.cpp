// What only the SQLite store has of plugin API 1.1: the migration that adds
// ownership to files written before it (the semantics of claiming, leases,
// cancel requests and settings are tested against both storage plugins by
// the conformance suite in tests/storage/).
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
