// The language half of the plugin registry (registry.hpp): languages by name,
// file extension and executor, and the calls through a language plugin's C
// table (describe, introspect, prepare) with the build directory the host
// hands it.
#include "loader/registry.hpp"

#include "core/error.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <mutex>

namespace ork::host {

namespace {

ork_str str(std::string_view s) { return ork_str{s.data(), s.size()}; }
std::string_view view(ork_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }

std::vector<std::string> name_list(const char* const* names) {
  std::vector<std::string> out;
  for (; names && *names; ++names) out.emplace_back(*names);
  return out;
}

struct CallContext {
  std::mutex mutex;  // a plugin may report from its own threads
  TaskCheckResult check;
  std::optional<std::string> json;
};

void on_error(void* ctx, ork_str key, ork_str message) {
  auto* call = static_cast<CallContext*>(ctx);
  std::lock_guard lock(call->mutex);
  call->check.errors.emplace_back(std::string(view(key)), std::string(view(message)));
}

void on_signature(void* ctx, ork_str json) {
  auto* call = static_cast<CallContext*>(ctx);
  std::lock_guard lock(call->mutex);
  call->check.signature_json = std::string(view(json));
}

// The files that make up the task's code (for `cache:`), as for executors.
void on_code_files(void* ctx, const ork_str* paths, size_t count, ork_str why_not) {
  auto* call = static_cast<CallContext*>(ctx);
  std::lock_guard lock(call->mutex);
  CodeIdentity identity;
  for (size_t i = 0; i < count; ++i) identity.files.emplace_back(view(paths[i]));
  identity.why_not = std::string(view(why_not));
  call->check.code = std::move(identity);
}

void on_json(void* ctx, ork_str json) {
  auto* call = static_cast<CallContext*>(ctx);
  std::lock_guard lock(call->mutex);
  if (!call->json) call->json = std::string(view(json));  // exactly once: later writes are ignored
}

// The C view of a request; borrows `request`, `env` and `build_dir`.
ork_language_task task_of(const LanguageTaskRequest& request, const std::vector<ork_str>& env,
                          const std::string& build_dir) {
  return ork_language_task{ORK_STRUCT_SIZE(ork_language_task),
                           str(request.workflow_name),
                           str(request.workflow_file),
                           str(request.workflow_dir),
                           str(request.task_name),
                           str(request.file),
                           str(request.file_path),
                           str(request.function),
                           str(request.config_json),
                           str(request.executor),
                           str(build_dir),
                           str(request.workdir),
                           env.data(),
                           env.size(),
                           request.check_pass};
}

std::vector<ork_str> env_of(const LanguageTaskRequest& request) {
  std::vector<ork_str> env;
  env.reserve(request.env.size());
  for (const std::string& entry : request.env) env.push_back(str(entry));
  return env;
}

std::string broke(const LanguageInfo& info, std::string_view call, const std::string& task, const ork_error& err) {
  return "language '" + info.name + "' failed to " + std::string(call) + " task '" + task +
         "': " + (err.message.empty() ? "no message" : err.message);
}

}  // namespace

std::string Language::describe() const {
  CallContext ctx;
  ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &ctx, &on_json};
  ork_error err;
  if (!plugin_->language->describe) return R"J({"found": false, "error": "the plugin has no describe()"})J";
  ork_status status = plugin_->language->describe(plugin_->state, &sink, &err);
  boost::json::object answer;
  if (status == ORK_STATUS_OK && ctx.json) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(*ctx.json, ec);
    if (!ec && parsed.is_object()) return *ctx.json;
    answer["error"] = "describe() wrote no JSON object";
  } else {
    answer["error"] = status == ORK_STATUS_OK ? "describe() wrote nothing" : (err.message.empty() ? "describe() failed" : err.message);
  }
  answer["found"] = false;
  return boost::json::serialize(answer);
}

TaskCheckResult Language::introspect(const LanguageTaskRequest& request, const std::filesystem::path& build_dir) const {
  const std::string dir = build_dir.string();
  std::vector<ork_str> env = env_of(request);
  ork_language_task task = task_of(request, env, dir);
  CallContext ctx;
  ork_check_sink sink{ORK_STRUCT_SIZE(ork_check_sink), &ctx, &on_error, &on_signature, &on_code_files};
  ork_error err;
  if (plugin_->language->introspect(plugin_->state, &task, &sink, &err) != ORK_STATUS_OK) {
    throw Error(ErrorKind::plugin, broke(info_, "introspect", request.task_name, err));
  }
  std::lock_guard lock(ctx.mutex);
  return std::move(ctx.check);
}

