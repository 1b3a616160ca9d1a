// Header-only C++ wrapper over the C plugin API (ork/plugin.h) for plugin
// authors. Implement a class derived from ork::plugin::Executor (or
// ork::plugin::Storage) and export it with one macro:
//
//   class Echo final : public ork::plugin::Executor {
//    public:
//     static constexpr const char* task_keys[] = {"message", nullptr};
//     static constexpr uint32_t capabilities = 0;
//     void run(const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) override;
//   };
//   ORK_EXECUTOR_PLUGIN(Echo, "echo", "1.0.0", "Echoes its input")
//
// Every trampoline catches exceptions and turns them into an error status with
// the exception's message: no exception ever crosses the C boundary.
#pragma once

#include <ork/plugin.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ork::plugin {

inline std::string_view view(ork_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }
inline ork_str str(std::string_view s) { return ork_str{s.data(), s.size()}; }

// The host's services, set once by the init trampoline.
inline const ork_host_api*& host_api() {
  static const ork_host_api* api = nullptr;
  return api;
}

// A diagnostic shown with `ork -v` (0 debug, 1 info, 2 warning, 3 error).
inline void diagnostic(int level, std::string_view message) {
  if (const ork_host_api* api = host_api(); api && api->log) api->log(level, str(message));
}

struct TaskSpec {
  std::string_view workflow_name;
  std::string_view workflow_file;
  std::string_view workflow_dir;
  std::string_view task_name;
  std::string_view config_json;  // executor-specific keys as a JSON object
  // since 1.5; empty from an older host (then the task runs in workflow_dir).
  std::string_view workdir;
  std::vector<std::string_view> env;  // "KEY=VALUE", on top of the host's environment
};

inline TaskSpec to_task_spec(const ork_task_spec& s) {
  TaskSpec spec{view(s.workflow_name), view(s.workflow_file), view(s.workflow_dir), view(s.task_name),
                view(s.config_json), {}, {}};
  if (s.struct_size >= offsetof(ork_task_spec, env_count) + sizeof(s.env_count)) {
    spec.workdir = view(s.workdir);
    spec.env.reserve(s.env_count);
    for (std::size_t i = 0; i < s.env_count; ++i) spec.env.push_back(view(s.env[i]));
  }
  return spec;
}

struct TaskRequest {
  std::uint64_t attempt_token = 0;
  TaskSpec spec;
  std::string_view run_id;
  std::uint32_t attempt = 1;
  std::string_view input_json;
  std::string_view workdir;
  std::vector<std::string_view> env;  // "KEY=VALUE"
  std::chrono::milliseconds timeout{0};  // 0 = none
};

class CheckSink {
 public:
  explicit CheckSink(const ork_check_sink& sink) : sink_(sink) {}
  void error(std::string_view key, std::string_view message) const { sink_.error(sink_.ctx, str(key), str(message)); }
  void signature(std::string_view json) const { sink_.signature(sink_.ctx, str(json)); }

 private:
  const ork_check_sink& sink_;
};

class TaskSink {
 public:
  explicit TaskSink(const ork_task_sink& sink) : sink_(sink) {}
  void log(ork_log_stream stream, std::string_view line) const { sink_.log(sink_.ctx, stream, str(line)); }
  void succeed(std::string_view output_json) { finish(ORK_TASK_SUCCEEDED, output_json, {}); }
  void fail(std::string_view error) { finish(ORK_TASK_FAILED, {}, error); }
  void finish(ork_task_outcome outcome, std::string_view output_json, std::string_view error) {
    if (finished_) return;
    finished_ = true;
    sink_.finish(sink_.ctx, outcome, str(output_json), str(error));
  }
  bool finished() const { return finished_; }

 private:
  const ork_task_sink& sink_;
  bool finished_ = false;
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Compile-time check; report problems and the signature through `sink`.
  virtual void check(const TaskSpec& spec, const CheckSink& sink) {
    (void)spec;
    (void)sink;
  }
  // Run one attempt to its end; call sink.succeed/fail/finish once.
  virtual void run(const TaskRequest& request, TaskSink& sink) = 0;
  // Stop a running attempt (from another thread). Idempotent.
  virtual void cancel(std::uint64_t attempt_token) { (void)attempt_token; }
};

