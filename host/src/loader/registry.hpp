// Lookups over the loaded plugins: executors by their `executor:` name (the
// compiler's ExecutorCatalog and the scheduler's way to run a task), storage
// backends by URL scheme and languages by name and file extension (the
// compiler's LanguageCatalog). Built once at start-up from a PluginSet, and
// completed by the storage plugins the set loads when a store opens.
#pragma once

#include "loader/plugin_loader.hpp"
#include "loader/signature_cache.hpp"
#include "workflow/executor_catalog.hpp"
#include "workflow/language_catalog.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ork::host {

// One attempt of one task, as the scheduler hands it to an executor.
struct ExecutorRunRequest {
  std::uint64_t attempt_token = 0;
  std::string workflow_name;
  std::string workflow_file;
  std::string workflow_dir;
  std::string task_name;
  std::string config_json;
  std::string run_id;
  std::uint32_t attempt = 1;
  std::string input_json;
  std::string workdir;
  std::vector<std::string> env;  // "KEY=VALUE"
  std::chrono::milliseconds timeout{0};
  // A function-task of a language plugin: its language and its keys as
  // written (CompiledTask::source), so a worker can prepare it itself.
  std::string language;
  std::string source_json;
};

struct ExecutorRunResult {
  ork_task_outcome outcome = ORK_TASK_FAILED;
  std::string output_json;  // succeeded: the JSON text (empty = null)
  std::string error;        // otherwise: why
};

using LogCallback = std::function<void(ork_log_stream stream, std::string_view line)>;

class Executor {
 public:
  Executor(const LoadedPlugin& plugin, ExecutorInfo info) : plugin_(&plugin), info_(std::move(info)) {}
  const ExecutorInfo& info() const { return info_; }
  const LoadedPlugin& plugin() const { return *plugin_; }

  TaskCheckResult check(const TaskCheckRequest& request) const;
  // Blocks until the attempt ends. An executor that breaks yields a failed
  // attempt whose error says so; nothing throws.
  ExecutorRunResult run(const ExecutorRunRequest& request, const LogCallback& on_log) const;
  void cancel(std::uint64_t attempt_token) const;
  // Plugin API 1.8: tasks like this one are about to run; the plugin may
  // start what they need in the background. Nothing when it cannot.
  void warm(const TaskCheckRequest& request) const;

 private:
  const LoadedPlugin* plugin_;
  ExecutorInfo info_;
};

// A loaded language plugin (loader/language.cpp): the compile-time calls
// through its C table, with the build directory the host gives it.
class Language {
 public:
  Language(const LoadedPlugin& plugin, LanguageInfo info) : plugin_(&plugin), info_(std::move(info)) {}
  const LanguageInfo& info() const { return info_; }
  const LoadedPlugin& plugin() const { return *plugin_; }

  // The describe() JSON ({"toolchain", "found", "version", "path", "install"});
  // a plugin that breaks answers {"found": false, "error": WHY}.
  std::string describe() const;
  TaskCheckResult introspect(const LanguageTaskRequest& request, const std::filesystem::path& build_dir) const;
  LanguagePrepareResult prepare(const LanguageTaskRequest& request, const std::filesystem::path& build_dir) const;

 private:
  const LoadedPlugin* plugin_;
  LanguageInfo info_;
};

// The build directory of a language: it exists while the registry does
// (unless it cannot be created: a read-only directory), and the
// directories it created are removed again when nothing was built in
// them (a language that builds nothing, as Python, leaves no trace: a
// refused or validated workflow records nothing).
class BuildDir {
 public:
  explicit BuildDir(std::filesystem::path path);
  ~BuildDir();
  BuildDir(const BuildDir&) = delete;
  BuildDir& operator=(const BuildDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::vector<std::filesystem::path> created_;  // deepest first
};

class PluginRegistry final : public ExecutorCatalog, public LanguageCatalog {
 public:
  // Duplicated executor names or URL schemes: the first plugin wins and the
  // later one is added to `refused` with a reason. Both must outlive the
  // registry: its storage lookups load the set's deferred storage plugins.
  PluginRegistry(PluginSet& plugins, std::vector<RefusedPlugin>& refused);

