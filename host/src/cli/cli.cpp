#include "cli/cli.hpp"

#include "cli/help_text.hpp"
#include "cli/build_info.hpp"
#include "cli/run_support.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

#include <iostream>

namespace ork::host {

namespace {

std::optional<int> answer_about_the_command_line(const CommandLine& cl);
void warn_refused(const RefusedPlugin& refused);

int dispatch(CliContext& ctx) {
  const std::string& c = ctx.cl.command;
  if (c == "run") return run_command(ctx);
  if (c == "resume") return resume_command(ctx);
  if (c == "rerun") return rerun_command(ctx);
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
  if (c == "cache") return cache_command(ctx);
  // In the command table (so the parser accepted it) but not built into this ork.
  throw Error(ErrorKind::usage, "`ork " + c + "` is not available in this build of ork (see `ork --help`)");
}

// Commands that execute tasks handle SIGINT/SIGTERM themselves (cancelling
// cleanly); their signals must be blocked before any plugin starts a thread.
bool runs_tasks(const std::string& command) {
  return command == "run" || command == "resume" || command == "rerun" || command == "serve" || command == "trigger" ||
         command == "worker";
}

void load_plugins(CliContext& ctx) {
  std::vector<std::filesystem::path> dirs;
  for (const auto& d : ctx.cl.values("--plugin-dir")) dirs.emplace_back(d);
  // `ork plugins` shows every plugin; other commands load a storage plugin
  // when a store URL needs it (docs/plugins.md, "When plugins load").
  bool listing = ctx.cl.command == "plugins";
  ctx.plugins = PluginSet::load(plugin_search_path(dirs),
                                listing ? StorageLoading::at_start : StorageLoading::when_a_store_opens);
  ctx.refused = ctx.plugins.refused();
  ctx.registry = std::make_unique<PluginRegistry>(ctx.plugins, ctx.refused);
  // Language builds live beside the store (docs/plugins.md, "Languages").
  ctx.registry->set_build_root(build_root_for(database_url(ctx.cl.value("--db"))));
  if (!listing) {
    for (const auto& r : ctx.refused) warn_refused(r);
    ctx.registry->on_late_refusal(&warn_refused);
  }
}

void warn_refused(const RefusedPlugin& refused) { std::cerr << "ork: warning: " << refused.to_string() << '\n'; }

// --version, the help, and the build's hidden flags (man pages, completion,
// the command list) answer without loading any plugin; nullopt otherwise.
std::optional<int> answer_about_the_command_line(const CommandLine& cl) {
  const CommandSpec* command = find_command(cl.command);
  if (cl.has("--version")) {
    std::cout << "ork " << ORK_VERSION << " (commit " << build_commit() << ", plugin API " << ORK_PLUGIN_API_MAJOR
              << "." << ORK_PLUGIN_API_MINOR << ")\n";
    return exit_ok;
  }
  if (cl.has("--man-page")) {
    std::cout << man_page(command);
    return exit_ok;
  }
  if (cl.has("--bash-completion")) {
    std::cout << bash_completion();
    return exit_ok;
  }
  if (cl.has("--list-commands")) {
    for (const CommandSpec& c : command_table()) std::cout << c.name << '\n';
    return exit_ok;
  }
  if (cl.command == "help" && !cl.positional.empty()) {
    const CommandSpec* about = find_command(cl.positional[0]);
    if (!about) parse_command_line({cl.positional[0]});  // throws "unknown command …; did you mean …"
    std::cout << command_help(*about);
    return exit_ok;
  }
  if (command && cl.has("--help")) {
    std::cout << command_help(*command);
    return exit_ok;
  }
  if (cl.command.empty() || cl.command == "help" || cl.has("--help")) {
    std::cout << overview_help();
    // `ork` alone is a usage error: it names no command.
    return cl.command.empty() && !cl.has("--help") ? exit_invalid : exit_ok;
  }
  return std::nullopt;
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  CliContext ctx;
  try {
    ctx.cl = parse_command_line(args);
    if (std::optional<int> code = answer_about_the_command_line(ctx.cl)) return *code;
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
  if (result.workflow) {
    registry->keep_signatures();
    return std::move(result.workflow);
  }
  {
    for (const auto& d : result.errors) std::cerr << d.to_string() << '\n';
    std::cerr << "ork: workflow refused (" << result.errors.size() << (result.errors.size() == 1 ? " error" : " errors")
              << "); nothing was run or recorded\n";
  }
  return std::nullopt;
}

}  // namespace ork::host
