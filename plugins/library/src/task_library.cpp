#include "task_library.hpp"

#include "worker_process.hpp"  // UniqueFd

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/core/demangle.hpp>
#include <boost/dll/library_info.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace ork::plugins::library {
namespace {

constexpr std::size_t max_listed_exports = 20;
constexpr std::size_t max_shown_output = 200;
constexpr std::string_view output_prefix = "ORK_OUTPUT:";

template <typename Fn>
Fn optional_symbol(const boost::dll::shared_library& library, const std::string& name);
std::string missing_function_message(const std::filesystem::path& file, std::string_view name);
std::optional<std::string> output_json_problem(std::string_view text);
std::int64_t modification_time(const std::filesystem::path& file);
std::filesystem::path private_copy(const std::filesystem::path& file, unsigned serial);
std::optional<std::string> signature_problem(std::string_view signature);

}  // namespace

TaskLibrary::TaskLibrary(const std::filesystem::path& file, const std::filesystem::path& load_from) : file_(file) {
  try {
    library_.load(load_from, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::system_error& e) {
    throw TaskProblemError("file", "cannot load task library " + file.string() + ": " + dl_error_text(e));
  }
  if (auto version = optional_symbol<ork_task_abi_version_fn>(library_, ORK_TASK_ABI_VERSION_SYMBOL)) {
    int built_for = version();
    if (built_for != ORK_TASK_ABI_VERSION) {
      throw TaskProblemError("file", file.string() + " was built for ork task ABI " + std::to_string(built_for) +
                                         ", this executor speaks ABI " + std::to_string(ORK_TASK_ABI_VERSION) +
                                         "; rebuild it against this ork's ork/task.h");
    }
  }
  free_ = optional_symbol<ork_task_free_fn>(library_, ORK_TASK_FREE_SYMBOL);
  if (free_ == nullptr) {
    throw TaskProblemError("file", file.string() + " does not export `void ork_task_free(char*)`, which ork calls to "
                                   "release the strings its task functions return; export it (extern \"C\", default "
                                   "visibility)");
  }
  last_error_ = optional_symbol<ork_task_last_error_fn>(library_, ORK_TASK_LAST_ERROR_SYMBOL);
  keep_mapped_until_exit(load_from);
}

// An accepted library stays in the cache until the executor shuts down; at
// that point its code must stay mapped too: its statics (a Rust task's
// signature in a OnceLock, C++ function-local statics) own heap memory that
// only they point to, and unmapping them at exit turned that memory into
// leaks LeakSanitizer reports (scripts/sanitize.sh asan). Re-opening the
// loaded object with RTLD_NODELETE marks it so; a refused library (thrown
// above) is still unloaded, so a fixed file at the same path loads afresh.
void TaskLibrary::keep_mapped_until_exit(const std::filesystem::path& load_from) {
  if (void* handle = ::dlopen(load_from.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)) ::dlclose(handle);
}

ork_task_run_fn TaskLibrary::function(std::string_view name) const {
  auto run = optional_symbol<ork_task_run_fn>(library_, std::string(name));
  if (run == nullptr) throw TaskProblemError("function", missing_function_message(file_, name));
  return run;
}

std::optional<std::string> TaskLibrary::signature(std::string_view function) const {
  auto own = optional_symbol<ork_task_signature_fn>(library_, std::string(function) + ORK_TASK_SIGNATURE_SUFFIX);
  auto signature = own != nullptr ? own : optional_symbol<ork_task_signature_fn>(library_, ORK_TASK_SIGNATURE_SYMBOL);
  if (signature == nullptr) return std::nullopt;
  const char* text = signature();
  if (text == nullptr) return std::nullopt;
  return std::string(text);
}

CallOutcome call_task_function(const TaskFunction& function, const char* input_json) {
  char* raw = function.run(input_json);
  if (raw == nullptr) {
    ork_task_last_error_fn last_error = function.library->last_error_function();
    if (last_error == nullptr) {
      return {false, "library function " + function.name + " returned NULL (no ork_task_last_error exported)"};
    }
    const char* message = last_error();
    if (message == nullptr || *message == '\0') {
      return {false, "library function " + function.name + " returned NULL (ork_task_last_error gave no message)"};
    }
    return {false, message};
  }
  std::unique_ptr<char, ork_task_free_fn> owned(raw, function.library->free_function());
  std::string_view text(owned.get());
  // Libraries built with the upstream ork's Rust SDK prefix their result as
  // a process task's stdout line would be; the JSON is what follows.
  if (text.starts_with(output_prefix)) text.remove_prefix(output_prefix.size());
  if (std::optional<std::string> problem = output_json_problem(text)) {
    return {false, "library function " + function.name + " returned invalid JSON (" + *problem + ")"};
  }
  return {true, std::string(text)};
}

TaskFunction LibraryCache::function(const std::filesystem::path& file, std::string_view name) {
  std::int64_t mtime = modification_time(file);
  std::string key = file.string();
  key.push_back('\0');
  key.append(name);
  std::lock_guard lock(mutex_);
  if (auto it = functions_.find(key); it != functions_.end() && it->second.mtime == mtime) {
    return it->second.function;
  }
  std::shared_ptr<const TaskLibrary> library = library_locked(file, mtime);
  TaskFunction resolved{library, std::string(name), library->function(name)};
  functions_[key] = ResolvedFunction{mtime, resolved};
  return resolved;
}

std::shared_ptr<const TaskLibrary> LibraryCache::library(const std::filesystem::path& file) {
  std::int64_t mtime = modification_time(file);
  std::lock_guard lock(mutex_);
  return library_locked(file, mtime);
}

std::shared_ptr<const TaskLibrary> LibraryCache::library_locked(const std::filesystem::path& file,
                                                                std::int64_t mtime) {
  std::error_code error;
  std::filesystem::path canonical = std::filesystem::canonical(file, error);
  if (error) throw TaskProblemError("file", "task library not found: " + file.string() + " (" + error.message() + ")");
  std::vector<Loaded>& versions = loaded_[canonical.string()];
  for (const Loaded& loaded : versions) {
    if (loaded.mtime == mtime) return loaded.library;
  }
  if (versions.empty()) {
    versions.push_back(Loaded{mtime, std::make_shared<const TaskLibrary>(file, canonical)});
    return versions.back().library;
  }
  // dlopen hands back the already-mapped object for a path it has seen, even
  // when the file was replaced; a uniquely named copy forces a fresh load.
  std::filesystem::path copy = private_copy(canonical, ++reload_count_);
  struct RemoveCopy {
    std::filesystem::path path;
    ~RemoveCopy() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);  // the mapping outlives the file
    }
  } remove_copy{copy};
  versions.push_back(Loaded{mtime, std::make_shared<const TaskLibrary>(file, copy)});
  return versions.back().library;
}

