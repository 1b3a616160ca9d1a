// Shared fixtures for the sqlite storage plugin's tests: a temporary folder
// removed afterwards, a store opened in it, and small builders for the
// records the host would pass. Included by every test file of this plugin.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "ork_test/temp_dir.hpp"
#include "sqlite_store.hpp"

namespace ork::plugins::sqlite::testing {

using TempDir = ork::test_support::TempDir;

// A test that owns a temp folder and a store on `db_file()` in it.
class StoreTest : public ::testing::Test {
 protected:
  std::filesystem::path db_file() const { return dir_.path() / "state" / "ork.db"; }
  std::unique_ptr<SqliteStore> open_store() const { return std::make_unique<SqliteStore>(DatabaseUrl{db_file()}); }

  SqliteStore& store() {
    if (!store_) store_ = open_store();
    return *store_;
  }

  std::int64_t save_workflow(std::string_view name = "etl", std::string_view hash = "h1") {
    return store().save_workflow(ork::plugin::WorkflowRecord{name, hash, "/w/etl.yaml", "name: etl\n",
                                                             R"({"tasks":{"a":{}}})", 1000});
  }

  // Creates run `run_id` of `workflow` with the given tasks, created at `at`.
  ork::plugin::CreatedRun create_run(std::string_view run_id, const std::vector<std::string_view>& tasks,
                                     std::int64_t at = 5000, std::string_view workflow = "etl",
                                     std::string_view idempotency_key = "") {
    const std::int64_t version = save_workflow(workflow);
    ork::plugin::RunRecord run{run_id,  version, workflow, R"({"n":3})", idempotency_key, "cli", "host:1", at,
                               tasks};
    return store().create_run(run);
  }

  void update(std::string_view run_id, std::string_view task, std::uint32_t attempt, std::string_view status,
              std::int64_t at, std::string_view output = "", std::string_view error = "",
              std::int64_t next_attempt_at = 0) {
    store().update_task(
        ork::plugin::TaskUpdate{run_id, task, attempt, status, at, output, error, next_attempt_at});
  }

  boost::json::object query(ork_query_kind kind, std::string_view params) {
    return boost::json::parse(store().query(kind, params)).as_object();
  }

  boost::json::object get_run(std::string_view run_id) {
    return query(ORK_QUERY_GET_RUN, R"({"run_id":")" + std::string(run_id) + R"("})");
  }

  boost::json::object task_of(std::string_view run_id, std::string_view task) {
    return get_run(run_id).at("tasks").as_object().at(task).as_object();
  }

  boost::json::array events_after(std::int64_t seq) {
    return query(ORK_QUERY_EVENTS, R"({"after":)" + std::to_string(seq) + R"(,"limit":10000})")
        .at("events")
        .as_array();
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace ork::plugins::sqlite::testing
