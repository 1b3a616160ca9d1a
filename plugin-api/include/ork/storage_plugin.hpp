// The storage half of the C++ plugin wrapper (included through
// ork/plugin.hpp): typed records, the `Store` interface every store
// implements, one interface per optional group of the storage table
// (`RunOwnership` 1.1, `BatchedUpdates` 1.2, `AttemptQueue` 1.3,
// `QueueNotifications` 1.4, `TaskCache` 1.7, `LogsWithUpdates` 1.9), and the trampolines and descriptor that expose a
// store as an `ork_storage_vtable`.
//
// A store implements an optional group by also deriving from its interface,
// and its Storage class names it with `using store_type = MyStore;`. The
// wrapper fills a group's slots only when store_type derives from it and
// leaves them NULL otherwise, so the host's capability checks (e.g. "can this
// store serve `ork worker`?") are true exactly when the store implements the
// calls, and a missing `update_tasks` lets the host fall back to its own path
// instead of a default that would break plugin.h's all-or-none promise.
#pragma once

#include <ork/plugin_support.hpp>

#include <concepts>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ork::plugin {

// The records of plugin.h as views: borrowed for the call they are passed to.
struct WorkflowRecord {
  std::string_view name, content_hash, file, source, spec_json;
  std::int64_t created_at = 0;
};

struct RunRecord {
  std::string_view run_id;
  std::int64_t workflow_version_id = 0;
  std::string_view workflow_name, inputs_json, idempotency_key, trigger, owner;
  std::int64_t created_at = 0;
  std::vector<std::string_view> task_names;
};

// Owned by the caller; the trampoline hands run_id to the host's sink, which copies it.
struct CreatedRun {
  std::string run_id;
  bool existing = false;
};

struct TaskUpdate {
  std::string_view run_id, task_name;
  std::uint32_t attempt = 0;
  std::string_view status;
  std::int64_t at = 0;
  std::string_view output_json, error;
  std::int64_t next_attempt_at = 0;
};

struct LogLine {
  std::string_view run_id, task_name;
  std::uint32_t attempt = 0;
  ork_log_stream stream = ORK_LOG_STDOUT;
  std::int64_t at = 0;
  std::string_view line;
};

// The calls every store implements (API 1.0).
class Store {
 public:
  virtual ~Store() = default;
  virtual std::int64_t save_workflow(const WorkflowRecord& workflow) = 0;
  virtual CreatedRun create_run(const RunRecord& run) = 0;
  virtual void update_task(const TaskUpdate& update) = 0;
  virtual void update_run(std::string_view run_id, std::string_view status, std::int64_t at,
                          std::string_view error) = 0;
  virtual void append_logs(std::span<const LogLine> lines) = 0;
  // Answers one ork_query_kind with its JSON document.
  virtual std::string query(ork_query_kind kind, std::string_view params_json) = 0;
};

// since 1.1 — run ownership and workflow settings (see plugin.h).
class RunOwnership {
 public:
  virtual ~RunOwnership() = default;
  virtual bool claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner,
                         std::int64_t now, std::int64_t lease_ms) = 0;
  // Returns the JSON document {"cancel_requested": [run ids]}.
  virtual std::string renew_leases(std::string_view owner, std::int64_t now, std::int64_t lease_ms) = 0;
  virtual void request_cancel(std::string_view run_id, std::int64_t at) = 0;
  virtual void set_workflow_setting(std::string_view workflow, std::string_view key, std::string_view value_json) = 0;
};

// since 1.2 — several transitions in ONE transaction, all or none.
class BatchedUpdates {
 public:
  virtual ~BatchedUpdates() = default;
  virtual void update_tasks(std::span<const TaskUpdate> updates) = 0;
};

// since 1.9 — log lines, then task transitions, in ONE transaction, all or none.
class LogsWithUpdates {
 public:
  virtual ~LogsWithUpdates() = default;
  virtual void append_logs_and_update_tasks(std::span<const LogLine> lines, std::span<const TaskUpdate> updates) = 0;
};

// since 1.3 — the queue of task attempts for `ork worker` (see plugin.h).
class AttemptQueue {
 public:
  struct QueuedAttempt {
    std::string_view run_id, task_name;
    std::uint32_t attempt = 0;
    std::string_view executor, payload_json;
    std::int64_t at = 0;
  };
  virtual ~AttemptQueue() = default;
  virtual std::int64_t enqueue_attempt(const QueuedAttempt& attempt) = 0;
  // The JSON document of plugin.h (`{}` when nothing is queued).
  virtual std::string claim_attempt(std::string_view worker, std::string_view executors, std::int64_t now,
                                    std::int64_t lease_ms) = 0;
  virtual void complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                                std::string_view output_json, std::string_view error, std::int64_t at) = 0;
  // Returns {"cancel": [queue ids]}.
  virtual std::string worker_heartbeat(std::string_view worker, std::string_view info_json, std::int64_t now,
                                       std::int64_t lease_ms) = 0;
  virtual void cancel_attempt(std::int64_t id, std::int64_t at) = 0;
};

