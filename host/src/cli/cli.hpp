// The `ork` command line: dispatches a sub-command to its implementation.
// Each command lives in its own file (run_command.cpp, validate_command.cpp,
// history_commands.cpp, plugins_command.cpp) and shares the context below.
#pragma once

#include "cli/arguments.hpp"
#include "loader/plugin_loader.hpp"
#include "loader/registry.hpp"
#include "store/store.hpp"
#include "workflow/compiler.hpp"

#include <memory>
#include <string>
#include <vector>

namespace ork::host {

// Exit codes (docs/cli.md).
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_invalid = 2;
inline constexpr int exit_interrupted = 130;

int run_cli(int argc, char** argv);

// What every command gets: its parsed command line and the loaded plugins.
struct CliContext {
  CommandLine cl;
  PluginSet plugins;
  std::vector<RefusedPlugin> refused;
  std::unique_ptr<PluginRegistry> registry;

  Store open_store() const;
  // Compiles the workflow file given as the first positional argument;
  // prints diagnostics and returns nullopt when it is refused.
  std::optional<CompiledWorkflow> compile_or_report() const;
};

int run_command(CliContext& ctx);
int resume_command(CliContext& ctx);
int rerun_command(CliContext& ctx);
int validate_command(CliContext& ctx);
int graph_command(CliContext& ctx);
int runs_command(CliContext& ctx);
int tasks_command(CliContext& ctx);
int logs_command(CliContext& ctx);
int plugins_command(CliContext& ctx);
int worker_command(CliContext& ctx);
int workers_command(CliContext& ctx);
int serve_command(CliContext& ctx);    // serve_command.cpp
int trigger_command(CliContext& ctx);  // control_commands.cpp
int cancel_command(CliContext& ctx);   // control_commands.cpp
int init_command(CliContext& ctx);     // init_command.cpp
int cache_command(CliContext& ctx);    // cache_command.cpp

}  // namespace ork::host
