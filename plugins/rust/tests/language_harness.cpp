#include "language_harness.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace ork::plugins::rust::testing {
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

// The strings an ork_language_task points into.
struct TaskStrings {
  std::string workflow_dir, workflow_file, file, file_path, build_dir;
};

ork_language_task make_task(const TaskOptions& options, TaskStrings& strings) {
  strings.workflow_dir = options.workflow_dir.empty() ? fixtures_dir() : options.workflow_dir;
  strings.workflow_file = strings.workflow_dir + "/workflow.yaml";
  strings.file = options.file;
  strings.file_path = (std::filesystem::path(strings.workflow_dir) / options.file).lexically_normal().string();
  strings.build_dir = options.build_dir.empty() ? shared_build_dir() : options.build_dir;
  std::filesystem::create_directories(strings.build_dir);
  ork_language_task task{};
  task.struct_size = ORK_STRUCT_SIZE(ork_language_task);
  task.workflow_name = str("tests");
  task.workflow_file = str(strings.workflow_file);
  task.workflow_dir = str(strings.workflow_dir);
  task.task_name = str("task");
  task.file = str(strings.file);
  task.file_path = str(strings.file_path);
  task.function = str(options.function);
  task.config_json = str(options.config_json);
  task.executor = str("library");
  task.build_dir = str(strings.build_dir);
  task.workdir = str(strings.workflow_dir);
  return task;
}

ork_check_sink recording_sink(Answer& answer) {
  ork_check_sink sink{};
  sink.struct_size = ORK_STRUCT_SIZE(ork_check_sink);
  sink.ctx = &answer;
  sink.error = [](void* ctx, ork_str key, ork_str message) {
    static_cast<Answer*>(ctx)->errors.emplace_back(std::string(view(key)), std::string(view(message)));
  };
  sink.signature = [](void* ctx, ork_str json) { static_cast<Answer*>(ctx)->signature = std::string(view(json)); };
  return sink;
}

}  // namespace

TaskOptions fixture(std::string file, std::string function, std::string config_json) {
  TaskOptions task;
  task.file = std::move(file);
  task.function = std::move(function);
  task.config_json = std::move(config_json);
  return task;
}

std::string fixtures_dir() { return ORK_RUST_FIXTURES; }
std::string shared_build_dir() { return ORK_RUST_BUILD_CACHE; }

RustPlugin& RustPlugin::get() {
  static RustPlugin plugin;
  return plugin;
}

RustPlugin::RustPlugin() {
  void* handle = dlopen(ORK_RUST_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);  // never closed, as the host does
  if (handle == nullptr) throw std::runtime_error(dlerror());
  auto describe = reinterpret_cast<ork_plugin_describe_fn>(dlsym(handle, ORK_PLUGIN_ENTRY_SYMBOL));
  if (describe == nullptr) throw std::runtime_error("no " ORK_PLUGIN_ENTRY_SYMBOL);
  descriptor_ = describe();
  ErrorSlot error;
  if (descriptor_->init(&fake_host, &state_, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
    throw std::runtime_error("init failed: " + error.message);
  }
}

std::string RustPlugin::describe() const {
  std::string json;
  ork_json_sink out{ORK_STRUCT_SIZE(ork_json_sink), &json,
                    [](void* ctx, ork_str text) { *static_cast<std::string*>(ctx) = std::string(view(text)); }};
  ErrorSlot error;
  if (descriptor_->language->describe(state_, &out, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
    throw std::runtime_error("describe broke: " + error.message);
  }
  return json;
}

Answer RustPlugin::introspect(const TaskOptions& options) const {
  TaskStrings strings;
  ork_language_task task = make_task(options, strings);
  Answer answer;
  ork_check_sink sink = recording_sink(answer);
  ErrorSlot error;
  if (descriptor_->language->introspect(state_, &task, &sink, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
    throw std::runtime_error("introspect broke: " + error.message);
  }
  return answer;
}

Answer RustPlugin::prepare(const TaskOptions& options) const {
  TaskStrings strings;
  ork_language_task task = make_task(options, strings);
  Answer answer;
  ork_check_sink sink = recording_sink(answer);
  ork_json_sink out{ORK_STRUCT_SIZE(ork_json_sink), &answer, [](void* ctx, ork_str text) {
                      static_cast<Answer*>(ctx)->prepared = std::string(view(text));
                    }};
  ErrorSlot error;
  if (descriptor_->language->prepare(state_, &task, &sink, &out, reinterpret_cast<ork_error*>(&error)) !=
      ORK_STATUS_OK) {
    throw std::runtime_error("prepare broke: " + error.message);
  }
  return answer;
}

}  // namespace ork::plugins::rust::testing