// ---- storage --------------------------------------------------------------

// Thrown by a Store to answer ORK_STATUS_NOT_FOUND / ORK_STATUS_CONFLICT.
struct NotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Conflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Thrown by a default implementation: answers ORK_STATUS_UNSUPPORTED.
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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

  // since 1.1 — run ownership and workflow settings (see plugin.h).
  virtual bool claim_run(std::string_view run_id, std::string_view owner, std::string_view dead_owner,
                         std::int64_t now, std::int64_t lease_ms) {
    (void)run_id, (void)owner, (void)dead_owner, (void)now, (void)lease_ms;
    throw Unsupported("this storage plugin does not support run ownership (API 1.1)");
  }
  // Returns the JSON document {"cancel_requested": [run ids]}.
  virtual std::string renew_leases(std::string_view owner, std::int64_t now, std::int64_t lease_ms) {
    (void)owner, (void)now, (void)lease_ms;
    throw Unsupported("this storage plugin does not support run ownership (API 1.1)");
  }
  virtual void request_cancel(std::string_view run_id, std::int64_t at) {
    (void)run_id, (void)at;
    throw Unsupported("this storage plugin does not support cancellation requests (API 1.1)");
  }
  virtual void set_workflow_setting(std::string_view workflow, std::string_view key, std::string_view value_json) {
    (void)workflow, (void)key, (void)value_json;
    throw Unsupported("this storage plugin does not support workflow settings (API 1.1)");
  }

  // since 1.3 — the queue of task attempts for `ork worker` (see plugin.h).
  struct QueuedAttempt {
    std::string_view run_id, task_name;
    std::uint32_t attempt = 0;
    std::string_view executor, payload_json;
    std::int64_t at = 0;
  };
  virtual std::int64_t enqueue_attempt(const QueuedAttempt& attempt) {
    (void)attempt;
    throw Unsupported("this storage plugin has no queue for ork worker (API 1.3)");
  }
  // The JSON document of plugin.h (`{}` when nothing is queued).
  virtual std::string claim_attempt(std::string_view worker, std::string_view executors, std::int64_t now,
                                    std::int64_t lease_ms) {
    (void)worker, (void)executors, (void)now, (void)lease_ms;
    throw Unsupported("this storage plugin has no queue for ork worker (API 1.3)");
  }
  virtual void complete_attempt(std::int64_t id, std::string_view worker, ork_task_outcome outcome,
                                std::string_view output_json, std::string_view error, std::int64_t at) {
    (void)id, (void)worker, (void)outcome, (void)output_json, (void)error, (void)at;
    throw Unsupported("this storage plugin has no queue for ork worker (API 1.3)");
  }
  // Returns {"cancel": [queue ids]}.
  virtual std::string worker_heartbeat(std::string_view worker, std::string_view info_json, std::int64_t now,
                                       std::int64_t lease_ms) {
    (void)worker, (void)info_json, (void)now, (void)lease_ms;
    throw Unsupported("this storage plugin has no queue for ork worker (API 1.3)");
  }
  virtual void cancel_attempt(std::int64_t id, std::int64_t at) {
    (void)id, (void)at;
    throw Unsupported("this storage plugin has no queue for ork worker (API 1.3)");
  }

  // since 1.4 — wait for a queue change; the default just waits the timeout.
  virtual void wait_for_queue(std::int64_t timeout_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
  }

  // since 1.2 — all in one transaction. The default applies them one by one
  // (not atomically); a store with transactions should override it.
  virtual void update_tasks(std::span<const TaskUpdate> updates) {
    for (const TaskUpdate& update : updates) update_task(update);
  }
};

class Storage {
 public:
  virtual ~Storage() = default;
  virtual std::unique_ptr<Store> open(std::string_view url) = 0;
};

// ---- trampolines ----------------------------------------------------------

