// Running the toolchain's programs (rustc --version, cargo build, the
// introspection helper) to completion and capturing what they print. Uses
// the executor plugins' checked posix_spawn recipe, so a child starts with
// default signal dispositions and no inherited descriptors besides its pipes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ork::plugins::rust {

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

struct Command {
  std::string program;             // absolute path (no PATH search)
  std::vector<std::string> argv;   // argv[0] included
  std::vector<std::string> env;    // the child's whole environment
  std::optional<std::string> workdir;
};

// Runs the command and waits for it. Throws std::runtime_error naming the
// program when it cannot be started.
CommandResult run_command(const Command& command);

// This process's environment as "KEY=VALUE" entries, with `extra` entries
// replacing those of the same key.
std::vector<std::string> environment_with(const std::vector<std::string>& extra);

}  // namespace ork::plugins::rust
