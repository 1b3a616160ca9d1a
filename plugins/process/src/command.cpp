#include "command.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ork::plugins::process {
namespace {

std::string_view kind_name(const boost::json::value& value);
std::variant<Command, CommandProblem> argv_command(const boost::json::array& items);
std::variant<Command, CommandProblem> file_command(const boost::json::value& file, Flavour flavour);
std::string joined_path(std::string_view dir, std::string_view name);
bool is_executable_file(const std::string& path);

}  // namespace

std::variant<Command, CommandProblem> parse_command(std::string_view config_json, Flavour flavour) {
  boost::system::error_code ec;
  boost::json::value config = boost::json::parse(config_json, ec);
  if (ec || !config.is_object()) {
    // The host builds this object; a bad one is a host bug, not the user's.
    throw std::invalid_argument("process executor received a task config that is not a JSON object: " +
                                std::string(config_json.substr(0, 200)));
  }
  const boost::json::value* command = config.as_object().if_contains("command");
  const boost::json::value* file = config.as_object().if_contains("file");
  if (command != nullptr && file != nullptr) {
    return CommandProblem{"file", "give either \"command\" or \"file\", not both"};
  }
  if (file != nullptr) return file_command(*file, flavour);
  if (command == nullptr) {
    return CommandProblem{"",
                          "process task needs \"command\": an argv list such as [./bin/tool, --fast], or a "
                          "string run by /bin/sh -c; or \"file\": the program to run"};
  }
  if (command->is_string()) {
    const boost::json::string& text = command->get_string();
    if (text.empty()) return CommandProblem{"command", "\"command\" is an empty string; write the command to run"};
    Command shell;
    shell.argv = {"/bin/sh", "-c", std::string(text)};
    shell.via_shell = true;
    return shell;
  }
  if (command->is_array()) return argv_command(command->get_array());
  return CommandProblem{"command", "\"command\" must be a list of strings (the argv, run without a shell) or a "
                                   "string (run by /bin/sh -c), not " +
                                       std::string(kind_name(*command))};
}

bool names_a_path(std::string_view program) { return program.find('/') != std::string_view::npos; }

std::optional<std::string> find_on_path(std::string_view name, std::string_view path_list, std::string_view base_dir) {
  while (true) {
    std::size_t colon = path_list.find(':');
    std::string_view dir = path_list.substr(0, colon);
    if (!dir.empty()) {
      std::string candidate = dir.front() == '/' ? joined_path(dir, name) : joined_path(joined_path(base_dir, dir), name);
      if (is_executable_file(candidate)) return candidate;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    path_list.remove_prefix(colon + 1);
  }
}

std::string default_search_path() {
  std::size_t size = confstr(_CS_PATH, nullptr, 0);
  if (size == 0) return "/bin:/usr/bin";
  std::string path(size, '\0');
  confstr(_CS_PATH, path.data(), size);
  path.resize(size - 1);  // drop the terminating NUL confstr counts
  return path;
}

std::optional<std::string> explicit_program_problem(std::string_view program, std::string_view base_dir) {
  bool relative = program.front() != '/';
  std::string path = relative ? joined_path(base_dir, program) : std::string(program);
  std::string where = relative ? " (relative to " + std::string(base_dir) + ")" : "";
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return "file not found: " + std::string(program) + where;
    return "cannot access " + std::string(program) + where + ": " + std::strerror(errno);
  }
  if (!S_ISREG(info.st_mode)) return std::string(program) + where + " is not a regular file";
  if (access(path.c_str(), X_OK) != 0) {
    return std::string(program) + where + " is not executable; run `chmod +x " + std::string(program) + "`";
  }
  return std::nullopt;
}

namespace {

std::string_view kind_name(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "a list";
    case boost::json::kind::object: return "a mapping";
  }
  return "an unknown JSON value";
}

std::variant<Command, CommandProblem> argv_command(const boost::json::array& items) {
  if (items.empty()) {
    return CommandProblem{"command", "\"command\" is an empty list; give at least the program to run"};
  }
  Command command;
  command.argv.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      return CommandProblem{"command", "\"command\" item " + std::to_string(i) + " must be a string, not " +
                                           std::string(kind_name(items[i])) + "; quote it in the YAML"};
    }
    command.argv.emplace_back(items[i].get_string());
  }
  if (command.program().empty()) {
    return CommandProblem{"command", "\"command\" starts with an empty program name"};
  }
  return command;
}

// `file: bin/tool` is that program, run without arguments (a bare name is
// a file in the workdir, not a program on PATH); for the shell flavour it is
// a script given to /bin/sh.
std::variant<Command, CommandProblem> file_command(const boost::json::value& file, Flavour flavour) {
  if (!file.is_string() || file.get_string().empty()) {
    return CommandProblem{"file", "\"file\" must be the path of the program to run (relative to the workdir), not " +
                                      (file.is_string() ? std::string("an empty string") : std::string(kind_name(file)))};
  }
  std::string path(file.get_string());
  if (!names_a_path(path)) path = "./" + path;
  Command command;
  command.key = "file";
  if (flavour == Flavour::shell) {
    command.argv = {"/bin/sh", path};
    command.via_shell = true;
    command.script = path;
  } else {
    command.argv = {path};
  }
  return command;
}

std::string joined_path(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

bool is_executable_file(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace
}  // namespace ork::plugins::process
