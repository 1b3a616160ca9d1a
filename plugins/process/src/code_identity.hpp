// A process task's code identity for the host's `cache:` keys
// (ork_check_sink.code_files): the files inside the workflow directory that
// its command runs or reads — the program itself when it lives there, a
// `file:` script, and every argument naming an existing file there
// (`[python3, clean.py]` is clean.py). A program outside the workflow
// directory with no such argument (`/usr/bin/curl URL`) has none: ork
// cannot tell when it changes. Used by ProcessExecutor::check and its tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"

namespace ork::plugins::process {

struct CodeIdentity {
  std::vector<std::string> files;  // absolute, normalised
  std::string why_not;             // when `files` is empty
};

// `program` is the resolved path of the command's program ("" for the shell
// form); relative arguments are taken relative to `workdir`, as the run does.
CodeIdentity command_code_identity(const Command& command, const std::string& program, std::string_view workdir,
                                   std::string_view workflow_dir);

}  // namespace ork::plugins::process
