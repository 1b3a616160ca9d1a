// Loading task libraries (the C ABI of ork/task.h) and calling their task
// functions. Shared by the executor's in-process path and the isolated
// worker process, which both keep one LibraryCache for their lifetime.
#pragma once

#include <ork/task.h>

#include <boost/dll/shared_library.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "task_problem.hpp"

namespace ork::plugins::library {

// One loaded task library; kept mapped until the process exits, because a
// task function may still be running on a thread that gave up waiting for it.
class TaskLibrary {
 public:
  // Loads `file` (an existing path; `load_from` may be a private copy of it)
  // with RTLD_NOW | RTLD_LOCAL and checks ork_task_free and the ABI version.
  // Throws TaskProblemError on "file".
  TaskLibrary(const std::filesystem::path& file, const std::filesystem::path& load_from);

  const std::filesystem::path& file() const { return file_; }
  // Throws TaskProblemError on "function", listing the task-like exports.
  ork_task_run_fn function(std::string_view name) const;
  // `<function>_signature`, else `ork_task_signature`, else nothing.
  std::optional<std::string> signature(std::string_view function) const;
  ork_task_free_fn free_function() const { return free_; }
  ork_task_last_error_fn last_error_function() const { return last_error_; }

 private:
  static void keep_mapped_until_exit(const std::filesystem::path& load_from);

  std::filesystem::path file_;
  boost::dll::shared_library library_;
  ork_task_free_fn free_ = nullptr;
  ork_task_last_error_fn last_error_ = nullptr;
};

// A resolved task function and the library that owns it.
struct TaskFunction {
  std::shared_ptr<const TaskLibrary> library;
  std::string name;
  ork_task_run_fn run = nullptr;
};

// What one call produced: the output JSON text, or why it failed.
struct CallOutcome {
  bool succeeded = false;
  std::string text;
};

// Calls the task function with `input_json` (NUL-terminated), always releases
// its result with the library's ork_task_free, and checks that the result is
// JSON. Never throws for anything the library does short of crashing.
CallOutcome call_task_function(const TaskFunction& function, const char* input_json);

// Libraries loaded so far, keyed by canonical path and modification time, so
// a library rebuilt on disk is loaded anew (its old version stays mapped).
// Thread-safe.
class LibraryCache {
 public:
  // Throws TaskProblemError on "file" or "function".
  TaskFunction function(const std::filesystem::path& file, std::string_view name);
  // Throws TaskProblemError on "file".
  std::shared_ptr<const TaskLibrary> library(const std::filesystem::path& file);

 private:
  struct Loaded {
    std::int64_t mtime = 0;
    std::shared_ptr<const TaskLibrary> library;
  };
  struct ResolvedFunction {
    std::int64_t mtime = 0;
    TaskFunction function;
  };

  std::shared_ptr<const TaskLibrary> library_locked(const std::filesystem::path& file, std::int64_t mtime);

  std::mutex mutex_;
  std::map<std::string, std::vector<Loaded>> loaded_;                // canonical path -> versions
  std::unordered_map<std::string, ResolvedFunction> functions_;      // "file\0function"
  unsigned reload_count_ = 0;
};

// Everything check_task reports about one task: its problems and, when the
// library declares one, the signature JSON (already checked to parse).
struct TaskDescription {
  std::vector<TaskProblem> problems;
  std::optional<std::string> signature;
};

TaskDescription describe_task(LibraryCache& cache, const std::filesystem::path& file, std::string_view function);

// The file's modification time, as a version stamp; throws TaskProblemError
// when it does not exist.
std::int64_t file_version(const std::filesystem::path& file);

// Where a library replaced on disk is copied before it is loaded again
// (dlopen would hand back the old mapping for the old path): a private
// directory from mkdtemp, mode 0700, made on first use and removed at exit.
const std::filesystem::path& reload_directory();

// The dlerror text inside a Boost.DLL exception, without the unrelated errno
// text Boost.DLL appends.
std::string dl_error_text(const std::system_error& error);

}  // namespace ork::plugins::library
