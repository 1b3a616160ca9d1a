// The storage conformance suite's fixture: a storage plugin loaded from its
// built .so and driven only through the C ABI (dlopen, ork_plugin_describe, a
// fake ork_host_api, the storage vtable), with a fresh store per test. Each
// case is written once and instantiated for every backend: SQLite on a temp
// file, PostgreSQL on a new database of a throw-away server (skipped, with
// the reason, when the server binaries are missing).
#pragma once

#include <gtest/gtest.h>

#include <ork/plugin.h>

#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ork::storage_test {

// A non-OK status from the plugin, with the message it set.
class StoreError : public std::runtime_error {
 public:
  StoreError(ork_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  ork_status status() const noexcept { return status_; }

 private:
  ork_status status_;
};

struct LogLine {
  std::string run_id, task;
  std::uint32_t attempt = 1;
  int stream = ORK_LOG_STDOUT;  // an int: tests also send values no ork_log_stream names
  std::int64_t at = 0;
  std::string line;
};

struct TaskUpdate {
  std::string run_id, task;
  std::uint32_t attempt = 1;
  std::string status;
  std::int64_t at = 0;
  std::string output, error;
};

struct CreatedRun {
  std::string run_id;
  bool existing = false;
};

// A loaded and initialised plugin; loaded once per path, never unloaded.
struct StoragePlugin {
  const ork_plugin_descriptor* descriptor = nullptr;
  void* state = nullptr;
};
const StoragePlugin& load_storage_plugin(const std::string& path);

// One open store of a plugin, every vtable call wrapped: a non-OK status
// throws StoreError.
class AbiStore {
 public:
  AbiStore(const StoragePlugin& plugin, const std::string& url);
  ~AbiStore();
  AbiStore(const AbiStore&) = delete;
  AbiStore& operator=(const AbiStore&) = delete;

  std::int64_t save_workflow(std::string_view name, std::string_view hash, std::int64_t created_at = 1000);
  CreatedRun create_run(std::string_view run_id, std::int64_t version, std::string_view workflow,
                        const std::vector<std::string>& tasks, std::int64_t at,
                        std::string_view idempotency_key = "", std::string_view owner = "host:1");
  void update_task(std::string_view run_id, std::string_view task, std::uint32_t attempt, std::string_view status,
                   std::int64_t at, std::string_view output = "", std::string_view error = "",
                   std::int64_t next_attempt_at = 0);
  void update_run(std::string_view run_id, std::string_view status, std::int64_t at, std::string_view error);
  void append_logs(const std::vector<LogLine>& lines);
  // Plugin API 1.9: both in one transaction.
  void append_logs_and_update_tasks(const std::vector<LogLine>& lines, const std::vector<TaskUpdate>& updates);
  bool has_logs_with_updates() const { return vtable_.append_logs_and_update_tasks != nullptr; }
  std::string query(int kind, std::string_view params);  // an int: tests also send unnamed kinds
  bool claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner, std::int64_t now,
                 std::int64_t lease_ms);
  std::string renew_leases(std::string_view owner, std::int64_t now, std::int64_t lease_ms);
  void request_cancel(std::string_view run_id, std::int64_t at);
  void set_workflow_setting(std::string_view workflow, std::string_view key, std::string_view value_json);
  // API 1.3: the attempt queue.
  std::int64_t enqueue_attempt(std::string_view run_id, std::string_view task, std::uint32_t attempt,
                               std::string_view executor, std::string_view payload_json, std::int64_t at);
  std::string claim_attempt(std::string_view worker, std::string_view executors, std::int64_t now,
                            std::int64_t lease_ms);
  void complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                        std::string_view output_json, std::string_view error, std::int64_t at);
  std::string worker_heartbeat(std::string_view worker, std::string_view info_json, std::int64_t now,
                               std::int64_t lease_ms);
  void cancel_attempt(std::int64_t id, std::int64_t at);
  // API 1.7: the task cache.
  void cache_put(std::string_view key, std::string_view workflow, std::string_view run_id, std::string_view task,
                 std::uint32_t attempt, std::string_view output_json, std::int64_t created_at);
  std::string cache_lookup(std::string_view key, std::int64_t not_before);
  std::int64_t cache_clear(std::string_view workflow);

 private:
  const ork_storage_vtable& vtable_;
  void* store_ = nullptr;
};

struct Backend {
  std::string name;         // "sqlite", "postgres": the test name suffix
  std::string plugin_path;  // the built ork_storage_<name>.so
};
std::vector<Backend> backends();
// Names the backend in test names and failure messages.
inline void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

// A fresh, empty store of one backend: SQLite on a new temp file, PostgreSQL
// on a new database of the shared test server. Skips when it cannot exist.
class StorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::string& url() const { return url_; }
  std::unique_ptr<AbiStore> open_store() const;
  AbiStore& store();
  void close_store() { store_.reset(); }

  std::int64_t save_workflow(std::string_view name = "etl", std::string_view hash = "h1");
  CreatedRun create_run(std::string_view run_id, const std::vector<std::string>& tasks, std::int64_t at = 5000,
                        std::string_view workflow = "etl", std::string_view idempotency_key = "");
  void update(std::string_view run_id, std::string_view task, std::uint32_t attempt, std::string_view status,
              std::int64_t at, std::string_view output = "", std::string_view error = "",
              std::int64_t next_attempt_at = 0);
  boost::json::object query(ork_query_kind kind, std::string_view params);
  boost::json::object get_run(std::string_view run_id);
  boost::json::object task_of(std::string_view run_id, std::string_view task);
  boost::json::array events_after(std::int64_t seq);

 private:
  std::filesystem::path temp_dir_;
  std::string url_;
  std::unique_ptr<AbiStore> store_;
};

// Runs `body`, expecting it to fail with `status` and a message containing
// `fragment`; returns the message.
template <typename Body>
std::string expect_error(Body&& body, ork_status status, std::string_view fragment) {
  try {
    body();
  } catch (const StoreError& e) {
    EXPECT_EQ(e.status(), status) << e.what();
    EXPECT_NE(std::string_view(e.what()).find(fragment), std::string_view::npos) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an error containing '" << fragment << "'";
  return "";
}

}  // namespace ork::storage_test
