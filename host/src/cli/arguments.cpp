#include "cli/arguments.hpp"

#include "cli/command_table.hpp"
#include "core/error.hpp"
#include "workflow/suggest.hpp"

#include <algorithm>

namespace ork::host {

namespace {

const CommandSpec& command_or_refuse(const std::string& name);
Error unknown_flag(const CommandSpec* command, const std::string& flag);

}  // namespace

bool CommandLine::has(const std::string& name) const {
  const std::string canonical = canonical_flag_name(name);
  return std::find(switches.begin(), switches.end(), canonical) != switches.end() || options.contains(canonical);
}

std::optional<std::string> CommandLine::value(const std::string& name) const {
  auto it = options.find(canonical_flag_name(name));
  if (it == options.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> CommandLine::values(const std::string& name) const {
  auto it = options.find(canonical_flag_name(name));
  return it == options.end() ? std::vector<std::string>{} : it->second;
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  const CommandSpec* command = nullptr;
  bool only_operands = false;  // after "--"
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!only_operands && arg == "--") {
      only_operands = true;
    } else if (!only_operands && arg.size() > 1 && arg[0] == '-') {
      std::string name = arg;
      std::optional<std::string> inline_value;
      if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
      }
      const FlagSpec* flag = find_flag(command, name);
      if (!flag) throw unknown_flag(command, name);
      if (!flag->takes_value()) {
        if (inline_value) throw Error(ErrorKind::usage, flag->name + " takes no value (got '" + arg + "')");
        cl.switches.push_back(flag->name);
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= args.size()) throw Error(ErrorKind::usage, flag->name + " needs a value: " + flag->value_name);
        inline_value = args[++i];
      }
      std::vector<std::string>& given = cl.options[flag->name];
      if (!given.empty() && !flag->repeatable) {
        throw Error(ErrorKind::usage, flag->name + " is given twice ('" + given.back() + "' and '" + *inline_value +
                                          "'); give it once");
      }
      given.push_back(*inline_value);
    } else if (!command) {
      command = &command_or_refuse(arg);
      cl.command = arg;
    } else {
      cl.positional.push_back(arg);
    }
  }
  return cl;
}

namespace {

const CommandSpec& command_or_refuse(const std::string& name) {
  if (const CommandSpec* c = find_command(name)) return *c;
  std::vector<std::string> names;
  for (const CommandSpec& c : command_table()) names.push_back(c.name);
  std::string message = "unknown command '" + name + "'";
  if (auto near = closest_match(name, names)) message += "; did you mean `ork " + *near + "`?";
  throw Error(ErrorKind::usage, message + " (see `ork --help`)");
}

// "`ork run` takes no flag --slots (`ork worker` takes it)", "… did you mean --concurrency?"
Error unknown_flag(const CommandSpec* command, const std::string& flag) {
  std::vector<std::string> own, candidates;
  if (command) {
    for (const FlagSpec& f : command->flags) own.push_back(f.name);
  }
  candidates = own;
  for (const FlagSpec& f : global_flags()) {
    if (!f.hidden) candidates.push_back(f.name);
  }
  std::vector<std::string> takers;
  for (const CommandSpec& c : command_table()) {
    if (&c != command && find_flag(&c, flag) && !find_flag(nullptr, flag)) takers.push_back("`ork " + c.name + "`");
  }
  std::string message;
  if (!command) {
    message = "unknown flag " + flag + " before the command";
    if (!takers.empty()) message += "; a command's flags go after it, e.g. " + takers[0].substr(0, takers[0].size() - 1) + " " + flag + "`";
  } else {
    message = "`ork " + command->name + "` takes no flag " + flag;
    if (!takers.empty()) message += " (" + join_names(takers) + (takers.size() == 1 ? " takes it)" : " take it)");
  }
  if (auto near = closest_match(flag, candidates)) {
    message += "; did you mean " + *near + "?";
  } else if (command) {
    message += "; it takes " + (own.empty() ? std::string("only the global flags") : join_names(own) + " and the global flags");
  }
  return Error(ErrorKind::usage, message + " (see `ork " + (command ? command->name + " --help" : "--help") + "`)");
}

}  // namespace

}  // namespace ork::host
