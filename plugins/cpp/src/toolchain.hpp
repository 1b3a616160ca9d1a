// The C++ language's toolchain: g++ builds the tasks, clang++-14 reads their
// signatures from the source (its JSON AST dump), and both run as child
// processes so that a compiler crash or a hang never takes the host with it.
// Found on PATH the first time something asks (not at plugin load: `ork`
// starts on every command and most never touch C++).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ork::plugins::cpp {

struct Tool {
  std::string path;
  std::string identity;      // the real file's path, size and mtime: changes when the package is upgraded
  std::string version;       // e.g. "12.2.0": the last word of the first line of `--version`
  std::string version_line;  // that whole line, part of every build's key
};

struct Toolchain {
  std::optional<Tool> compiler;  // g++: builds
  std::optional<Tool> clang;     // clang++-14: reads signatures
  // -I directories for a task: the C++ task SDK (ork/task.hpp) and ork/limits.h.
  std::vector<std::string> include_dirs;
};

// What a user sees when a tool is missing: the Debian package to install.
std::string missing_compiler_message();
std::string missing_clang_message();

// Looks for the tools on PATH (g++ / clang++-14, else clang++) and asks each
// for its version — or, with a `cache` file, reads the versions it recorded
// for the same tool files (a new `ork` process would otherwise spend two
// process starts, ~100 ms on a loaded machine, before finding an unchanged
// build) and records them when it had to ask.
Toolchain find_toolchain(const std::vector<std::string>& include_dirs,
                         const std::optional<std::filesystem::path>& cache = std::nullopt);

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or by the timeout
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv[0] (an absolute path) with `env`, capturing both streams through
// files in `scratch_dir`; kills its process group after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, const std::filesystem::path& scratch_dir,
                          std::chrono::seconds timeout);

// The program's absolute path on PATH, if any.
std::optional<std::string> find_on_path(const std::string& program);

}  // namespace ork::plugins::cpp
