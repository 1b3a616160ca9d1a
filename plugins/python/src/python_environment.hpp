// Which Python environment a task's worker runs in. The worker always embeds
// the interpreter ork was built with (ORK_PYTHON_VERSION); a virtual
// environment — the workflow directory's `.venv`, or the one the `python:`
// key names (a venv directory, its bin/python, or a plain interpreter) —
// contributes its site-packages when its Python version matches, since only
// then do its compiled extensions load. Used by the executor for both check
// and run.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ork::plugins::python {

struct PythonEnvironment {
  std::vector<std::filesystem::path> site_packages;  // prepended to sys.path; empty = embedded interpreter only
  std::string executable;                            // sys.executable inside tasks; empty = the embedded one
};

// The environment cannot be used; `key` is the task key to blame ("python",
// or "" when the workflow directory's .venv was picked up implicitly).
class EnvironmentError : public std::runtime_error {
 public:
  EnvironmentError(std::string key, const std::string& message) : std::runtime_error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

class EnvironmentResolver {
 public:
  // `embedded_version` is "3.11"; `embedded_executable` the interpreter
  // whose libpython the worker links.
  EnvironmentResolver(std::string embedded_version, std::filesystem::path embedded_executable);

  // Throws EnvironmentError.
  PythonEnvironment resolve(const std::optional<std::string>& python_key, const std::filesystem::path& workflow_dir);

 private:
  struct InterpreterFacts {
    std::string version;
    std::vector<std::filesystem::path> site_packages;
  };

  PythonEnvironment from_venv(const std::filesystem::path& venv, const std::string& key, const std::string& shown_as);
  PythonEnvironment from_interpreter(const std::filesystem::path& interpreter, const std::string& shown_as);
  InterpreterFacts query_interpreter(const std::filesystem::path& interpreter);
  void check_version(const std::string& version, const std::string& key, const std::string& shown_as,
                     const std::string& remedy) const;

  std::string embedded_version_;
  std::filesystem::path embedded_executable_;
  std::mutex mutex_;
  std::map<std::string, InterpreterFacts> interpreters_;  // by path; running one costs ~50 ms
};

}  // namespace ork::plugins::python
