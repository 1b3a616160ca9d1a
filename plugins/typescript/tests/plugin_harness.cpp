#include "plugin_harness.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace ork::plugins::typescript::test {

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
    void* handle = ::dlopen(ORK_TYPESCRIPT_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
    auto describe = reinterpret_cast<ork_plugin_describe_fn>(::dlsym(handle, ORK_PLUGIN_ENTRY_SYMBOL));
    if (!describe) throw std::runtime_error("no ork_plugin_describe in the typescript plugin");
    descriptor = describe();
    ErrorSlot error;
    if (descriptor->init(&host_api, &state, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
      throw std::runtime_error("typescript plugin init failed: " + error.message);
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

struct LanguageTaskStorage {
  std::string workflow_dir, workflow_file, file, file_path, function, build_dir;
  ork_language_task task{};

  LanguageTaskStorage(const std::filesystem::path& dir, const std::string& relative, const std::string& fn)
      : workflow_dir(dir.string()), workflow_file((dir / "wf.yaml").string()), file(relative),
        file_path((dir / relative).lexically_normal().string()), function(fn),
        build_dir((dir / ".ork" / "build" / "typescript").string()) {
    std::filesystem::create_directories(build_dir);
    task.struct_size = ORK_STRUCT_SIZE(ork_language_task);
    task.workflow_name = str("test");
    task.workflow_file = str(workflow_file);
    task.workflow_dir = str(workflow_dir);
    task.task_name = str("task");
    task.file = str(file);
    task.file_path = str(file_path);
    task.function = str(function);
    task.config_json = str("{}");
    task.executor = str("node");
    task.build_dir = str(build_dir);
    task.workdir = str(workflow_dir);
  }
};

void check_error(void* ctx, ork_str key, ork_str message) {
  static_cast<CheckOutcome*>(ctx)->errors.emplace_back(std::string(view(key)), std::string(view(message)));
}
void check_signature(void* ctx, ork_str json) { static_cast<CheckOutcome*>(ctx)->signature = boost::json::parse(view(json)); }
void json_out(void* ctx, ork_str json) {
  auto value = boost::json::parse(view(json));
  static_cast<CheckOutcome*>(ctx)->config = value.as_object().at("config").as_object();
}
void string_out(void* ctx, ork_str json) { static_cast<std::string*>(ctx)->assign(view(json)); }

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

template <typename Call>
CheckOutcome language_call(Call call) {
  CheckOutcome outcome;
  ork_check_sink sink{ORK_STRUCT_SIZE(ork_check_sink), &outcome, &check_error, &check_signature, nullptr};
  ork_json_sink out{ORK_STRUCT_SIZE(ork_json_sink), &outcome, &json_out};
  ErrorSlot error;
  auto started = std::chrono::steady_clock::now();
  outcome.status = call(&sink, &out, reinterpret_cast<ork_error*>(&error));
  outcome.elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  outcome.plugin_error = error.message;
  return outcome;
}

}  // namespace

std::string CheckOutcome::error_text() const {
  std::string text = plugin_error;
  for (const auto& [key, message] : errors) text += "\n[" + key + "] " + message;
  return text;
}

bool RunOutcome::logged(ork_log_stream stream, const std::string& text) const {
  for (const auto& line : logs) {
    if (line.stream == stream && line.text == text) return true;
  }
  return false;
}

std::string RunOutcome::log_text() const {
  std::string text;
  for (const auto& line : logs) text += std::to_string(line.stream) + "| " + line.text + "\n";
  return text + "error: " + error + "\nplugin error: " + plugin_error;
}

const ork_plugin_descriptor& descriptor() { return *plugin().descriptor; }
void* plugin_state() { return plugin().state; }

std::uint64_t next_token() {
  static std::atomic<std::uint64_t> token{1};
  return token++;
}

std::string describe() {
  std::string json;
  ork_json_sink out{ORK_STRUCT_SIZE(ork_json_sink), &json, &string_out};
  ErrorSlot error;
  if (descriptor().language->describe(plugin_state(), &out, reinterpret_cast<ork_error*>(&error)) != ORK_STATUS_OK) {
    throw std::runtime_error("describe failed: " + error.message);
  }
  return json;
}

CheckOutcome introspect(const std::filesystem::path& workflow_dir, const std::string& file,
                        const std::string& function) {
  LanguageTaskStorage storage(workflow_dir, file, function);
  return language_call([&](const ork_check_sink* sink, const ork_json_sink*, ork_error* err) {
    return descriptor().language->introspect(plugin_state(), &storage.task, sink, err);
  });
}

CheckOutcome prepare(const std::filesystem::path& workflow_dir, const std::string& file, const std::string& function) {
  LanguageTaskStorage storage(workflow_dir, file, function);
  return language_call([&](const ork_check_sink* sink, const ork_json_sink* out, ork_error* err) {
    return descriptor().language->prepare(plugin_state(), &storage.task, sink, out, err);
  });
}

RunOutcome run(const std::filesystem::path& workflow_dir, const boost::json::object& config, RunOptions options) {
  std::string workflow_dir_text = workflow_dir.string();
  std::string workflow_file = (workflow_dir / "wf.yaml").string();
  std::string config_json = boost::json::serialize(config);
  ork_task_spec spec{};
  spec.struct_size = ORK_STRUCT_SIZE(ork_task_spec);
  spec.workflow_name = str("test");
  spec.workflow_file = str(workflow_file);
  spec.workflow_dir = str(workflow_dir_text);
  spec.task_name = str("task");
  spec.config_json = str(config_json);
  std::vector<ork_str> env;
  for (const auto& entry : options.env) env.push_back(str(entry));
  ork_task_request request{};
  request.struct_size = ORK_STRUCT_SIZE(ork_task_request);
  request.attempt_token = options.token ? options.token : next_token();
  request.spec = &spec;
  request.run_id = str("run-1");
  request.attempt = 1;
  request.input_json = str(options.input_json);
  request.workdir = str(workflow_dir_text);
  request.env = env.data();
  request.env_count = env.size();
  request.timeout_ms = options.timeout_ms;
  RunContext context;
  ork_task_sink sink{ORK_STRUCT_SIZE(ork_task_sink), &context, &task_log, &task_finish};
  ErrorSlot error;
  auto started = std::chrono::steady_clock::now();
  ork_status status =
      descriptor().executor->run_task(plugin_state(), &request, &sink, reinterpret_cast<ork_error*>(&error));
  context.outcome.elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  context.outcome.status = status;
  context.outcome.plugin_error = error.message;
  return std::move(context.outcome);
}

RunOutcome prepare_and_run(const std::filesystem::path& workflow_dir, const std::string& file,
                           const std::string& function, RunOptions options) {
  CheckOutcome signature = introspect(workflow_dir, file, function);
  EXPECT_TRUE(signature.errors.empty()) << signature.error_text();
  CheckOutcome prepared = prepare(workflow_dir, file, function);
  EXPECT_TRUE(prepared.config.has_value()) << prepared.error_text();
  if (!prepared.config) return RunOutcome{};
  return run(workflow_dir, *prepared.config, std::move(options));
}

}  // namespace ork::plugins::typescript::test
