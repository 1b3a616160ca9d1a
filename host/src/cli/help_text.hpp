// Everything ork says about its own command line, rendered from the command
// table (command_table.hpp): `ork --help`, `ork help CMD` / `ork CMD --help`,
// the man pages ork(1) and ork-CMD(1) in roff, and the bash completion
// script. The build runs `ork --man-page [CMD]` and `ork --bash-completion`
// (cmake/OrkGeneratedDocs.cmake) so the installed pages cannot drift either.
#pragma once

#include "cli/command_table.hpp"

#include <string>

namespace ork::host {

// `ork --help`: the commands with their summaries, the global flags, exit codes.
std::string overview_help();
// `ork help CMD`: synopsis, description, the command's flags, the global flags.
std::string command_help(const CommandSpec& command);
// ork(1) when `command` is null, else ork-CMD(1).
std::string man_page(const CommandSpec* command);
// A bash script defining `_ork` and `complete -F _ork ork`.
std::string bash_completion();

}  // namespace ork::host
