#include "cli/cli.hpp"

#include "cli/build_info.hpp"
#include "cli/run_support.hpp"
#include "core/error.hpp"

#include <iostream>

namespace ork::host {

namespace {

constexpr const char* usage_text = R"(ork — a typed, polyglot workflow orchestrator

Usage: ork [--plugin-dir DIR]... [--db URL] [-v] COMMAND [ARGS]

Commands:
  run FILE [--input k=v]... [--json] [--concurrency N] [--workers-only]
                                                          compile, record and execute a workflow
  validate FILE [--json]                                  compile and type-check only; print the typed DAG
  graph FILE [--format dot]                               print the DAG in Graphviz dot
  runs [--workflow NAME] [--status S] [--limit N] [--json]   list runs, newest first
  tasks RUN [--json]                                      a run's tasks with status, attempts, output, error
  resume RUN                                              continue a run whose process died
  logs RUN [TASK] [--attempt N] [-f]                      a run's log lines (-f: follow until the run ends)
  plugins [--json]                                        loaded and refused plugins
  worker [--executors a,b] [--slots N] [--name W]         run task attempts queued in a shared store
  workers [--json]                                        workers sharing the store, with their last heartbeat
  serve [--bind HOST:PORT] [--workflows DIR] [--token-file F] [--allowed-host NAME]... [--workers-only]
                                                          HTTP API, web UI and cron schedules
  trigger NAME [--input k=v]... [--server URL] [--ca-file F] [--json]
                                                          start a run on a running ork serve (else run it here)
  cancel RUN [--server URL] [--ca-file F]                 cancel a run (through ork serve when it answers)
  init [DIR] [--template python|polyglot|process] [--force]   create a ready-to-run project

Global options:
  --plugin-dir DIR   load plugins from DIR (repeatable; default: the plugins installed beside ork)
  --db URL           state store (default: $ORK_DATABASE_URL, else .ork/ork.db)
  -v, --verbose      plugin diagnostics

Exit codes: 0 succeeded, 1 a run failed, 2 invalid workflow or usage, 130 interrupted.
)";

int dispatch(CliContext& ctx) {
  const std::string& c = ctx.cl.command;
  if (c == "run") return run_command(ctx);
  if (c == "resume") return resume_command(ctx);
  if (c == "validate") return validate_command(ctx);
  if (c == "graph") return graph_command(ctx);
  if (c == "runs") return runs_command(ctx);
  if (c == "tasks") return tasks_command(ctx);
  if (c == "logs") return logs_command(ctx);
  if (c == "plugins") return plugins_command(ctx);
  if (c == "worker") return worker_command(ctx);
  if (c == "workers") return workers_command(ctx);
  if (c == "serve") return serve_command(ctx);
  if (c == "trigger") return trigger_command(ctx);
  if (c == "cancel") return cancel_command(ctx);
  if (c == "init") return init_command(ctx);
  throw Error(ErrorKind::usage, "unknown command '" + c + "' (see `ork --help`)");
}

// Commands that execute tasks handle SIGINT/SIGTERM themselves (cancelling
// cleanly); their signals must be blocked before any plugin starts a thread.
bool runs_tasks(const std::string& command) {
  return command == "run" || command == "resume" || command == "serve" || command == "trigger" ||
         command == "worker";
}

void load_plugins(CliContext& ctx) {
  std::vector<std::filesystem::path> dirs;
  for (const auto& d : ctx.cl.values("--plugin-dir")) dirs.emplace_back(d);
  ctx.plugins = PluginSet::load(plugin_search_path(dirs));
  ctx.refused = ctx.plugins.refused();
  ctx.registry = std::make_unique<PluginRegistry>(ctx.plugins, ctx.refused);
  if (ctx.cl.command != "plugins") {
    for (const auto& r : ctx.refused) std::cerr << "ork: warning: " << r.to_string() << '\n';
  }
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  CliContext ctx;
  try {
    ctx.cl = parse_command_line(args);
    if (ctx.cl.has("--version")) {
      std::cout << "ork " << ORK_VERSION << " (commit " << build_commit() << ", plugin API " << ORK_PLUGIN_API_MAJOR << "." << ORK_PLUGIN_API_MINOR
                << ")\n";
      return exit_ok;
    }
    if (ctx.cl.command.empty() || ctx.cl.has("--help") || ctx.cl.has("-h") || ctx.cl.command == "help") {
      std::cout << usage_text;
      return ctx.cl.command.empty() && !ctx.cl.has("--help") && !ctx.cl.has("-h") ? exit_invalid : exit_ok;
    }
    set_plugin_diagnostics_verbose(ctx.cl.has("-v") || ctx.cl.has("--verbose"));
    if (runs_tasks(ctx.cl.command)) block_interrupt_signals();
    load_plugins(ctx);
    return dispatch(ctx);
  } catch (const Error& e) {
    std::cerr << "ork: " << e.what() << '\n';
    switch (e.kind()) {
      case ErrorKind::usage:
      case ErrorKind::invalid_workflow:
      case ErrorKind::not_found:
        return exit_invalid;
      default:
        return exit_failed;
    }
  } catch (const std::exception& e) {
    std::cerr << "ork: internal error: " << e.what() << '\n';
    return exit_failed;
  }
}

Store CliContext::open_store() const { return Store::open(*registry, database_url(cl.value("--db"))); }

std::optional<CompiledWorkflow> CliContext::compile_or_report() const {
  if (cl.positional.empty()) throw Error(ErrorKind::usage, "`ork " + cl.command + "` needs a workflow FILE");
  CompileResult result = compile_workflow(cl.positional[0], *registry);
  if (result.workflow) return std::move(result.workflow);
  {
    for (const auto& d : result.errors) std::cerr << d.to_string() << '\n';
    std::cerr << "ork: workflow refused (" << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors")
              << "); nothing was run or recorded\n";
  }
  return std::nullopt;
}

}  // namespace ork::host
