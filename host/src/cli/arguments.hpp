// Command-line parsing for `ork`: global flags, a sub-command, its positional
// arguments and its flags — exactly the flags command_table.hpp gives that
// command (plus the global ones), so a flag another command takes is refused
// instead of silently ignored. Hand-written because the table is also the
// source of the help, man pages and completion: Boost.Program_options has no
// sub-commands and would still need that table beside it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ork::host {

struct CommandLine {
  std::string command;                     // "run", "validate", …; empty = none
  std::vector<std::string> positional;     // after the command
  std::map<std::string, std::vector<std::string>> options;  // "--input" -> values
  std::vector<std::string> switches;       // "--json", "--follow" (long names)

  // Flags by long name or short alias ("-f" and "--follow" are the same flag).
  bool has(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;  // last value
  std::vector<std::string> values(const std::string& name) const;
};

// Global flags go before or after the command, a command's own flags after it.
// Throws Error(usage) on an unknown command, a flag the command does not take
// (naming the command and the closest flag), a missing value, or a value
// given to a switch.
CommandLine parse_command_line(const std::vector<std::string>& args);

}  // namespace ork::host
