// The state store as the host sees it: typed calls over whichever storage
// plugin serves the database URL (`--db`, ORK_DATABASE_URL, default
// `.ork/ork.db`). Query answers arrive as JSON from the plugin and are parsed
// into the structs below right here, so the rest of the host never handles
// raw JSON from the store.
#pragma once

#include "loader/registry.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ork::host {

using Millis = std::int64_t;  // ms since the Unix epoch, UTC; 0 = not set

struct TaskStateRow {
  std::string status;
  int attempts = 0;
  boost::json::value output;  // null unless succeeded with an output
  std::optional<std::string> error;
  Millis started_at = 0;
  Millis finished_at = 0;
  Millis next_attempt_at = 0;
};

struct AttemptRow {
  std::string task;
  int attempt = 0;
  std::string status;
  Millis started_at = 0;
  Millis finished_at = 0;
  boost::json::value output;
  std::optional<std::string> error;
};

struct RunRow {
  std::string run_id;
  std::string workflow;
  std::int64_t workflow_version_id = 0;
  std::string status;
  boost::json::value inputs;
  std::string trigger;
  std::string owner;
  std::optional<std::string> idempotency_key;
  Millis created_at = 0;
  Millis started_at = 0;
  Millis finished_at = 0;
  std::optional<std::string> error;
  std::map<std::string, int> task_counts;
};

// An instance of a mapped task: "count[3]" is instance 3 of "count".
struct InstanceName {
  std::string parent;
  std::size_t index = 0;
};
std::optional<InstanceName> parse_instance_name(std::string_view task);

struct RunDetail {
  RunRow run;
  // In the run's task order, each mapped task's instances right after it by index.
  std::vector<std::pair<std::string, TaskStateRow>> tasks;
  std::vector<AttemptRow> attempts;

  const TaskStateRow* find_task(std::string_view name) const;
};

struct RunPage {
  std::vector<RunRow> runs;
  std::optional<std::string> next_cursor;
};

struct RunFilter {
  std::optional<std::string> workflow;
  std::optional<std::string> status;
  std::optional<std::string> cursor;
  int limit = 50;
};

struct StoredLogLine {
  std::int64_t id = 0;
  std::string task;
  int attempt = 0;
  std::string stream;  // stdout | stderr | system
  Millis at = 0;
  std::string line;
};

struct LogPage {
  std::vector<StoredLogLine> lines;
  std::optional<std::int64_t> next_cursor;
};

struct LogFilter {
  std::string run_id;
  std::optional<std::string> task;
  std::optional<int> attempt;
  std::optional<std::int64_t> cursor;
  int limit = 1000;
};

struct StoreEvent {
  std::int64_t seq = 0;
  std::string run_id;
  std::optional<std::string> task;
  std::string kind;  // run | task | log
  std::optional<std::string> status;
  Millis at = 0;
};

struct EventPage {
  std::vector<StoreEvent> events;
  std::int64_t last_seq = 0;
};

struct WorkflowVersionRow {
  std::int64_t version_id = 0;
  std::string name;
  std::string content_hash;
  std::string file;
  Millis created_at = 0;
  std::string source;       // only from get_workflow
  boost::json::value spec;  // only from get_workflow
};

// An attempt a worker claimed from the queue (plugin API 1.3).
struct ClaimedAttempt {
  std::int64_t id = 0;
  std::string run_id;
  std::string task;
  std::uint32_t attempt = 0;
  std::string executor;
  boost::json::object payload;
};

struct QueuedAttemptState {
  std::string status;  // queued | claimed | done
  std::optional<std::string> worker;
  std::optional<std::string> outcome;  // succeeded | failed | timed_out | cancelled
  boost::json::value output;
  std::optional<std::string> error;
};

struct WorkerRow {
  std::string name;
  boost::json::value info;
  Millis last_heartbeat = 0;
  bool alive = false;
  int claimed = 0;
};

struct NewRun {
  std::string run_id;
  std::int64_t workflow_version_id = 0;
  std::string workflow_name;
  std::string inputs_json = "{}";
  std::string idempotency_key;
  std::string trigger = "cli";
  std::string owner;
  Millis created_at = 0;
  std::vector<std::string> task_names;
};

struct CreatedRunId {
  std::string run_id;
  bool existing = false;
};

struct TaskTransition {
  std::string run_id;
  std::string task;
  std::uint32_t attempt = 0;
  std::string status;
  Millis at = 0;
  std::string output_json;
  std::string error;
  Millis next_attempt_at = 0;
};

// One entry of the task cache (plugin API 1.7): the output of a successful
// attempt, under the cache key of that attempt.
struct CacheEntry {
  std::string key;  // hex SHA-256 (scheduler/cache_key.hpp)
  std::string workflow;
  std::string run_id;
  std::string task;
  std::uint32_t attempt = 0;
  std::string output_json;
  Millis created_at = 0;
};

struct NewLogLine {
  std::string run_id;
  std::string task;
  std::uint32_t attempt = 0;
  ork_log_stream stream = ORK_LOG_STDOUT;
  Millis at = 0;
  std::string line;
};