namespace detail {

inline void set_error(ork_error* err, std::string_view message) {
  if (const ork_host_api* api = host_api(); api && api->set_error) api->set_error(err, str(message));
}

// Runs `body`, mapping exceptions to statuses and messages.
template <typename Body>
ork_status guarded(ork_error* err, Body&& body) noexcept {
  try {
    body();
    return ORK_STATUS_OK;
  } catch (const NotFound& e) {
    set_error(err, e.what());
    return ORK_STATUS_NOT_FOUND;
  } catch (const Conflict& e) {
    set_error(err, e.what());
    return ORK_STATUS_CONFLICT;
  } catch (const Unsupported& e) {
    set_error(err, e.what());
    return ORK_STATUS_UNSUPPORTED;
  } catch (const std::exception& e) {
    set_error(err, e.what());
    return ORK_STATUS_ERROR;
  } catch (...) {
    set_error(err, "unknown C++ exception in plugin");
    return ORK_STATUS_ERROR;
  }
}

template <typename Plugin>
ork_status init(const ork_host_api* host, void** out_state, ork_error* err) {
  host_api() = host;
  return guarded(err, [&] { *out_state = new Plugin(); });
}

template <typename Plugin>
void shutdown(void* state) {
  delete static_cast<Plugin*>(state);
}

template <typename Plugin>
ork_status check_task(void* state, const ork_task_spec* spec, const ork_check_sink* sink, ork_error* err) {
  return guarded(err, [&] { static_cast<Plugin*>(state)->check(to_task_spec(*spec), CheckSink(*sink)); });
}

template <typename Plugin>
ork_status run_task(void* state, const ork_task_request* req, const ork_task_sink* sink, ork_error* err) {
  TaskSink task_sink(*sink);
  ork_status status = guarded(err, [&] {
    TaskRequest request;
    request.attempt_token = req->attempt_token;
    request.spec = to_task_spec(*req->spec);
    request.run_id = view(req->run_id);
    request.attempt = req->attempt;
    request.input_json = view(req->input_json);
    request.workdir = view(req->workdir);
    request.env.reserve(req->env_count);
    for (std::size_t i = 0; i < req->env_count; ++i) request.env.push_back(view(req->env[i]));
    request.timeout = std::chrono::milliseconds(req->timeout_ms);
    static_cast<Plugin*>(state)->run(request, task_sink);
  });
  if (status == ORK_STATUS_OK && !task_sink.finished()) {
    set_error(err, "executor returned without reporting the task's outcome");
    return ORK_STATUS_ERROR;
  }
  return status;
}

template <typename Plugin>
void cancel_task(void* state, std::uint64_t token) {
  ork_error* none = nullptr;
  guarded(none, [&] { static_cast<Plugin*>(state)->cancel(token); });
}

template <typename Plugin>
ork_status open_store(void* state, ork_str url, void** out_store, ork_error* err) {
  return guarded(err, [&] { *out_store = static_cast<Plugin*>(state)->open(view(url)).release(); });
}

inline void close_store(void* store) { delete static_cast<Store*>(store); }

inline ork_status save_workflow(void* store, const ork_workflow_record* w, std::int64_t* out_id, ork_error* err) {
  return guarded(err, [&] {
    *out_id = static_cast<Store*>(store)->save_workflow(WorkflowRecord{
        view(w->name), view(w->content_hash), view(w->file), view(w->source), view(w->spec_json), w->created_at});
  });
}

inline ork_status create_run(void* store, const ork_run_record* r, const ork_str_sink* out_id, int* out_existing,
                             ork_error* err) {
  return guarded(err, [&] {
    RunRecord run{view(r->run_id), r->workflow_version_id, view(r->workflow_name), view(r->inputs_json),
                  view(r->idempotency_key), view(r->trigger), view(r->owner), r->created_at, {}};
    run.task_names.reserve(r->task_count);
    for (std::size_t i = 0; i < r->task_count; ++i) run.task_names.push_back(view(r->task_names[i]));
    CreatedRun created = static_cast<Store*>(store)->create_run(run);
    out_id->write(out_id->ctx, str(created.run_id));
    *out_existing = created.existing ? 1 : 0;
  });
}

inline ork_status update_task(void* store, const ork_task_update* u, ork_error* err) {
  return guarded(err, [&] {
    static_cast<Store*>(store)->update_task(TaskUpdate{view(u->run_id), view(u->task_name), u->attempt,
                                                       view(u->status), u->at, view(u->output_json), view(u->error),
                                                       u->next_attempt_at});
  });
}

inline ork_status update_tasks(void* store, const ork_task_update* updates, std::size_t count, ork_error* err) {
  return guarded(err, [&] {
    std::vector<TaskUpdate> converted;
    converted.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      const ork_task_update& u = updates[i];
      converted.push_back(TaskUpdate{view(u.run_id), view(u.task_name), u.attempt, view(u.status), u.at,
                                     view(u.output_json), view(u.error), u.next_attempt_at});
    }
    static_cast<Store*>(store)->update_tasks(converted);
  });
}

