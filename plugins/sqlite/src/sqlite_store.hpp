// The sqlite storage plugin's state store: ork::plugin::Store on one SQLite
// file. Created by the plugin entry point (plugin.cpp) for each opened URL and
// used directly by the tests.
//
// Threads: the host calls a store from several threads at once. The store
// holds two connections, one for writes and one for reads, each behind its own
// mutex: SQLite admits one writer at a time anyway, and in WAL mode readers
// work on a snapshot without waiting for the writer. Processes: several ork
// processes may open the same file; every write is one BEGIN IMMEDIATE
// transaction, retried while another process holds the lock (10 s at most).
//
// Ownership (API 1.1): the process executing a run holds a lease on it and
// renews it; a `running` run whose lease expired lost its owner and may be
// claimed by another process. A new run starts with a lease of
// `unclaimed_run_grace_ms`, so its creator has that long to claim it.
//
// Queue (API 1.3, attempt_queue.cpp): attempts queued for `ork worker`s; a
// worker claims one under a lease that its heartbeats extend, and a claim
// whose lease expired goes back to the queue for another worker.
//
// Task cache (API 1.7, task_cache.cpp): outputs of successful attempts of
// tasks with `cache:`, by cache key.
//
// Log lines with task transitions (API 1.9): one transaction, all or none.
#pragma once

#include <ork/plugin.hpp>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "connection.hpp"
#include "database_url.hpp"

namespace ork::plugins::sqlite {

inline constexpr std::int64_t unclaimed_run_grace_ms = 60'000;

// No QueueNotifications: SQLite cannot tell another process that the queue
// changed, so waiting workers fall back to the host's timed wait.
class SqliteStore final : public ork::plugin::Store,
                          public ork::plugin::RunOwnership,
                          public ork::plugin::BatchedUpdates,
                          public ork::plugin::AttemptQueue,
                          public ork::plugin::TaskCache,
                          public ork::plugin::LogsWithUpdates {
 public:
  // Opens the file (creating it and its directory) and migrates it.
  explicit SqliteStore(const DatabaseUrl& url);

  std::int64_t save_workflow(const ork::plugin::WorkflowRecord& workflow) override;
  ork::plugin::CreatedRun create_run(const ork::plugin::RunRecord& run) override;
  void update_task(const ork::plugin::TaskUpdate& update) override;
  void update_tasks(std::span<const ork::plugin::TaskUpdate> updates) override;
  void update_run(std::string_view run_id, std::string_view status, std::int64_t at,
                  std::string_view error) override;
  void append_logs(std::span<const ork::plugin::LogLine> lines) override;
  std::string query(ork_query_kind kind, std::string_view params_json) override;

  // Plugin API 1.1: run ownership (leases, cancel requests) and settings.
  bool claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner, std::int64_t now,
                 std::int64_t lease_ms) override;
  std::string renew_leases(std::string_view owner, std::int64_t now, std::int64_t lease_ms) override;
  void request_cancel(std::string_view run_id, std::int64_t at) override;
  void set_workflow_setting(std::string_view workflow, std::string_view key, std::string_view value_json) override;

  // Plugin API 1.3: the queue of task attempts for `ork worker` (attempt_queue.cpp).
  std::int64_t enqueue_attempt(const QueuedAttempt& attempt) override;
  std::string claim_attempt(std::string_view worker, std::string_view executors, std::int64_t now,
                            std::int64_t lease_ms) override;
  void complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                        std::string_view output_json, std::string_view error, std::int64_t at) override;
  std::string worker_heartbeat(std::string_view worker, std::string_view info_json, std::int64_t now,
                               std::int64_t lease_ms) override;
  void cancel_attempt(std::int64_t id, std::int64_t at) override;

  // Plugin API 1.7: the task cache (task_cache.cpp).
  void cache_put(const Entry& entry) override;
  std::string cache_lookup(std::string_view key, std::int64_t not_before) override;
  std::int64_t cache_clear(std::string_view workflow) override;

  // Plugin API 1.9: a finished attempt's last log lines with its end.
  void append_logs_and_update_tasks(std::span<const ork::plugin::LogLine> lines,
                                    std::span<const ork::plugin::TaskUpdate> updates) override;

  const std::filesystem::path& file() const noexcept { return writer_.file(); }

 private:
  std::mutex write_mutex_;
  Connection writer_;
  std::mutex read_mutex_;
  Connection reader_;
};

}  // namespace ork::plugins::sqlite