LanguagePrepareResult Language::prepare(const LanguageTaskRequest& request,
                                        const std::filesystem::path& build_dir) const {
  const std::string dir = build_dir.string();
  std::vector<ork_str> env = env_of(request);
  ork_language_task task = task_of(request, env, dir);
  CallContext ctx;
  ork_check_sink sink{ORK_STRUCT_SIZE(ork_check_sink), &ctx, &on_error, &on_signature, &on_code_files};
  ork_json_sink out{ORK_STRUCT_SIZE(ork_json_sink), &ctx, &on_json};
  ork_error err;
  if (plugin_->language->prepare(plugin_->state, &task, &sink, &out, &err) != ORK_STATUS_OK) {
    throw Error(ErrorKind::plugin, broke(info_, "prepare", request.task_name, err));
  }
  std::lock_guard lock(ctx.mutex);
  LanguagePrepareResult result{std::move(ctx.check.errors), std::nullopt};
  if (!result.errors.empty()) return result;
  if (!ctx.json) throw Error(ErrorKind::plugin, "language '" + info_.name + "' prepared task '" + request.task_name +
                                                    "' but answered nothing (expected {\"config\": {...}})");
  boost::system::error_code ec;
  boost::json::value answer = boost::json::parse(*ctx.json, ec);
  const boost::json::value* config = !ec && answer.is_object() ? answer.as_object().if_contains("config") : nullptr;
  if (!config || !config->is_object()) {
    throw Error(ErrorKind::plugin, "language '" + info_.name + "' answered prepare with " + *ctx.json +
                                       ", not {\"config\": {...}}");
  }
  result.config_json = boost::json::serialize(*config);
  return result;
}

void PluginRegistry::add_language(const LoadedPlugin& plugin, std::vector<RefusedPlugin>& refused) {
  const ork_language_vtable& table = *plugin.language;
  LanguageInfo info{table.name, name_list(table.extensions), name_list(table.task_keys), name_list(table.executors),
                    plugin.name};
  if (auto it = languages_.find(info.name); it != languages_.end()) {
    refused.push_back({plugin.file, "language '" + info.name + "' is already provided by plugin '" +
                                        it->second.plugin().name + "'; remove one of them"});
    return;
  }
  std::vector<std::string> extensions;
  for (const std::string& extension : info.extensions) {
    if (const LanguageInfo* other = language_for_extension(extension)) {
      refused.push_back({plugin.file, "extension '" + extension + "' of language '" + info.name +
                                          "' is already claimed by language '" + other->name +
                                          "'; its tasks need `language: " + info.name + "`"});
    } else {
      extensions.push_back(extension);
    }
  }
  info.extensions = std::move(extensions);
  std::string name = info.name;
  languages_.emplace(name, Language(plugin, std::move(info)));
}

const LanguageInfo* PluginRegistry::find_language(std::string_view name) const {
  const Language* found = language(name);
  return found ? &found->info() : nullptr;
}

const LanguageInfo* PluginRegistry::language_for_extension(std::string_view extension) const {
  for (const auto& [name, language] : languages_) {
    const auto& extensions = language.info().extensions;
    if (std::find(extensions.begin(), extensions.end(), extension) != extensions.end()) return &language.info();
  }
  return nullptr;
}

const LanguageInfo* PluginRegistry::language_of_executor(std::string_view executor) const {
  const Executor* runner = this->executor(executor);
  if (!runner) return nullptr;
  for (const auto& [name, language] : languages_) {
    const auto& executors = language.info().executors;
    bool runs_on_it = std::find(executors.begin(), executors.end(), executor) != executors.end();
    if (runs_on_it && &language.plugin() == &runner->plugin()) return &language.info();
  }
  return nullptr;
}

std::vector<const LanguageInfo*> PluginRegistry::language_list() const {
  std::vector<const LanguageInfo*> list;
  for (const auto& [name, language] : languages_) list.push_back(&language.info());
  return list;
}

