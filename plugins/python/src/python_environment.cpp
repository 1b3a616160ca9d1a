#include "python_environment.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <system_error>

#include "worker_process.hpp"  // UniqueFd

#include <ork/task_environment.hpp>

namespace ork::plugins::python {

namespace {

std::optional<std::string> venv_version(const std::filesystem::path& venv);
std::string major_minor(const std::string& version);
std::string run_and_capture(const std::filesystem::path& program, const std::vector<std::string>& arguments);

}  // namespace

EnvironmentResolver::EnvironmentResolver(std::string embedded_version, std::filesystem::path embedded_executable)
    : embedded_version_(std::move(embedded_version)), embedded_executable_(std::move(embedded_executable)) {}

PythonEnvironment EnvironmentResolver::resolve(const std::optional<std::string>& python_key,
                                               const std::filesystem::path& workflow_dir) {
  std::error_code error;
  if (!python_key) {
    std::filesystem::path venv = workflow_dir / ".venv";
    if (std::filesystem::exists(venv / "pyvenv.cfg", error)) return from_venv(venv, "", venv.string());
    return PythonEnvironment{};
  }
  std::filesystem::path path = (workflow_dir / *python_key).lexically_normal();
  if (std::filesystem::is_directory(path, error)) {
    if (std::filesystem::exists(path / "pyvenv.cfg", error)) return from_venv(path, "python", path.string());
    throw EnvironmentError("python", path.string() + " is a directory but not a virtual environment (it has no "
                                                     "pyvenv.cfg); point `python:` at a venv or an interpreter");
  }
  if (!std::filesystem::exists(path, error)) {
    throw EnvironmentError("python", "`python: " + *python_key + "` not found (looked for " + path.string() +
                                         "; the path is relative to the workflow file's directory)");
  }
  // bin/python of a venv: use the venv, whose site-packages we can read without running anything.
  std::filesystem::path parent_venv = path.parent_path().parent_path();
  if (std::filesystem::exists(parent_venv / "pyvenv.cfg", error)) return from_venv(parent_venv, "python", parent_venv.string());
  return from_interpreter(path, path.string());
}

PythonEnvironment EnvironmentResolver::from_venv(const std::filesystem::path& venv, const std::string& key,
                                                 const std::string& shown_as) {
  std::optional<std::string> version = venv_version(venv);
  if (!version) {
    throw EnvironmentError(key, shown_as + "/pyvenv.cfg names no Python version; recreate the venv with python" +
                                    embedded_version_ + " -m venv " + shown_as);
  }
  check_version(*version, key, shown_as,
                "recreate the venv with python" + embedded_version_ + " (python" + embedded_version_ + " -m venv " +
                    shown_as + ", or uv venv --python " + embedded_version_ + ")" +
                    (key.empty() ? ", or move it out of the workflow directory" : ""));
  std::filesystem::path site_packages = venv / "lib" / ("python" + embedded_version_) / "site-packages";
  std::error_code error;
  if (!std::filesystem::is_directory(site_packages, error)) {
    throw EnvironmentError(key, shown_as + " has no " + site_packages.string() + "; recreate the venv");
  }
  PythonEnvironment environment;
  environment.site_packages.push_back(site_packages);
  for (const char* name : {"python", "python3"}) {
    if (std::filesystem::exists(venv / "bin" / name, error)) {
      environment.executable = (venv / "bin" / name).string();
      break;
    }
  }
  return environment;
}

PythonEnvironment EnvironmentResolver::from_interpreter(const std::filesystem::path& interpreter,
                                                        const std::string& shown_as) {
  std::error_code error;
  if (std::filesystem::equivalent(interpreter, embedded_executable_, error)) {
    return PythonEnvironment{{}, interpreter.string()};
  }
  InterpreterFacts facts = query_interpreter(interpreter);
  check_version(facts.version, "python", shown_as,
                "point `python:` at a Python " + embedded_version_ + " interpreter or venv");
  return PythonEnvironment{facts.site_packages, interpreter.string()};
}

EnvironmentResolver::InterpreterFacts EnvironmentResolver::query_interpreter(const std::filesystem::path& interpreter) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = interpreters_.find(interpreter.string()); it != interpreters_.end()) return it->second;
  }
  std::string output = run_and_capture(
      interpreter, {"-I", "-c",
                    "import sys, sysconfig\n"
                    "print(f'{sys.version_info[0]}.{sys.version_info[1]}')\n"
                    "print(sysconfig.get_path('purelib'))\n"
                    "print(sysconfig.get_path('platlib'))\n"});
  std::istringstream lines(output);
  InterpreterFacts facts;
  std::getline(lines, facts.version);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && (facts.site_packages.empty() || facts.site_packages.back() != line)) {
      facts.site_packages.emplace_back(line);
    }
  }
  if (facts.version.empty()) {
    throw EnvironmentError("python", interpreter.string() + " did not report its version; is it a Python interpreter?");
  }
  std::lock_guard lock(mutex_);
  interpreters_[interpreter.string()] = facts;
  return facts;
}

void EnvironmentResolver::check_version(const std::string& version, const std::string& key,
                                        const std::string& shown_as, const std::string& remedy) const {
  std::string found = major_minor(version);
  if (found == embedded_version_) return;
  throw EnvironmentError(key, shown_as + " uses Python " + found + " but ork's python worker embeds Python " +
                                  embedded_version_ + ", so its packages cannot be loaded; " + remedy);
}

namespace {

// pyvenv.cfg holds `version = 3.11.2` (venv) or `version_info = 3.11.7` (uv).
std::optional<std::string> venv_version(const std::filesystem::path& venv) {
  std::ifstream config(venv / "pyvenv.cfg");
  for (std::string line; std::getline(config, line);) {
    auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    auto trim = [](std::string text) {
      const char* blanks = " \t\r";
      text.erase(0, text.find_first_not_of(blanks));
      text.erase(text.find_last_not_of(blanks) + 1);
      return text;
    };
    std::string key = trim(line.substr(0, equals));
    if (key == "version" || key == "version_info") return trim(line.substr(equals + 1));
  }
  return std::nullopt;
}

std::string major_minor(const std::string& version) {
  auto first = version.find('.');
  if (first == std::string::npos) return version;
  auto second = version.find('.', first + 1);
  return version.substr(0, second);
}

// Runs a short query program and returns its stdout (stderr is discarded).
std::string run_and_capture(const std::filesystem::path& program, const std::vector<std::string>& arguments) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  ::posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> storage{program.string()};
  storage.insert(storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& argument : storage) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment = ork::plugin::inherited_environment();
  std::vector<char*> envp = ork::plugin::envp_of(environment);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, storage[0].c_str(), &actions, nullptr, argv.data(), envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  write_end.reset();  // so the read below ends when the program exits
  if (rc != 0) {
    throw EnvironmentError("python", "cannot run " + program.string() + ": " + std::generic_category().message(rc));
  }
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd fd{read_end.get(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) == 0) {
      ::kill(pid, SIGKILL);
      break;
    }
    ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return output;
}

}  // namespace

}  // namespace ork::plugins::python