inline ork_status enqueue_attempt(void* store, const ork_queued_attempt* a, std::int64_t* out_id, ork_error* err) {
  return guarded(err, [&] {
    *out_id = static_cast<Store*>(store)->enqueue_attempt(Store::QueuedAttempt{
        view(a->run_id), view(a->task_name), a->attempt, view(a->executor), view(a->payload_json), a->at});
  });
}

inline ork_status claim_attempt(void* store, ork_str worker, ork_str executors, std::int64_t now,
                                std::int64_t lease_ms, const ork_json_sink* out, ork_error* err) {
  return guarded(err, [&] {
    std::string answer = static_cast<Store*>(store)->claim_attempt(view(worker), view(executors), now, lease_ms);
    out->write(out->ctx, str(answer));
  });
}

inline ork_status complete_attempt(void* store, std::int64_t id, ork_str worker, ork_task_outcome outcome,
                                   ork_str output_json, ork_str error, std::int64_t at, ork_error* err) {
  return guarded(err, [&] {
    static_cast<Store*>(store)->complete_attempt(id, view(worker), outcome, view(output_json), view(error), at);
  });
}

inline ork_status worker_heartbeat(void* store, ork_str worker, ork_str info_json, std::int64_t now,
                                   std::int64_t lease_ms, const ork_json_sink* out, ork_error* err) {
  return guarded(err, [&] {
    std::string answer = static_cast<Store*>(store)->worker_heartbeat(view(worker), view(info_json), now, lease_ms);
    out->write(out->ctx, str(answer));
  });
}

inline ork_status cancel_attempt(void* store, std::int64_t id, std::int64_t at, ork_error* err) {
  return guarded(err, [&] { static_cast<Store*>(store)->cancel_attempt(id, at); });
}

inline ork_status wait_for_queue(void* store, std::int64_t timeout_ms, ork_error* err) {
  return guarded(err, [&] { static_cast<Store*>(store)->wait_for_queue(timeout_ms); });
}

inline ork_status update_run(void* store, ork_str run_id, ork_str status, std::int64_t at, ork_str error,
                             ork_error* err) {
  return guarded(err,
                 [&] { static_cast<Store*>(store)->update_run(view(run_id), view(status), at, view(error)); });
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

inline ork_status append_logs(void* store, const ork_log_line* lines, std::size_t count, ork_error* err) {
  return guarded(err, [&] {
    std::vector<LogLine> converted;
    converted.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      const ork_log_line& l = lines[i];
      converted.push_back(
          LogLine{view(l.run_id), view(l.task_name), l.attempt, checked_stream(l.stream), l.at, view(l.line)});
    }
    static_cast<Store*>(store)->append_logs(converted);
  });
}

inline ork_status query(void* store, ork_query_kind kind, ork_str params, const ork_json_sink* out, ork_error* err) {
  return guarded(err, [&] {
    int raw = raw_enum(kind);
    if (raw < ORK_QUERY_LIST_RUNS || raw > ORK_QUERY_WORKERS) {
      throw std::invalid_argument("unknown query kind " + std::to_string(raw));
    }
    std::string answer = static_cast<Store*>(store)->query(static_cast<ork_query_kind>(raw), view(params));
    out->write(out->ctx, str(answer));
  });
}

