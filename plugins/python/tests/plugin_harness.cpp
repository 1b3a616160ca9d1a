#include "plugin_harness.hpp"

#include <dlfcn.h>
#include <stdlib.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <stdexcept>

namespace ork::plugins::python::test {

namespace {

struct ErrorSlot {
  std::string message;
};

std::string_view view(ork_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }
ork_str str(std::string_view s) { return ork_str{s.data(), s.size()}; }

void set_error(ork_error* slot, ork_str message) {
  if (slot) reinterpret_cast<ErrorSlot*>(slot)->message.assign(view(message));
}
void host_log(int, ork_str) {}

const ork_host_api host_api = {ORK_STRUCT_SIZE(ork_host_api), ORK_PLUGIN_API_MAJOR, ORK_PLUGIN_API_MINOR,
                               &set_error, &host_log};

struct LoadedPlugin {
  const ork_plugin_descriptor* descriptor = nullptr;
  void* state = nullptr;

  LoadedPlugin() {
    void* handle = ::dlopen(ORK_PYTHON_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
    auto describe = reinterpret_cast<ork_plugin_describe_fn>(::dlsym(handle, ORK_PLUGIN_ENTRY_SYMBOL));
    if (!describe) throw std::runtime_error("no ork_plugin_describe in the python plugin");
    descriptor = describe();
    ErrorSlot error;
    if (descriptor->init(&host_api, &state, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
      throw std::runtime_error("python plugin init failed: " + error.message);
    }
  }
  ~LoadedPlugin() {
    if (descriptor && descriptor->shutdown) descriptor->shutdown(state);
  }
};

LoadedPlugin& plugin() {
  static LoadedPlugin loaded;
  return loaded;
}

struct TaskSpecStorage {
  std::string workflow_dir, workflow_file, config_json;
  ork_task_spec spec{};

  TaskSpecStorage(const std::filesystem::path& dir, const boost::json::object& config)
      : workflow_dir(dir.string()), workflow_file((dir / "workflow.yaml").string()),
        config_json(boost::json::serialize(config)) {
    spec.struct_size = ORK_STRUCT_SIZE(ork_task_spec);
    spec.workflow_name = str("test");
    spec.workflow_file = str(workflow_file);
    spec.workflow_dir = str(workflow_dir);
    spec.task_name = str("task");
    spec.config_json = str(config_json);
  }
};

void check_error(void* ctx, ork_str key, ork_str message) {
  static_cast<CheckOutcome*>(ctx)->errors.emplace_back(std::string(view(key)), std::string(view(message)));
}

void check_signature(void* ctx, ork_str json) {
  auto* outcome = static_cast<CheckOutcome*>(ctx);
  ++outcome->signature_calls;
  outcome->signature = boost::json::parse(view(json));
}

struct RunContext {
  std::mutex mutex;
  RunOutcome outcome;
};

void task_log(void* ctx, ork_log_stream stream, ork_str line) {
  auto* context = static_cast<RunContext*>(ctx);
  std::lock_guard lock(context->mutex);
  context->outcome.logs.push_back({stream, std::string(view(line))});
}

void task_finish(void* ctx, ork_task_outcome outcome, ork_str output, ork_str error) {
  auto* context = static_cast<RunContext*>(ctx);
  std::lock_guard lock(context->mutex);
  ++context->outcome.finish_calls;
  context->outcome.outcome = outcome;
  context->outcome.output.assign(view(output));
  context->outcome.error.assign(view(error));
}

}  // namespace

bool RunOutcome::logged(ork_log_stream stream, const std::string& text) const {
  for (const auto& line : logs) {
    if (line.stream == stream && line.text == text) return true;
  }
  return false;
}

std::string RunOutcome::log_text() const {
  std::string text;
  for (const auto& line : logs) text += std::to_string(line.stream) + "| " + line.text + "\n";
  return text + "error: " + error + "\nexecutor error: " + executor_error;
}

const ork_executor_vtable& executor() { return *plugin().descriptor->executor; }
void* executor_state() { return plugin().state; }

std::uint64_t next_token() {
  static std::atomic<std::uint64_t> token{1};
  return token++;
}

// The compile-time check is the language's introspect (plugin API 1.7), as
// the host calls it for `executor: python` tasks.
CheckOutcome check(const std::filesystem::path& workflow_dir, const boost::json::object& config) {
  TaskSpecStorage storage(workflow_dir, config);
  auto text = [&](const char* key) {
    const boost::json::value* value = config.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  std::string file = text("file"), function = text("function");
  std::string file_path = file.empty() ? "" : (workflow_dir / file).lexically_normal().string();
  std::string build_dir = (workflow_dir / ".ork" / "build" / "python").string();
  ork_language_task task{ORK_STRUCT_SIZE(ork_language_task),
                         storage.spec.workflow_name,
                         storage.spec.workflow_file,
                         storage.spec.workflow_dir,
                         storage.spec.task_name,
                         str(file),
                         str(file_path),
                         str(function),
                         storage.spec.config_json,
                         str("python"),
                         str(build_dir),
                         storage.spec.workflow_dir,
                         nullptr,
                         0,
                         0};
  CheckOutcome outcome;
  ork_check_sink sink{ORK_STRUCT_SIZE(ork_check_sink), &outcome, &check_error, &check_signature};
  ErrorSlot error;
  const ork_language_vtable& language = *plugin().descriptor->language;
  outcome.status = language.introspect(executor_state(), &task, &sink, reinterpret_cast<ork_error*>(&error));
  outcome.executor_error = error.message;
  return outcome;
}

RunOutcome run(const std::filesystem::path& workflow_dir, const boost::json::object& config, RunOptions options) {
  TaskSpecStorage storage(workflow_dir, config);
  std::vector<ork_str> env;
  for (const auto& entry : options.env) env.push_back(str(entry));
  std::string workdir = options.workdir.empty() ? workflow_dir.string() : options.workdir;
  ork_task_request request{};
  request.struct_size = ORK_STRUCT_SIZE(ork_task_request);
  request.attempt_token = options.token ? options.token : next_token();
  request.spec = &storage.spec;
  request.run_id = str("run-1");
  request.attempt = 1;
  request.input_json = str(options.input_json);
  request.workdir = str(workdir);
  request.env = env.data();
  request.env_count = env.size();
  request.timeout_ms = options.timeout_ms;
  RunContext context;
  ork_task_sink sink{ORK_STRUCT_SIZE(ork_task_sink), &context, &task_log, &task_finish};
  ErrorSlot error;
  auto started = std::chrono::steady_clock::now();
  ork_status status = executor().run_task(executor_state(), &request, &sink, reinterpret_cast<ork_error*>(&error));
  context.outcome.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  context.outcome.status = status;
  context.outcome.executor_error = error.message;
  return std::move(context.outcome);
}

std::filesystem::path fixtures() { return ORK_PYTHON_FIXTURES; }


}  // namespace ork::plugins::python::test
