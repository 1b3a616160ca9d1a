// The workflows `ork serve` serves: every workflow file under one directory
// (searched a few levels deep; a YAML file is a workflow when it has a
// top-level `tasks:` key), compiled when first seen and recompiled when it
// changes on disk. A file that stops compiling keeps its last good version
// served (runs and schedules go on with it) while its errors are shown next to
// it; a deleted file is dropped. `refresh()` is called by the serve loop every
// half second; the accessors are safe from any thread.
#pragma once

#include "core/error.hpp"
#include "serve/cron.hpp"
#include "store/store.hpp"
#include "workflow/compiled.hpp"
#include "workflow/executor_catalog.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ork::host {

struct CatalogEntry {
  std::string name;                                   // the workflow's name; the file's stem until it compiles
  std::string file;                                   // relative to the catalog's directory
  std::shared_ptr<const CompiledWorkflow> workflow;   // last good version; null if it never compiled
  std::optional<CronSchedule> schedule;               // when the good version has a valid `schedule:`
  std::vector<Diagnostic> errors;                     // of the latest compile; empty when it is current
  Millis compiled_at = 0;                             // of the latest compile attempt
};

class WorkflowCatalog {
 public:
  WorkflowCatalog(std::filesystem::path directory, const ExecutorCatalog& executors);

  // Finds new, changed and deleted workflow files and recompiles the changed
  // ones. Returns how many files were (re)compiled or dropped.
  int refresh();

  std::vector<CatalogEntry> entries() const;  // by name
  std::optional<CatalogEntry> find(std::string_view name) const;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  struct FileState {
    std::filesystem::file_time_type modified;
    std::uintmax_t size = 0;
    CatalogEntry entry;
  };
  std::vector<std::filesystem::path> workflow_files() const;
  CatalogEntry compile(const std::filesystem::path& file, const CatalogEntry* previous) const;

  std::filesystem::path directory_;
  const ExecutorCatalog& executors_;
  std::mutex refresh_mutex_;  // one refresh at a time (the watcher, tests, `ork trigger`)
  std::map<std::filesystem::path, FileState> files_;  // under refresh_mutex_
  mutable std::mutex mutex_;
  std::map<std::string, CatalogEntry> by_name_;  // what readers see, swapped whole under mutex_
};

// Where `ork serve` looks by default: ./workflows if it exists, else ".".
std::filesystem::path default_workflows_directory();

}  // namespace ork::host