  const ExecutorInfo* find_executor(std::string_view name) const override;
  std::vector<std::string> executor_names() const override;
  TaskCheckResult check_task(std::string_view executor, const TaskCheckRequest& request) const override;

  const LanguageCatalog* languages() const override { return languages_.empty() ? nullptr : this; }

  // LanguageCatalog
  const LanguageInfo* find_language(std::string_view name) const override;
  const LanguageInfo* language_for_extension(std::string_view extension) const override;
  const LanguageInfo* language_of_executor(std::string_view executor) const override;
  std::vector<const LanguageInfo*> language_list() const override;
  TaskCheckResult introspect(std::string_view language, const LanguageTaskRequest& request) const override;
  LanguagePrepareResult prepare(std::string_view language, const LanguageTaskRequest& request) const override;

  const Language* language(std::string_view name) const;
  // Where languages keep their builds: `<root>/<language>/` (created on
  // first use). The CLI sets it from the store (cli.cpp, build_root_for);
  // the default is $XDG_CACHE_HOME/ork/build.
  void set_build_root(std::filesystem::path root) {
    std::lock_guard lock(build_dirs_mutex_);
    build_dirs_.clear();
    signatures_.reset();
    build_root_ = std::move(root);
  }
  const std::filesystem::path& build_root() const { return build_root_; }

  // Keeps the introspections of the workflow just compiled for the next
  // compile (signature_cache.hpp); called once a workflow compiled, so a
  // refused one writes nothing.
  void keep_signatures() const;

  const Executor* executor(std::string_view name) const;
  // The storage plugin serving `scheme` ("sqlite", "file", "postgresql"), or
  // null; loads the deferred storage plugins that may serve it first.
  const LoadedPlugin* storage_for_scheme(std::string_view scheme) const;
  // Every scheme served, deferred storage plugins loaded.
  std::vector<std::string> storage_schemes() const;
  // Called with each plugin refused while loading deferred storage plugins
  // (after start-up, when `refused` has been shown); they are added to `refused` too.
  void on_late_refusal(std::function<void(const RefusedPlugin&)> report) { report_late_refusal_ = std::move(report); }

 private:
  PluginSet* plugins_;
  std::vector<RefusedPlugin>* refused_;
  std::function<void(const RefusedPlugin&)> report_late_refusal_;
  std::map<std::string, Executor, std::less<>> executors_;
  // Grows when a deferred storage plugin loads.
  mutable std::mutex storages_mutex_;
  mutable std::map<std::string, const LoadedPlugin*, std::less<>> storages_;
  std::map<std::string, Language, std::less<>> languages_;
  std::filesystem::path build_root_;
  // One build directory per language for the registry's life: made on the
  // first call and tidied at the end, not per task (a 1000-task Python
  // workflow used to mkdir and rmdir three directories per task).
  mutable std::mutex build_dirs_mutex_;
  mutable std::map<std::string, std::unique_ptr<BuildDir>, std::less<>> build_dirs_;

  // Introspections kept across runs, under <build root>/signatures/, and
  // each language's describe() answer (part of their keys), asked once.
  mutable std::unique_ptr<SignatureCache> signatures_;
  mutable std::map<std::string, std::string, std::less<>> toolchains_;

  const std::filesystem::path& build_dir(const Language& language) const;
  SignatureCache& signature_cache() const;
  std::string toolchain(const Language& language) const;
  void add_language(const LoadedPlugin& plugin, std::vector<RefusedPlugin>& refused);
  void add_storage(const LoadedPlugin& plugin, std::vector<RefusedPlugin>& refused) const;
  void load_deferred_storage(std::string_view scheme) const;
};

// The build root for a store URL: `<dir of the SQLite file>/build` for SQLite
// (.ork/ork.db -> .ork/build), else $XDG_CACHE_HOME/ork/build (~/.cache/...).
std::filesystem::path build_root_for(const std::string& database_url);

}  // namespace ork::host
