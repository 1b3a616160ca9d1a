// The `command` (or `file`) of a process task: parsing it from the task's config into an
// argv, and finding the program it names the way the run will. Used by the
// process executor both at compile time (check) and at run time, and by its
// tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ork::plugins::process {

// The argv a task runs. The shell form (`command: "a | b"`) becomes
// {"/bin/sh", "-c", text}.
struct Command {
  std::vector<std::string> argv;
  bool via_shell = false;
  // The config key the program came from: "command", or "file" for a task
  // given as `file:` (the program itself; for the shell executor, a script
  // /bin/sh reads, which need not be executable).
  std::string key = "command";
  std::string script;  // the `file:` of a shell task; empty otherwise

  const std::string& program() const { return argv.front(); }
};

// Something wrong with a task's `command`. `key` is the config key it is about
// ("command"), or empty when the key itself is missing.
struct CommandProblem {
  std::string key;
  std::string message;
};

// Which executor reads the config: `process`, or its `shell` flavour (the
// upstream ork's name for it), where `file:` is a script run by /bin/sh.
enum class Flavour { process, shell };

// Reads "command" (or "file") from the task's config object (JSON text).
std::variant<Command, CommandProblem> parse_command(std::string_view config_json, Flavour flavour = Flavour::process);

// True when the program is given as a path (`./bin/x`, `/usr/bin/x`) rather
// than a bare name searched on PATH.
bool names_a_path(std::string_view program);

// Finds a bare program `name` in `path_list` (colon-separated, as in PATH),
// like execvp does. Relative entries are taken relative to `base_dir`; empty
// entries are skipped. Returns the path of the first executable regular file.
std::optional<std::string> find_on_path(std::string_view name, std::string_view path_list, std::string_view base_dir);

// The search path to use when the environment has no PATH (confstr's default).
std::string default_search_path();

// Why `program` (a path, relative to `base_dir` unless absolute) cannot be
// run, or nullopt when it is an executable regular file.
std::optional<std::string> explicit_program_problem(std::string_view program, std::string_view base_dir);

}  // namespace ork::plugins::process
