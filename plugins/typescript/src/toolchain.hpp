// What the typescript plugin needs from the machine: the `node` executable
// (Debian's nodejs; $ORK_NODE overrides the PATH search) and its version, and
// the plugin's own toolchain directory (lib/ork/typescript beside
// lib/ork/plugins, or $ORK_TYPESCRIPT_DIR) holding the pinned TypeScript
// compiler and the two runtime scripts. Also the one helper that runs a short
// command and collects its output, used for `node --version` and the compile
// script.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ork::plugins::typescript {

struct Toolchain {
  std::optional<std::filesystem::path> node;  // nullopt: not found
  std::string node_version;                   // "20.20.2"; empty when not found
  std::filesystem::path dir;                  // lib/ork/typescript
  std::string typescript_version;             // from dir/node_modules/typescript/package.json
  std::string problem;                        // why the toolchain cannot be used; empty when it can

  std::filesystem::path compile_script() const { return dir / "ork_ts_compile.js"; }
  std::filesystem::path worker_script() const { return dir / "ork_node_worker.js"; }
};

// Looks for node and the toolchain directory; never throws (a missing piece
// is described in `problem`).
Toolchain discover_toolchain();

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or not started
  bool timed_out = false;
  std::string out;
  std::string err;
  std::string start_error;  // posix_spawn's failure, when it did not start
};

// Runs `argv` (argv[0] is a path) with stdin from /dev/null, collecting
// stdout and stderr; kills its process group after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace ork::plugins::typescript