class Store {
 public:
  // Opens the store for `url` with the plugin serving its scheme. Throws
  // Error(storage) when no plugin serves it or the plugin cannot open it.
  static Store open(const PluginRegistry& plugins, const std::string& url);

  Store(Store&& other) noexcept;
  Store& operator=(Store&&) = delete;
  Store(const Store&) = delete;
  ~Store();

  std::int64_t save_workflow(std::string_view name, std::string_view content_hash, std::string_view file,
                             std::string_view source, std::string_view spec_json, Millis created_at);
  CreatedRunId create_run(const NewRun& run);
  void update_task(const TaskTransition& transition);
  // Several transitions in one transaction (plugin API 1.2); with an older
  // storage plugin, one by one.
  void update_tasks(std::span<const TaskTransition> transitions);
  void update_run(std::string_view run_id, std::string_view status, Millis at, std::string_view error);
  void append_logs(std::span<const NewLogLine> lines);
  // Log lines, then transitions, in one transaction, all or none (plugin API
  // 1.9): a finished attempt's last lines are stored with its end. With an
  // older storage plugin, append_logs and then update_tasks: the lines are
  // still stored before the end, in a transaction of their own.
  void append_logs_and_update_tasks(std::span<const NewLogLine> lines, std::span<const TaskTransition> transitions);

  RunPage list_runs(const RunFilter& filter);
  // Throws Error(not_found) when no run matches.
  RunDetail get_run(std::string_view run_id);
  LogPage logs(const LogFilter& filter);
  EventPage events(std::int64_t after, int limit = 1000);
  std::vector<WorkflowVersionRow> list_workflows();
  // The latest version of `name`, or a given version id. Throws Error(not_found).
  WorkflowVersionRow get_workflow(std::string_view name);
  WorkflowVersionRow get_workflow_version(std::int64_t version_id);

  // API 1.1 (run ownership, settings). `supports_ownership()` tells whether
  // the storage plugin has them; the others throw Error(storage) if not.
  bool supports_ownership() const;
  bool claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner, Millis now,
                 std::int64_t lease_ms);
  // Renews `owner`'s leases; returns the ids of its runs someone asked to cancel.
  std::vector<std::string> renew_leases(std::string_view owner, Millis now, std::int64_t lease_ms);
  void request_cancel(std::string_view run_id, Millis at);
  void set_workflow_setting(std::string_view workflow, std::string_view key, const boost::json::value& value);
  boost::json::object workflow_settings(std::string_view workflow);
  std::vector<RunRow> orphaned_runs(Millis now);

  // API 1.3: the queue of task attempts shared by `ork worker`s.
  bool supports_queue() const;
  std::int64_t enqueue_attempt(std::string_view run_id, std::string_view task, std::uint32_t attempt,
                               std::string_view executor, const boost::json::object& payload, Millis at);
  std::optional<ClaimedAttempt> claim_attempt(std::string_view worker, std::string_view executors, Millis now,
                                              std::int64_t lease_ms);
  void complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                        std::string_view output_json, std::string_view error, Millis at);
  // Returns the ids of this worker's claims whose cancellation was asked.
  std::vector<std::int64_t> worker_heartbeat(std::string_view worker, const boost::json::object& info, Millis now,
                                             std::int64_t lease_ms);
  void cancel_attempt(std::int64_t id, Millis at);
  // Returns when the queue may have changed or `timeout` passed (API 1.4;
  // with an older plugin, after the timeout).
  void wait_for_queue(std::chrono::milliseconds timeout);
  QueuedAttemptState queued_attempt(std::int64_t id);
  std::vector<WorkerRow> workers(Millis now);

  // API 1.7: the task cache (store_cache.cpp). Without it in the plugin,
  // put does nothing, lookup finds nothing and clear throws Error(store).
  bool supports_cache() const;
  void cache_put(const CacheEntry& entry);
  // The entry of `key` created at or after `not_before` (0: any age).
  std::optional<CacheEntry> cache_lookup(std::string_view key, Millis not_before);
  // Deletes the entries of `workflow` ("" = all); returns how many.
  std::int64_t cache_clear(std::string_view workflow);

  // The database URL with its password shown as *** (store/url_redaction.hpp).
  const std::string& url() const { return url_; }

 private:
  Store(const LoadedPlugin& plugin, void* handle, std::string url) : plugin_(&plugin), handle_(handle), url_(std::move(url)) {}
  boost::json::value query(ork_query_kind kind, const boost::json::object& params);
  void check(ork_status status, const ork_error& err, std::string_view what);
  void require_ownership() const;
  void require_queue() const;

  const LoadedPlugin* plugin_;
  void* handle_;
  std::string url_;
};

// The database URL: `--db` if given, else ORK_DATABASE_URL, else `.ork/ork.db`.
std::string database_url(const std::optional<std::string>& flag);

// "2026-11-26T04:18:05.123Z" for ms since the epoch; "" for 0.
std::string iso8601(Millis at);
Millis now_millis();

}  // namespace ork::host