std::int64_t file_version(const std::filesystem::path& file) { return modification_time(file); }

TaskDescription describe_task(LibraryCache& cache, const std::filesystem::path& file, std::string_view function) {
  TaskDescription description;
  try {
    std::shared_ptr<const TaskLibrary> library = cache.library(file);
    library->function(function);
    std::optional<std::string> signature = library->signature(function);
    if (signature) {
      if (std::optional<std::string> problem = signature_problem(*signature)) {
        description.problems.push_back(
            {"function", "the signature " + file.string() + " declares for " + std::string(function) + " " + *problem});
      } else {
        description.signature = std::move(signature);
      }
    }
  } catch (const TaskProblemError& e) {
    description.problems.push_back(e.problem());
  }
  return description;
}

std::string dl_error_text(const std::system_error& error) {
  std::string_view what = error.what();
  constexpr std::string_view marker = "dlerror system message: ";
  std::size_t start = what.find(marker);
  std::size_t end = what.rfind("): ");
  if (start == std::string_view::npos || end == std::string_view::npos || end < start) return std::string(what);
  start += marker.size();
  return std::string(what.substr(start, end - start));
}

namespace {

template <typename Fn>
Fn optional_symbol(const boost::dll::shared_library& library, const std::string& name) {
  if (!library.has(name)) return nullptr;
  return library.get<std::remove_pointer_t<Fn>>(name);
}

bool is_abi_support_symbol(std::string_view name) {
  return name == ORK_TASK_FREE_SYMBOL || name == ORK_TASK_LAST_ERROR_SYMBOL || name == ORK_TASK_SIGNATURE_SYMBOL ||
         name == ORK_TASK_ABI_VERSION_SYMBOL;
}

std::string missing_function_message(const std::filesystem::path& file, std::string_view name) {
  std::vector<std::string> candidates;
  std::string cpp_hint;
  try {
    std::filesystem::path path = file;
    boost::dll::library_info info(path);
    for (const std::string& symbol : info.symbols(".text")) {
      if (symbol.starts_with("_Z")) {
        std::string demangled = boost::core::demangle(symbol.c_str());
        if (demangled.starts_with(std::string(name) + "(")) cpp_hint = demangled;
        continue;
      }
      if (symbol.starts_with("_") || is_abi_support_symbol(symbol)) continue;
      candidates.push_back(symbol);
    }
    // `<f>_signature` belongs to `<f>`; one named `x_signature` alone may be a task.
    std::vector<std::string> exported = candidates;
    std::erase_if(candidates, [&](const std::string& symbol) {
      if (!symbol.ends_with(ORK_TASK_SIGNATURE_SUFFIX)) return false;
      std::string owner = symbol.substr(0, symbol.size() - std::string_view(ORK_TASK_SIGNATURE_SUFFIX).size());
      return std::find(exported.begin(), exported.end(), owner) != exported.end();
    });
  } catch (const std::exception&) {
    // Listing is a courtesy; the missing symbol is the error.
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::string message = file.string() + " exports no function `" + std::string(name) + "`";
  if (!cpp_hint.empty()) {
    return message + "; it has a C++ function " + cpp_hint + ": declare it extern \"C\" so ork can find it";
  }
  if (candidates.empty()) {
    return message + ", and no other task-like function (build it with default visibility and extern \"C\")";
  }
  message += "; task-like functions it exports: ";
  for (std::size_t i = 0; i < candidates.size() && i < max_listed_exports; ++i) {
    message += (i > 0 ? ", " : "") + candidates[i];
  }
  if (candidates.size() > max_listed_exports) message += ", ...";
  return message + " (set `function:` to one of them)";
}

std::optional<std::string> output_json_problem(std::string_view text) {
  boost::system::error_code error;
  boost::json::parse_options options;
  options.max_depth = 1024;  // task outputs may nest far deeper than Boost.JSON's default of 32
  boost::json::parse(text, error, {}, options);
  if (!error) return std::nullopt;
  std::string shown(text.substr(0, max_shown_output));
  if (text.size() > max_shown_output) shown += "...";
  return error.message() + "; it returned: " + shown;
}

std::int64_t modification_time(const std::filesystem::path& file) {
  std::error_code error;
  auto time = std::filesystem::last_write_time(file, error);
  if (error) {
    throw TaskProblemError("file", "task library not found: " + file.string() +
                                       " (`file:` is relative to the workflow file's directory)");
  }
  return static_cast<std::int64_t>(time.time_since_epoch().count());
}

void copy_contents(int from, int to, const std::filesystem::path& file, const std::filesystem::path& copy);

// The copy is created, never reused (O_EXCL), in reload_directory(): no
// other user can enter it, plant a link there or swap the file before
// dlopen. O_NOFOLLOW is belt and braces: O_EXCL already refuses a link.
std::filesystem::path private_copy(const std::filesystem::path& file, unsigned serial) {
  std::filesystem::path copy = reload_directory() / (std::to_string(serial) + "-" + file.filename().string());
  UniqueFd source(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (source.get() < 0) {
    throw TaskProblemError("file", "cannot read task library " + file.string() + ": " + std::strerror(errno));
  }
  UniqueFd target(::open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IXUSR));
  if (target.get() < 0) {
    throw TaskProblemError("file", "cannot reload task library " + file.string() + ": cannot create " +
                                       copy.string() + ": " + std::strerror(errno));
  }
  copy_contents(source.get(), target.get(), file, copy);
  return copy;
}

void copy_contents(int from, int to, const std::filesystem::path& file, const std::filesystem::path& copy) {
  char buffer[1 << 16];
  for (;;) {
    ssize_t got = ::read(from, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      throw TaskProblemError("file", "cannot read task library " + file.string() + ": " + std::strerror(errno));
    }
    if (got == 0) return;
    for (ssize_t done = 0; done < got;) {
      ssize_t put = ::write(to, buffer + done, static_cast<std::size_t>(got - done));
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) {
        throw TaskProblemError("file", "cannot reload task library " + file.string() + ": writing " +
                                           copy.string() + ": " + std::strerror(errno));
      }
      done += put;
    }
  }
}

// A directory made by mkdtemp: mode 0700 and a name no one can predict, made
// on first use and removed (with any copy left in it) when the process exits.
class ReloadDirectory {
 public:
  ReloadDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ork-library-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw TaskProblemError("file", "cannot reload a task library: cannot create a private directory " + pattern +
                                         ": " + std::strerror(errno) + "; check TMPDIR");
    }
    path_ = pattern;
  }
  ~ReloadDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ReloadDirectory(const ReloadDirectory&) = delete;
  ReloadDirectory& operator=(const ReloadDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

const std::filesystem::path& reload_directory() {
  static const ReloadDirectory directory;
  return directory.path();
}

namespace {

std::optional<std::string> signature_problem(std::string_view signature) {
  boost::system::error_code error;
  boost::json::value json = boost::json::parse(signature, error);
  if (error) return "is not valid JSON (" + error.message() + "): " + std::string(signature.substr(0, max_shown_output));
  const boost::json::object* object = json.if_object();
  if (object == nullptr || !object->contains("output") || !object->contains("inputs") ||
      !object->at("inputs").is_object()) {
    return "must be a JSON object {\"inputs\": {\"NAME\": TYPE, ...}, \"output\": TYPE}, not " +
           std::string(signature.substr(0, max_shown_output));
  }
  return std::nullopt;
}

}  // namespace
}  // namespace ork::plugins::library
