// Command-line parsing for `ork`: global flags, a sub-command, its positional
// arguments and its flags. Hand-written because the CLI is a handful of
// sub-commands with a few flags each: Boost.Program_options has no
// sub-commands and would be one more library for ~100 lines.
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
  std::vector<std::string> switches;       // "--json", "-f"

  bool has(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;  // last value
  std::vector<std::string> values(const std::string& name) const;
};

// Flags that take a value (everything else starting with '-' is a switch).
// Throws Error(usage) on an unknown flag or a missing value.
CommandLine parse_command_line(const std::vector<std::string>& args);

}  // namespace ork::host
