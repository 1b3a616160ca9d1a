// The postgres storage plugin's state store: ork::plugin::Store on a
// PostgreSQL database, with the same tables, semantics and JSON answers as the
// sqlite plugin. Created by the plugin entry point (plugin.cpp) for each
// opened URL and driven by the storage tests through the C ABI.
//
// Threads and processes: each call leases one connection of a small pool and
// runs in one transaction; many processes on many machines may share the
// database. Rows a write reads before changing are locked (FOR UPDATE), and
// every transaction that appends an event takes one advisory lock first, so
// event sequence numbers become visible in order and a reader polling
// "after N" never skips one.
//
// Reconnects: when the server goes away (a restart), the operation is retried
// once on a fresh connection, which waits up to 15 s for the server to come
// back. A retried write never duplicates: create_run recognises its own run,
// append_logs its own batch id, and the other writes are idempotent or
// ignored as late updates (a repeated non-final task update or run update
// may add one duplicate event, never a second state change). A retried
// enqueue finds its row by (run, task, attempt); a retried claim finds the
// row its first try claimed.
#pragma once

#include "queue_listener.hpp"

#include <ork/plugin.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "pool.hpp"
#include "server_url.hpp"

namespace ork::plugins::postgres {

inline constexpr std::int64_t unclaimed_run_grace_ms = 60'000;

class PostgresStore final : public ork::plugin::Store,
                            public ork::plugin::RunOwnership,
                            public ork::plugin::BatchedUpdates,
                            public ork::plugin::AttemptQueue,
                            public ork::plugin::QueueNotifications,
                            public ork::plugin::TaskCache,
                            public ork::plugin::LogsWithUpdates {
 public:
  // Connects and migrates; throws naming the server when either fails.
  explicit PostgresStore(const ServerUrl& url);

  std::int64_t save_workflow(const ork::plugin::WorkflowRecord& workflow) override;
  ork::plugin::CreatedRun create_run(const ork::plugin::RunRecord& run) override;
  void update_task(const ork::plugin::TaskUpdate& update) override;
  void update_tasks(std::span<const ork::plugin::TaskUpdate> updates) override;
  void wait_for_queue(std::int64_t timeout_ms) override;
  void update_run(std::string_view run_id, std::string_view status, std::int64_t at,
                  std::string_view error) override;
  void append_logs(std::span<const ork::plugin::LogLine> lines) override;
  // Plugin API 1.9: log lines, then transitions, in one transaction.
  void append_logs_and_update_tasks(std::span<const ork::plugin::LogLine> lines,
                                    std::span<const ork::plugin::TaskUpdate> updates) override;
  std::string query(ork_query_kind kind, std::string_view params_json) override;

  // Plugin API 1.1: run ownership (leases, cancel requests) and settings.
  bool claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner, std::int64_t now,
                 std::int64_t lease_ms) override;
  std::string renew_leases(std::string_view owner, std::int64_t now, std::int64_t lease_ms) override;
  void request_cancel(std::string_view run_id, std::int64_t at) override;
  void set_workflow_setting(std::string_view workflow, std::string_view key, std::string_view value_json) override;

  // Plugin API 1.3: the queue of task attempts for `ork worker`. Claims lock
  // with FOR UPDATE SKIP LOCKED; an enqueue sends NOTIFY ork_queue (payload:
  // the executor) in its transaction.
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

 private:
  // Runs `body(connection, retried)` in a transaction begun with `begin`,
  // again on a new connection when the first one was lost, or when the
  // server chose it as a deadlock victim.
  template <typename Body>
  auto in_transaction(std::string_view begin, Body&& body);

  Pool pool_;
  QueueListener listener_;
};

}  // namespace ork::plugins::postgres
