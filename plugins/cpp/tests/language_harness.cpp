#include "language_harness.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string_view>

namespace ork::plugins::cpp::testing {
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

const ork_plugin_descriptor* load_descriptor() {
  // Never closed: the host keeps plugins mapped until exit too.
  static const ork_plugin_descriptor* descriptor = [] {
    void* handle = dlopen(ORK_CPP_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) throw std::runtime_error(dlerror());
    auto describe = reinterpret_cast<ork_plugin_describe_fn>(dlsym(handle, ORK_PLUGIN_ENTRY_SYMBOL));
    if (describe == nullptr) throw std::runtime_error("no " ORK_PLUGIN_ENTRY_SYMBOL);
    return describe();
  }();
  return descriptor;
}

// Owns the strings an ork_language_task points into.
struct TaskStrings {
  std::string workflow_dir, workflow_file, file, file_path, build_dir;
  ork_language_task task{};
};

void fill(TaskStrings& s, const TaskFixture& fixture) {
  s.workflow_dir = fixture.workflow_dir.string();
  s.workflow_file = (fixture.workflow_dir / "workflow.yaml").string();
  s.file = fixture.file;
  s.file_path = (fixture.workflow_dir / fixture.file).lexically_normal().string();
  s.build_dir = fixture.build_dir.string();
  ork_language_task& t = s.task;
  t.struct_size = ORK_STRUCT_SIZE(ork_language_task);
  t.workflow_name = str("tests");
  t.workflow_file = str(s.workflow_file);
  t.workflow_dir = str(s.workflow_dir);
  t.task_name = str("task");
  t.file = str(s.file);
  t.file_path = str(s.file_path);
  t.function = str(fixture.function);
  t.config_json = str(fixture.config_json);
  t.executor = str("library");
  t.build_dir = str(s.build_dir);
  t.workdir = str(s.workflow_dir);
}

ork_check_sink recording_sink(LanguageResult& result) {
  ork_check_sink sink{};
  sink.struct_size = ORK_STRUCT_SIZE(ork_check_sink);
  sink.ctx = &result;
  sink.error = [](void* ctx, ork_str key, ork_str message) {
    static_cast<LanguageResult*>(ctx)->errors.emplace_back(std::string(view(key)), std::string(view(message)));
  };
  sink.signature = [](void* ctx, ork_str json) {
    static_cast<LanguageResult*>(ctx)->signature = std::string(view(json));
  };
  return sink;
}

}  // namespace

LanguagePlugin::LanguagePlugin() : descriptor_(load_descriptor()) {
  ErrorSlot error;
  if (descriptor_->init(&fake_host, &state_, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
    throw std::runtime_error("init failed: " + error.message);
  }
}

LanguagePlugin::~LanguagePlugin() {
  if (descriptor_->shutdown != nullptr) descriptor_->shutdown(state_);
}

std::string LanguagePlugin::describe() const {
  std::string json;
  ork_json_sink out{};
  out.struct_size = ORK_STRUCT_SIZE(ork_json_sink);
  out.ctx = &json;
  out.write = [](void* ctx, ork_str text) { *static_cast<std::string*>(ctx) = std::string(view(text)); };
  ErrorSlot error;
  if (descriptor_->language->describe(state_, &out, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
    throw std::runtime_error("describe broke: " + error.message);
  }
  return json;
}

LanguageResult LanguagePlugin::introspect(const TaskFixture& fixture) const {
  TaskStrings strings;
  fill(strings, fixture);
  LanguageResult result;
  ork_check_sink sink = recording_sink(result);
  ErrorSlot error;
  if (descriptor_->language->introspect(state_, &strings.task, &sink, reinterpret_cast<ork_error*>(&error)) !=
      ORK_STATUS_OK) {
    throw std::runtime_error("introspect broke: " + error.message);
  }
  return result;
}

LanguageResult LanguagePlugin::prepare(const TaskFixture& fixture) const {
  TaskStrings strings;
  fill(strings, fixture);
  LanguageResult result;
  ork_check_sink sink = recording_sink(result);
  ork_json_sink out{};
  out.struct_size = ORK_STRUCT_SIZE(ork_json_sink);
  out.ctx = &result;
  out.write = [](void* ctx, ork_str text) { static_cast<LanguageResult*>(ctx)->prepared = std::string(view(text)); };
  ErrorSlot error;
  if (descriptor_->language->prepare(state_, &strings.task, &sink, &out, reinterpret_cast<ork_error*>(&error)) !=
      ORK_STATUS_OK) {
    throw std::runtime_error("prepare broke: " + error.message);
  }
  return result;
}

void copy_task(const std::string& name, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(std::filesystem::path(ORK_CPP_TEST_TASKS) / name, dir / name,
                             std::filesystem::copy_options::overwrite_existing);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace ork::plugins::cpp::testing