// An unchanged task of an unchanged workflow is answered from the signature
// cache, without calling the plugin (for Python: without any worker).
TaskCheckResult PluginRegistry::introspect(std::string_view language, const LanguageTaskRequest& request) const {
  const Language* found = this->language(language);
  if (!found) throw Error(ErrorKind::plugin, "unknown language '" + std::string(language) + "'");
  SignatureCache& cache = signature_cache();
  const std::string key = SignatureCache::key_of(language, toolchain(*found), request);
  if (std::optional<TaskCheckResult> kept = cache.find(key)) return std::move(*kept);
  TaskCheckResult result = found->introspect(request, build_dir(*found));
  cache.add(key, result, request.file_path);
  return result;
}

void PluginRegistry::keep_signatures() const {
  SignatureCache* cache = nullptr;
  {
    std::lock_guard lock(build_dirs_mutex_);
    cache = signatures_.get();
  }
  if (cache) cache->write_pending();
}

LanguagePrepareResult PluginRegistry::prepare(std::string_view language, const LanguageTaskRequest& request) const {
  const Language* found = this->language(language);
  if (!found) throw Error(ErrorKind::plugin, "unknown language '" + std::string(language) + "'");
  return found->prepare(request, build_dir(*found));
}

const Language* PluginRegistry::language(std::string_view name) const {
  auto it = languages_.find(name);
  return it == languages_.end() ? nullptr : &it->second;
}

const std::filesystem::path& PluginRegistry::build_dir(const Language& language) const {
  std::lock_guard lock(build_dirs_mutex_);
  std::unique_ptr<BuildDir>& dir = build_dirs_[language.info().name];
  if (!dir) {
    std::filesystem::path root = build_root_.empty() ? build_root_for("postgresql://") : build_root_;
    dir = std::make_unique<BuildDir>(std::filesystem::absolute(root / language.info().name).lexically_normal());
  }
  return dir->path();
}

SignatureCache& PluginRegistry::signature_cache() const {
  std::lock_guard lock(build_dirs_mutex_);
  if (!signatures_) {
    std::filesystem::path root = build_root_.empty() ? build_root_for("postgresql://") : build_root_;
    signatures_ = std::make_unique<SignatureCache>(std::filesystem::absolute(root / "signatures").lexically_normal());
  }
  return *signatures_;
}

// The plugin's toolchain facts (its version), asked once per registry: a
// key made with them misses after the interpreter or compiler changes.
std::string PluginRegistry::toolchain(const Language& language) const {
  {
    std::lock_guard lock(build_dirs_mutex_);
    if (auto it = toolchains_.find(language.info().name); it != toolchains_.end()) return it->second;
  }
  std::string answer = language.describe();
  std::lock_guard lock(build_dirs_mutex_);
  return toolchains_.emplace(language.info().name, std::move(answer)).first->second;
}

BuildDir::BuildDir(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  for (std::filesystem::path p = path_; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
    created_.push_back(p);
    if (p == p.parent_path()) break;
  }
  // Not fatal: a language that builds nothing (python) must work in a
  // read-only directory too; one that builds reports that it cannot write.
  std::filesystem::create_directories(path_, ec);
}

BuildDir::~BuildDir() {
  std::error_code ec;
  for (const std::filesystem::path& p : created_) {  // deepest first; remove() keeps a non-empty directory
    if (!std::filesystem::remove(p, ec)) break;
  }
}

std::filesystem::path build_root_for(const std::string& database_url) {
  std::string url = database_url;
  std::string_view path = url;
  bool sqlite = true;
  if (auto scheme = url.find("://"); scheme != std::string::npos) {
    std::string_view name = std::string_view(url).substr(0, scheme);
    sqlite = name == "sqlite" || name == "file";
    path = std::string_view(url).substr(scheme + 3);
  }
  if (sqlite) {
    std::string file(path.substr(0, path.find('?')));
    if (!file.empty() && file != ":memory:") return std::filesystem::path(file).parent_path() / "build";
  }
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache) {
    return std::filesystem::path(cache) / "ork" / "build";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::filesystem::path(home) / ".cache" / "ork" / "build";
  }
  return std::filesystem::temp_directory_path() / "ork-build";
}

}  // namespace ork::host
