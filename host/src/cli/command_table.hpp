// The one description of ork's command line: every command with its
// operands, summary, description and flags, plus the global flags. The parser
// (arguments.cpp) accepts exactly these flags per command, and `ork --help`,
// `ork help CMD`, the man pages and the bash completion (help_text.cpp) are
// rendered from it, so none of them can drift from what the parser does;
// tests/unit/cli_table_test.cpp checks docs/cli.md against it too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ork::host {

struct FlagSpec {
  std::string name;                  // "--concurrency"
  std::string short_name;            // "-f", or empty
  std::string value_name;            // "N"; empty for a switch (takes no value)
  std::string help;                  // one or two sentences, no trailing period
  bool repeatable = false;           // may be given more than once (values accumulate)
  std::vector<std::string> choices = {};  // the values it accepts, when it is a fixed set
  bool hidden = false;               // for the build only (man pages, completion); never listed

  bool takes_value() const { return !value_name.empty(); }
};

struct CommandSpec {
  std::string name;         // "run"
  std::string operands;     // "FILE", "RUN [TASK]", "[DIR]"; empty when none
  std::string summary;      // one line, lower case, no trailing period
  std::string description;  // paragraphs separated by a blank line; plain text
  std::vector<FlagSpec> flags;

  // "ork run FILE [--input K=V]... [--json] …" — the flags as the table lists them.
  std::string synopsis() const;
};

// Every command, in the order `ork --help` lists them.
const std::vector<CommandSpec>& command_table();
// Flags every command accepts (also before the command): --db, --plugin-dir, …
const std::vector<FlagSpec>& global_flags();

const CommandSpec* find_command(std::string_view name);
// A flag of `command` (or a global flag) by long or short name; nullptr when
// the command does not take it. `command` may be null (before the command).
const FlagSpec* find_flag(const CommandSpec* command, std::string_view name);
// The long name of a flag given by its short alias ("-f" → "--follow"), else `name`.
std::string canonical_flag_name(std::string_view name);

}  // namespace ork::host