// since 1.4 — block until the queue may have changed or the timeout passed.
class QueueNotifications {
 public:
  virtual ~QueueNotifications() = default;
  virtual void wait_for_queue(std::int64_t timeout_ms) = 0;
};

// since 1.7 — the task cache (`cache:`; see plugin.h).
class TaskCache {
 public:
  struct Entry {
    std::string_view key, workflow, run_id, task_name;
    std::uint32_t attempt = 0;
    std::string_view output_json;
    std::int64_t created_at = 0;
  };
  virtual ~TaskCache() = default;
  virtual void cache_put(const Entry& entry) = 0;
  // The JSON document of plugin.h (`{}` when there is no entry that new).
  virtual std::string cache_lookup(std::string_view key, std::int64_t not_before) = 0;
  // Returns how many entries it deleted.
  virtual std::int64_t cache_clear(std::string_view workflow) = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;
  // The returned store is owned by the host until `close` (it must be a
  // `store_type` when the Storage class names one).
  virtual std::unique_ptr<Store> open(std::string_view url) = 0;
};

// The store class a Storage opens: its `store_type`, or plain Store (no
// optional group) when it names none.
template <typename Plugin>
struct store_type_of {
  using type = Store;
};
template <typename Plugin>
  requires requires { typename Plugin::store_type; }
struct store_type_of<Plugin> {
  using type = typename Plugin::store_type;
  static_assert(std::derived_from<type, Store>, "store_type must derive from ork::plugin::Store");
};

namespace detail {

// The host's opaque store handle is the Store* that `open` released.
template <typename S>
S& as(void* store) {
  return static_cast<S&>(*static_cast<Store*>(store));
}

template <typename Plugin>
ork_status open_store(void* state, ork_str url, void** out_store, ork_error* err) {
  using S = typename store_type_of<Plugin>::type;
  return guarded(err, [&] {
    std::unique_ptr<Store> store = static_cast<Plugin*>(state)->open(view(url));
    if constexpr (!std::is_same_v<S, Store>) {
      if (!dynamic_cast<S*>(store.get())) throw std::logic_error("open returned a store that is not its store_type");
    }
    *out_store = store.release();
  });
}

inline void close_store(void* store) { delete static_cast<Store*>(store); }

inline ork_status save_workflow(void* store, const ork_workflow_record* w, std::int64_t* out_id, ork_error* err) {
  return guarded(err, [&] {
    *out_id = as<Store>(store).save_workflow(WorkflowRecord{view(w->name), view(w->content_hash), view(w->file),
                                                            view(w->source), view(w->spec_json), w->created_at});
  });
}

inline ork_status create_run(void* store, const ork_run_record* r, const ork_str_sink* out_id, int* out_existing,
                             ork_error* err) {
  return guarded(err, [&] {
    RunRecord run{view(r->run_id), r->workflow_version_id, view(r->workflow_name), view(r->inputs_json),
                  view(r->idempotency_key), view(r->trigger), view(r->owner), r->created_at, {}};
    run.task_names.reserve(r->task_count);
    for (std::size_t i = 0; i < r->task_count; ++i) run.task_names.push_back(view(r->task_names[i]));
    CreatedRun created = as<Store>(store).create_run(run);
    out_id->write(out_id->ctx, str(created.run_id));
    *out_existing = created.existing ? 1 : 0;
  });
}

inline TaskUpdate to_task_update(const ork_task_update& u) {
  return TaskUpdate{view(u.run_id), view(u.task_name), u.attempt,          view(u.status),
                    u.at,           view(u.output_json), view(u.error), u.next_attempt_at};
}

inline ork_status update_task(void* store, const ork_task_update* u, ork_error* err) {
  return guarded(err, [&] { as<Store>(store).update_task(to_task_update(*u)); });
}

inline ork_status update_run(void* store, ork_str run_id, ork_str status, std::int64_t at, ork_str error,
                             ork_error* err) {
  return guarded(err, [&] { as<Store>(store).update_run(view(run_id), view(status), at, view(error)); });
}

// A C enum member may hold any int (a newer host may send a value this plugin
// does not know), but loading an out-of-range value as a C++ enum is
// undefined behaviour: read the bytes as an int and check them first.
static_assert(sizeof(ork_log_stream) == sizeof(int) && sizeof(ork_query_kind) == sizeof(int));
template <typename Enum>
inline int raw_enum(const Enum& value) {
  int raw = 0;
  std::memcpy(&raw, &value, sizeof raw);
  return raw;
}

inline ork_log_stream checked_stream(const ork_log_stream& stream) {
  int raw = raw_enum(stream);
  if (raw != ORK_LOG_STDOUT && raw != ORK_LOG_STDERR && raw != ORK_LOG_SYSTEM) {
    throw std::invalid_argument("unknown log stream " + std::to_string(raw));
  }
  return static_cast<ork_log_stream>(raw);
}

inline std::vector<LogLine> to_log_lines(const ork_log_line* lines, std::size_t count) {
  std::vector<LogLine> converted;
  converted.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const ork_log_line& l = lines[i];
    converted.push_back(
        LogLine{view(l.run_id), view(l.task_name), l.attempt, checked_stream(l.stream), l.at, view(l.line)});
  }
  return converted;
}

