#include "cli/arguments.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <set>

namespace ork::host {

namespace {

const std::set<std::string> value_flags = {"--plugin-dir", "--db",    "--input",  "--concurrency", "--workflow",
                                           "--status",     "--limit", "--format", "--attempt",     "--idempotency-key", "--executors", "--slots", "--name",
                                           "--bind",       "--workflows", "--token-file", "--server", "--allowed-host", "--ca-file",
                                           "--template"};
const std::set<std::string> switch_flags = {"--json", "-f", "--follow", "-v", "--verbose", "-h", "--help", "--version", "--workers-only",
                                            "--force", "--gantt"};  // init, tasks (issue 15)

}  // namespace

bool CommandLine::has(const std::string& name) const {
  return std::find(switches.begin(), switches.end(), name) != switches.end() || options.contains(name);
}

std::optional<std::string> CommandLine::value(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> CommandLine::values(const std::string& name) const {
  auto it = options.find(name);
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
      std::string name = arg;
      std::optional<std::string> inline_value;
      if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
      }
      if (value_flags.contains(name)) {
        if (!inline_value) {
          if (i + 1 >= args.size()) throw Error(ErrorKind::usage, name + " needs a value");
          inline_value = args[++i];
        }
        cl.options[name].push_back(*inline_value);
      } else if (switch_flags.contains(name) && !inline_value) {
        cl.switches.push_back(name);
      } else {
        throw Error(ErrorKind::usage, "unknown option " + arg + " (see `ork --help`)");
      }
    } else if (cl.command.empty()) {
      cl.command = arg;
    } else {
      cl.positional.push_back(arg);
    }
  }
  return cl;
}

}  // namespace ork::host
