#include "plugin_harness.hpp"

#include <dlfcn.h>

#include <atomic>
#include <stdexcept>
#include <string_view>

namespace ork::plugins::library::testing {
namespace {

std::string_view view(ork_str s) { return s.ptr != nullptr ? std::string_view(s.ptr, s.len) : std::string_view(); }
ork_str str(std::string_view s) { return ork_str{s.data(), s.size()}; }

struct ErrorSlot {
  std::string message;
};

void set_error(ork_error* slot, ork_str message) {
  if (slot != nullptr) reinterpret_cast<ErrorSlot*>(slot)->message = std::string(view(message));
}

void host_log(int, ork_str) {}

const ork_host_api fake_host{ORK_STRUCT_SIZE(ork_host_api), ORK_PLUGIN_API_MAJOR, ORK_PLUGIN_API_MINOR, &set_error,
                             &host_log};

ork_task_spec spec_for(const std::string& config_json, const std::string& dir) {
  ork_task_spec spec{};
  spec.struct_size = ORK_STRUCT_SIZE(ork_task_spec);
  spec.workflow_name = str("tests");
  spec.workflow_file = str("workflow.yaml");
  spec.workflow_dir = str(dir);
  spec.task_name = str("task");
  spec.config_json = str(config_json);
  return spec;
}

// The sinks' callbacks may come from the plugin's helper threads.
struct RunRecorder {
  std::mutex mutex;
  RunResult result;
};

}  // namespace

std::string task_libs_dir() { return ORK_TEST_TASK_LIBS; }

LibraryPlugin& LibraryPlugin::get() {
  static LibraryPlugin plugin;
  return plugin;
}

LibraryPlugin::LibraryPlugin() {
  // Never closed: the host keeps plugins mapped until exit too.
  void* handle = dlopen(ORK_LIBRARY_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw std::runtime_error(dlerror());
  auto describe = reinterpret_cast<ork_plugin_describe_fn>(dlsym(handle, ORK_PLUGIN_ENTRY_SYMBOL));
  if (describe == nullptr) throw std::runtime_error("no " ORK_PLUGIN_ENTRY_SYMBOL);
  descriptor_ = describe();
  ErrorSlot error;
  if (descriptor_->init(&fake_host, &state_, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
    throw std::runtime_error("init failed: " + error.message);
  }
}

CheckResult LibraryPlugin::check(const std::string& config_json) const {
  std::string dir = task_libs_dir();
  ork_task_spec spec = spec_for(config_json, dir);
  CheckResult result;
  ork_check_sink sink{};
  sink.struct_size = ORK_STRUCT_SIZE(ork_check_sink);
  sink.ctx = &result;
  sink.error = [](void* ctx, ork_str key, ork_str message) {
    static_cast<CheckResult*>(ctx)->errors.emplace_back(std::string(view(key)), std::string(view(message)));
  };
  sink.signature = [](void* ctx, ork_str json) { static_cast<CheckResult*>(ctx)->signature = std::string(view(json)); };
  sink.code_files = [](void* ctx, const ork_str* paths, size_t count, ork_str) {
    auto& files = static_cast<CheckResult*>(ctx)->code_files.emplace();
    for (size_t i = 0; i < count; ++i) files.emplace_back(view(paths[i]));
  };
  ErrorSlot error;
  if (vtable().check_task(state_, &spec, &sink, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
    throw std::runtime_error("check_task broke: " + error.message);
  }
  return result;
}

RunResult LibraryPlugin::run(const std::string& config_json, const RunOptions& options) const {
  std::string dir = task_libs_dir();
  ork_task_spec spec = spec_for(config_json, dir);
  ork_task_request request{};
  request.struct_size = ORK_STRUCT_SIZE(ork_task_request);
  request.attempt_token = options.token != 0 ? options.token : next_token();
  request.spec = &spec;
  request.run_id = str("run-1");
  request.attempt = 1;
  request.input_json = str(options.input);
  request.workdir = str(dir);
  request.timeout_ms = options.timeout.count();
  RunRecorder recorder;
  ork_task_sink sink{};
  sink.struct_size = ORK_STRUCT_SIZE(ork_task_sink);
  sink.ctx = &recorder;
  sink.log = [](void* ctx, ork_log_stream stream, ork_str line) {
    auto* r = static_cast<RunRecorder*>(ctx);
    std::lock_guard lock(r->mutex);
    r->result.logs.emplace_back(stream, std::string(view(line)));
  };
  sink.finish = [](void* ctx, ork_task_outcome outcome, ork_str output, ork_str error) {
    auto* r = static_cast<RunRecorder*>(ctx);
    std::lock_guard lock(r->mutex);
    ++r->result.finish_calls;
    r->result.outcome = outcome;
    r->result.output = std::string(view(output));
    r->result.error = std::string(view(error));
  };
  ErrorSlot error;
  ork_status status = vtable().run_task(state_, &request, &sink, reinterpret_cast<ork_error*>(&error));
  std::lock_guard lock(recorder.mutex);
  RunResult result = recorder.result;
  result.status = status;
  if (status != ORK_STATUS_OK) result.error = error.message;
  return result;
}

void LibraryPlugin::cancel(std::uint64_t token) const { vtable().cancel_task(state_, token); }

std::uint64_t LibraryPlugin::next_token() const {
  static std::atomic<std::uint64_t> token{1000};
  return ++token;
}

}  // namespace ork::plugins::library::testing