inline ork_status append_logs(void* store, const ork_log_line* lines, std::size_t count, ork_error* err) {
  return guarded(err, [&] { as<Store>(store).append_logs(to_log_lines(lines, count)); });
}

inline ork_status query(void* store, ork_query_kind kind, ork_str params, const ork_json_sink* out, ork_error* err) {
  return guarded(err, [&] {
    int raw = raw_enum(kind);
    if (raw < ORK_QUERY_LIST_RUNS || raw > ORK_QUERY_WORKERS) {
      throw std::invalid_argument("unknown query kind " + std::to_string(raw));
    }
    std::string answer = as<Store>(store).query(static_cast<ork_query_kind>(raw), view(params));
    out->write(out->ctx, str(answer));
  });
}

template <typename S>
ork_status claim_run(void* store, ork_str run_id, ork_str owner, ork_str dead_owner, std::int64_t now,
                     std::int64_t lease_ms, int* out_claimed, ork_error* err) {
  return guarded(err, [&] {
    *out_claimed = as<S>(store).claim_run(view(run_id), view(owner), view(dead_owner), now, lease_ms) ? 1 : 0;
  });
}

template <typename S>
ork_status renew_leases(void* store, ork_str owner, std::int64_t now, std::int64_t lease_ms, const ork_json_sink* out,
                        ork_error* err) {
  return guarded(err, [&] {
    std::string answer = as<S>(store).renew_leases(view(owner), now, lease_ms);
    out->write(out->ctx, str(answer));
  });
}

template <typename S>
ork_status request_cancel(void* store, ork_str run_id, std::int64_t at, ork_error* err) {
  return guarded(err, [&] { as<S>(store).request_cancel(view(run_id), at); });
}

template <typename S>
ork_status set_workflow_setting(void* store, ork_str workflow, ork_str key, ork_str value, ork_error* err) {
  return guarded(err, [&] { as<S>(store).set_workflow_setting(view(workflow), view(key), view(value)); });
}

template <typename S>
ork_status update_tasks(void* store, const ork_task_update* updates, std::size_t count, ork_error* err) {
  return guarded(err, [&] {
    std::vector<TaskUpdate> converted;
    converted.reserve(count);
    for (std::size_t i = 0; i < count; ++i) converted.push_back(to_task_update(updates[i]));
    as<S>(store).update_tasks(converted);
  });
}

template <typename S>
ork_status append_logs_and_update_tasks(void* store, const ork_log_line* lines, std::size_t line_count,
                                        const ork_task_update* updates, std::size_t update_count, ork_error* err) {
  return guarded(err, [&] {
    std::vector<TaskUpdate> converted;
    converted.reserve(update_count);
    for (std::size_t i = 0; i < update_count; ++i) converted.push_back(to_task_update(updates[i]));
    as<S>(store).append_logs_and_update_tasks(to_log_lines(lines, line_count), converted);
  });
}

template <typename S>
ork_status enqueue_attempt(void* store, const ork_queued_attempt* a, std::int64_t* out_id, ork_error* err) {
  return guarded(err, [&] {
    *out_id = as<S>(store).enqueue_attempt(AttemptQueue::QueuedAttempt{
        view(a->run_id), view(a->task_name), a->attempt, view(a->executor), view(a->payload_json), a->at});
  });
}

template <typename S>
ork_status claim_attempt(void* store, ork_str worker, ork_str executors, std::int64_t now, std::int64_t lease_ms,
                         const ork_json_sink* out, ork_error* err) {
  return guarded(err, [&] {
    std::string answer = as<S>(store).claim_attempt(view(worker), view(executors), now, lease_ms);
    out->write(out->ctx, str(answer));
  });
}

