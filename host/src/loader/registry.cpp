#include "loader/registry.hpp"

#include "core/error.hpp"
#include "loader/plugin_files.hpp"

#include <mutex>

namespace ork::host {

namespace {

void refuse_all_but_storage(const LoadedPlugin& plugin, std::vector<RefusedPlugin>& refused);

ork_str str(std::string_view s) { return ork_str{s.data(), s.size()}; }
std::string_view view(ork_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }

// Borrowed views of `items`, for an ork_str array the plugin reads during the call.
std::vector<ork_str> str_list(const std::vector<std::string>& items) {
  std::vector<ork_str> out;
  out.reserve(items.size());
  for (const std::string& item : items) out.push_back(str(item));
  return out;
}

std::vector<std::string> key_list(const char* const* keys) {
  std::vector<std::string> out;
  for (; keys && *keys; ++keys) out.emplace_back(*keys);
  return out;
}

struct CheckContext {
  TaskCheckResult result;
};

void check_error(void* ctx, ork_str key, ork_str message) {
  static_cast<CheckContext*>(ctx)->result.errors.emplace_back(std::string(view(key)), std::string(view(message)));
}

void check_signature(void* ctx, ork_str json) { static_cast<CheckContext*>(ctx)->result.signature_json = std::string(view(json)); }

void check_code_files(void* ctx, const ork_str* paths, size_t count, ork_str why_not) {
  CodeIdentity identity;
  for (size_t i = 0; i < count; ++i) identity.files.emplace_back(view(paths[i]));
  identity.why_not = std::string(view(why_not));
  static_cast<CheckContext*>(ctx)->result.code = std::move(identity);
}

struct RunContext {
  const LogCallback* on_log;
  std::mutex mutex;  // executors may log from their own threads
  bool finished = false;
  ExecutorRunResult result;
};

void run_log(void* ctx, ork_log_stream stream, ork_str line) {
  auto* run = static_cast<RunContext*>(ctx);
  std::lock_guard lock(run->mutex);
  (*run->on_log)(stream, view(line));
}

void run_finish(void* ctx, ork_task_outcome outcome, ork_str output, ork_str error) {
  auto* run = static_cast<RunContext*>(ctx);
  std::lock_guard lock(run->mutex);
  if (run->finished) return;  // exactly once: later reports are ignored
  run->finished = true;
  run->result.outcome = outcome;
  if (outcome == ORK_TASK_SUCCEEDED) run->result.output_json = std::string(view(output));
  run->result.error = std::string(view(error));
}

}  // namespace

TaskCheckResult Executor::check(const TaskCheckRequest& request) const {
  CheckContext ctx;
  if (!plugin_->executor->check_task) return ctx.result;
  std::vector<ork_str> env = str_list(request.env);
  ork_task_spec spec{ORK_STRUCT_SIZE(ork_task_spec), str(request.workflow_name), str(request.workflow_file),
                     str(request.workflow_dir),      str(request.task_name),     str(request.config_json),
                     str(request.workdir),           env.data(),                 env.size(),
                     request.check_pass};
  ork_check_sink sink{ORK_STRUCT_SIZE(ork_check_sink), &ctx, &check_error, &check_signature, &check_code_files};
  ork_error err;
  ork_status status = plugin_->executor->check_task(plugin_->state, &spec, &sink, &err);
  if (status != ORK_STATUS_OK) {
    throw Error(ErrorKind::plugin, "executor '" + info_.name + "' failed to check task '" + request.task_name +
                                       "': " + (err.message.empty() ? "no message" : err.message));
  }
  return std::move(ctx.result);
}

ExecutorRunResult Executor::run(const ExecutorRunRequest& request, const LogCallback& on_log) const {
  std::vector<ork_str> env = str_list(request.env);
  ork_task_spec spec{ORK_STRUCT_SIZE(ork_task_spec), str(request.workflow_name), str(request.workflow_file),
                     str(request.workflow_dir),      str(request.task_name),     str(request.config_json),
                     str(request.workdir),           env.data(),                 env.size(),
                     0};
  ork_task_request req{ORK_STRUCT_SIZE(ork_task_request),
                       request.attempt_token,
                       &spec,
                       str(request.run_id),
                       request.attempt,
                       str(request.input_json),
                       str(request.workdir),
                       env.data(),
                       env.size(),
                       static_cast<std::int64_t>(request.timeout.count())};
  RunContext ctx{&on_log, {}, false, {}};
  ork_task_sink sink{ORK_STRUCT_SIZE(ork_task_sink), &ctx, &run_log, &run_finish};
  ork_error err;
  ork_status status = plugin_->executor->run_task(plugin_->state, &req, &sink, &err);
  std::lock_guard lock(ctx.mutex);
  if (status != ORK_STATUS_OK) {
    return {ORK_TASK_FAILED, "",
            "executor '" + info_.name + "' broke: " + (err.message.empty() ? "no message" : err.message)};
  }
  if (!ctx.finished) return {ORK_TASK_FAILED, "", "executor '" + info_.name + "' reported no outcome"};
  return std::move(ctx.result);
}

void Executor::cancel(std::uint64_t attempt_token) const {
  if (plugin_->executor->cancel_task) plugin_->executor->cancel_task(plugin_->state, attempt_token);
}

void Executor::warm(const TaskCheckRequest& request) const {
  if (!plugin_->executor->warm) return;
  std::vector<ork_str> env = str_list(request.env);
  ork_task_spec spec{ORK_STRUCT_SIZE(ork_task_spec), str(request.workflow_name), str(request.workflow_file),
                     str(request.workflow_dir),      str(request.task_name),     str(request.config_json),
                     str(request.workdir),           env.data(),                 env.size(),
                     0};
  plugin_->executor->warm(plugin_->state, &spec);
}

PluginRegistry::PluginRegistry(PluginSet& plugins, std::vector<RefusedPlugin>& refused)
    : plugins_(&plugins), refused_(&refused) {
  for (const auto& plugin : plugins.loaded()) {
    if (is_storage_plugin_file(plugin.file)) {
      refuse_all_but_storage(plugin, refused);
    } else if (plugin.executor) {
      ExecutorInfo info{plugin.executor->name ? plugin.executor->name : plugin.name,
                        key_list(plugin.executor->task_keys),
                        (plugin.executor->capabilities & ORK_EXECUTOR_INTROSPECTS) != 0};
      if (auto it = executors_.find(info.name); it != executors_.end()) {
        refused.push_back({plugin.file, "executor '" + info.name + "' is already provided by plugin '" +
                                            it->second.plugin().name + "'; remove one of them"});
      } else {
        std::string name = info.name;
        executors_.emplace(name, Executor(plugin, std::move(info)));
      }
    }
    if (plugin.language && !is_storage_plugin_file(plugin.file)) add_language(plugin, refused);
    if (plugin.storage) add_storage(plugin, refused);
  }
}

void PluginRegistry::add_storage(const LoadedPlugin& plugin, std::vector<RefusedPlugin>& refused) const {
  for (const char* const* s = plugin.storage->url_schemes; s && *s; ++s) {
    if (auto it = storages_.find(*s); it != storages_.end()) {
      refused.push_back(
          {plugin.file, std::string("URL scheme '") + *s + "' is already served by plugin '" + it->second->name + "'"});
    } else {
      storages_.emplace(*s, &plugin);
    }
  }
}

namespace {

// A file named ork_storage_*.so loads when a store opens, after the workflow
// compiled (or never, for a command without a store): an executor or a
// language it also offered would exist for some commands and not for others.
// So they are refused, naming the file, and its storage is used.
void refuse_all_but_storage(const LoadedPlugin& plugin, std::vector<RefusedPlugin>& refused) {
  std::string extras;
  if (plugin.executor) {
    extras = "executor '" + std::string(plugin.executor->name ? plugin.executor->name : plugin.name) + "'";
  }
  if (plugin.language) extras += (extras.empty() ? "language '" : " and language '") + std::string(plugin.language->name) + "'";
  if (extras.empty()) return;
  refused.push_back({plugin.file, extras + " not used, only its storage: a file named ork_storage_*.so loads only "
                                           "when a store opens, so it may offer storage only; ship the rest in a "
                                           "plugin file of its own"});
}

}  // namespace

const ExecutorInfo* PluginRegistry::find_executor(std::string_view name) const {
  auto it = executors_.find(name);
  return it == executors_.end() ? nullptr : &it->second.info();
}

std::vector<std::string> PluginRegistry::executor_names() const {
  std::vector<std::string> names;
  for (const auto& [name, executor] : executors_) names.push_back(name);
  return names;
}

TaskCheckResult PluginRegistry::check_task(std::string_view executor, const TaskCheckRequest& request) const {
  const Executor* e = this->executor(executor);
  if (!e) throw Error(ErrorKind::plugin, "unknown executor '" + std::string(executor) + "'");
  return e->check(request);
}

const Executor* PluginRegistry::executor(std::string_view name) const {
  auto it = executors_.find(name);
  return it == executors_.end() ? nullptr : &it->second;
}

const LoadedPlugin* PluginRegistry::storage_for_scheme(std::string_view scheme) const {
  std::lock_guard lock(storages_mutex_);
  if (!storages_.contains(scheme)) load_deferred_storage(scheme);
  auto it = storages_.find(scheme);
  return it == storages_.end() ? nullptr : it->second;
}

std::vector<std::string> PluginRegistry::storage_schemes() const {
  std::lock_guard lock(storages_mutex_);
  load_deferred_storage("");
  std::vector<std::string> schemes;
  for (const auto& [scheme, plugin] : storages_) schemes.push_back(scheme);
  return schemes;
}

// The set's deferred storage plugins that may serve `scheme` (all of them
// for ""), registered as the constructor registers a storage plugin file:
// its storage only.
void PluginRegistry::load_deferred_storage(std::string_view scheme) const {
  if (plugins_->deferred_storage().empty()) return;
  std::size_t loaded_before = plugins_->loaded().size();
  std::size_t refused_before = plugins_->refused().size();
  if (scheme.empty()) {
    plugins_->load_deferred_storage();
  } else {
    plugins_->load_storage_for(scheme);
  }
  std::vector<RefusedPlugin> refused(plugins_->refused().begin() + static_cast<std::ptrdiff_t>(refused_before),
                                     plugins_->refused().end());
  for (std::size_t i = loaded_before; i < plugins_->loaded().size(); ++i) {
    const LoadedPlugin& plugin = plugins_->loaded()[i];
    refuse_all_but_storage(plugin, refused);
    if (plugin.storage) add_storage(plugin, refused);
  }
  for (const RefusedPlugin& r : refused) {
    refused_->push_back(r);
    if (report_late_refusal_) report_late_refusal_(r);
  }
}

}  // namespace ork::host
