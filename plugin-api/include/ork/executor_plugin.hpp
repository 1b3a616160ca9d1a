// The executor half of the C++ plugin wrapper (included through
// ork/plugin.hpp): typed views of a task and an attempt, the sinks an
// executor reports through, the `Executor` base class and the trampolines and
// descriptor that expose a class as an `ork_executor_vtable`. `check` and
// `cancel` default to doing nothing, which is exactly what a NULL slot means
// to the host, so the wrapper fills every slot.
#pragma once

#include <ork/plugin_support.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ork::plugin {

// Views into the host's ork_task_spec: borrowed for the call.
struct TaskSpec {
  std::string_view workflow_name;
  std::string_view workflow_file;
  std::string_view workflow_dir;
  std::string_view task_name;
  std::string_view config_json;  // executor-specific keys as a JSON object
  // since 1.5; empty from an older host (then the task runs in workflow_dir).
  std::string_view workdir;
  std::vector<std::string_view> env;  // "KEY=VALUE", on top of the host's environment
  // since 1.6: the compile this check belongs to (ork_task_spec.check_pass);
  // 0 at run time and from an older host.
  std::uint64_t check_pass = 0;
};

inline TaskSpec to_task_spec(const ork_task_spec& s) {
  TaskSpec spec{view(s.workflow_name), view(s.workflow_file), view(s.workflow_dir), view(s.task_name),
                view(s.config_json), {}, {}};
  // The host's struct, not normalised by anyone: a plugin checks its size
  // before reading a member newer than the minor it requires.
  if (s.struct_size >= offsetof(ork_task_spec, env_count) + sizeof(s.env_count)) {
    spec.workdir = view(s.workdir);
    spec.env.reserve(s.env_count);
    for (std::size_t i = 0; i < s.env_count; ++i) spec.env.push_back(view(s.env[i]));
  }
  if (s.struct_size >= offsetof(ork_task_spec, check_pass) + sizeof(s.check_pass)) spec.check_pass = s.check_pass;
  return spec;
}

// One attempt, viewing the host's ork_task_request: borrowed until `run` returns.
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
  // since 1.7: the files that make up the task's code (absolute paths), or
  // none and `why_not`. A host older than 1.7 has no such slot: then nothing
  // happens, and a task's `cache:` cannot be used there anyway.
  void code_files(const std::vector<std::string>& paths, std::string_view why_not = {}) const {
    if (sink_.struct_size < offsetof(ork_check_sink, code_files) + sizeof(sink_.code_files) || !sink_.code_files) {
      return;
    }
    std::vector<ork_str> views;
    views.reserve(paths.size());
    for (const std::string& path : paths) views.push_back(str(path));
    sink_.code_files(sink_.ctx, views.data(), views.size(), str(why_not));
  }

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
  // A run of tasks like `spec` is about to start: begin what they need in
  // the background (plugin API 1.8). A hint; must return at once.
  virtual void warm(const TaskSpec& spec) { (void)spec; }
};

namespace detail {

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
void warm(void* state, const ork_task_spec* spec) {
  ork_error* none = nullptr;
  guarded(none, [&] { static_cast<Plugin*>(state)->warm(to_task_spec(*spec)); });
}

}  // namespace detail

// Builds the static descriptor of an executor plugin class.
template <typename Plugin>
const ork_plugin_descriptor* describe_executor(const char* name, const char* version, const char* description) {
  static const ork_executor_vtable vtable = {
      ORK_STRUCT_SIZE(ork_executor_vtable), name, Plugin::task_keys, Plugin::capabilities,
      &detail::check_task<Plugin>,          &detail::run_task<Plugin>, &detail::cancel_task<Plugin>,
      &detail::warm<Plugin>};
  static const ork_plugin_descriptor descriptor = {
      ORK_STRUCT_SIZE(ork_plugin_descriptor), ORK_PLUGIN_API_MAJOR, 0, name, version, description,
      &detail::init<Plugin>, &detail::shutdown<Plugin>, &vtable, nullptr, nullptr};
  return &descriptor;
}

}  // namespace ork::plugin