template <typename S>
ork_status complete_attempt(void* store, std::int64_t id, ork_str worker, ork_task_outcome outcome,
                            ork_str output_json, ork_str error, std::int64_t at, ork_error* err) {
  return guarded(err, [&] {
    as<S>(store).complete_attempt(id, view(worker), outcome, view(output_json), view(error), at);
  });
}

template <typename S>
ork_status worker_heartbeat(void* store, ork_str worker, ork_str info_json, std::int64_t now, std::int64_t lease_ms,
                            const ork_json_sink* out, ork_error* err) {
  return guarded(err, [&] {
    std::string answer = as<S>(store).worker_heartbeat(view(worker), view(info_json), now, lease_ms);
    out->write(out->ctx, str(answer));
  });
}

template <typename S>
ork_status cancel_attempt(void* store, std::int64_t id, std::int64_t at, ork_error* err) {
  return guarded(err, [&] { as<S>(store).cancel_attempt(id, at); });
}

template <typename S>
ork_status wait_for_queue(void* store, std::int64_t timeout_ms, ork_error* err) {
  return guarded(err, [&] { as<S>(store).wait_for_queue(timeout_ms); });
}

template <typename S>
ork_status cache_put(void* store, ork_str key, ork_str workflow, ork_str run_id, ork_str task_name,
                     std::uint32_t attempt, ork_str output_json, std::int64_t created_at, ork_error* err) {
  return guarded(err, [&] {
    as<S>(store).cache_put(TaskCache::Entry{view(key), view(workflow), view(run_id), view(task_name), attempt,
                                            view(output_json), created_at});
  });
}

template <typename S>
ork_status cache_lookup(void* store, ork_str key, std::int64_t not_before, const ork_json_sink* out,
                        ork_error* err) {
  return guarded(err, [&] {
    std::string answer = as<S>(store).cache_lookup(view(key), not_before);
    out->write(out->ctx, str(answer));
  });
}

template <typename S>
ork_status cache_clear(void* store, ork_str workflow, std::int64_t* out_removed, ork_error* err) {
  return guarded(err, [&] { *out_removed = as<S>(store).cache_clear(view(workflow)); });
}

// The table of a Storage class: the 1.0 calls always, each optional group
// only when its store_type implements it (NULL slots otherwise).
template <typename Plugin>
ork_storage_vtable storage_vtable() {
  using S = typename store_type_of<Plugin>::type;
  ork_storage_vtable t{};
  t.struct_size = ORK_STRUCT_SIZE(ork_storage_vtable);
  t.url_schemes = Plugin::url_schemes;
  t.open = &open_store<Plugin>;
  t.close = &close_store;
  t.save_workflow = &save_workflow;
  t.create_run = &create_run;
  t.update_task = &update_task;
  t.update_run = &update_run;
  t.append_logs = &append_logs;
  t.query = &query;
  if constexpr (std::derived_from<S, RunOwnership>) {
    t.claim_run = &claim_run<S>;
    t.renew_leases = &renew_leases<S>;
    t.request_cancel = &request_cancel<S>;
    t.set_workflow_setting = &set_workflow_setting<S>;
  }
  if constexpr (std::derived_from<S, BatchedUpdates>) t.update_tasks = &update_tasks<S>;
  if constexpr (std::derived_from<S, AttemptQueue>) {
    t.enqueue_attempt = &enqueue_attempt<S>;
    t.claim_attempt = &claim_attempt<S>;
    t.complete_attempt = &complete_attempt<S>;
    t.worker_heartbeat = &worker_heartbeat<S>;
    t.cancel_attempt = &cancel_attempt<S>;
  }
  if constexpr (std::derived_from<S, QueueNotifications>) t.wait_for_queue = &wait_for_queue<S>;
  if constexpr (std::derived_from<S, TaskCache>) {
    t.cache_put = &cache_put<S>;
    t.cache_lookup = &cache_lookup<S>;
    t.cache_clear = &cache_clear<S>;
  }
  if constexpr (std::derived_from<S, LogsWithUpdates>) t.append_logs_and_update_tasks = &append_logs_and_update_tasks<S>;
  return t;
}

}  // namespace detail

// Builds the static descriptor of a storage plugin class.
template <typename Plugin>
const ork_plugin_descriptor* describe_storage(const char* name, const char* version, const char* description) {
  static const ork_storage_vtable vtable = detail::storage_vtable<Plugin>();
  static const ork_plugin_descriptor descriptor = {
      ORK_STRUCT_SIZE(ork_plugin_descriptor), ORK_PLUGIN_API_MAJOR, 0, name, version, description,
      &detail::init<Plugin>, &detail::shutdown<Plugin>, nullptr, &vtable, nullptr};
  return &descriptor;
}

}  // namespace ork::plugin