inline ork_status claim_run(void* store, ork_str run_id, ork_str owner, ork_str dead_owner, std::int64_t now,
                           std::int64_t lease_ms, int* out_claimed, ork_error* err) {
  return guarded(err, [&] {
    *out_claimed =
        static_cast<Store*>(store)->claim_run(view(run_id), view(owner), view(dead_owner), now, lease_ms) ? 1 : 0;
  });
}

inline ork_status renew_leases(void* store, ork_str owner, std::int64_t now, std::int64_t lease_ms,
                              const ork_json_sink* out, ork_error* err) {
  return guarded(err, [&] {
    std::string answer = static_cast<Store*>(store)->renew_leases(view(owner), now, lease_ms);
    out->write(out->ctx, str(answer));
  });
}

inline ork_status request_cancel(void* store, ork_str run_id, std::int64_t at, ork_error* err) {
  return guarded(err, [&] { static_cast<Store*>(store)->request_cancel(view(run_id), at); });
}

inline ork_status set_workflow_setting(void* store, ork_str workflow, ork_str key, ork_str value, ork_error* err) {
  return guarded(err,
                 [&] { static_cast<Store*>(store)->set_workflow_setting(view(workflow), view(key), view(value)); });
}

}  // namespace detail

// Builds the static descriptor of an executor plugin class.
template <typename Plugin>
const ork_plugin_descriptor* describe_executor(const char* name, const char* version, const char* description) {
  static const ork_executor_vtable vtable = {
      ORK_STRUCT_SIZE(ork_executor_vtable), name, Plugin::task_keys, Plugin::capabilities,
      &detail::check_task<Plugin>,          &detail::run_task<Plugin>, &detail::cancel_task<Plugin>};
  static const ork_plugin_descriptor descriptor = {
      ORK_STRUCT_SIZE(ork_plugin_descriptor), ORK_PLUGIN_API_MAJOR, 0, name, version, description,
      &detail::init<Plugin>, &detail::shutdown<Plugin>, &vtable, nullptr};
  return &descriptor;
}

// Builds the static descriptor of a storage plugin class.
template <typename Plugin>
const ork_plugin_descriptor* describe_storage(const char* name, const char* version, const char* description) {
  static const ork_storage_vtable vtable = {
      ORK_STRUCT_SIZE(ork_storage_vtable), Plugin::url_schemes, &detail::open_store<Plugin>,
      &detail::close_store,                &detail::save_workflow,      &detail::create_run,
      &detail::update_task,                &detail::update_run,         &detail::append_logs,
      &detail::query,                      &detail::claim_run,          &detail::renew_leases,
      &detail::request_cancel,             &detail::set_workflow_setting, &detail::update_tasks,
      &detail::enqueue_attempt,            &detail::claim_attempt,        &detail::complete_attempt,
      &detail::worker_heartbeat,           &detail::cancel_attempt,       &detail::wait_for_queue};
  static const ork_plugin_descriptor descriptor = {
      ORK_STRUCT_SIZE(ork_plugin_descriptor), ORK_PLUGIN_API_MAJOR, 0, name, version, description,
      &detail::init<Plugin>, &detail::shutdown<Plugin>, nullptr, &vtable};
  return &descriptor;
}

}  // namespace ork::plugin

// Exports `Class` (an ork::plugin::Executor with static `task_keys` and
// `capabilities`) as this shared object's executor plugin.
#define ORK_EXECUTOR_PLUGIN(Class, name, version, description)                       \
  extern "C" ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_describe(void) { \
    return ::ork::plugin::describe_executor<Class>(name, version, description);       \
  }

// Exports `Class` (an ork::plugin::Storage with static `url_schemes`) as this
// shared object's storage plugin.
#define ORK_STORAGE_PLUGIN(Class, name, version, description)                        \
  extern "C" ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_describe(void) { \
    return ::ork::plugin::describe_storage<Class>(name, version, description);        \
  }
