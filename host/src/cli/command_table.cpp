#include "cli/command_table.hpp"


namespace ork::host {

namespace {

std::vector<CommandSpec> build_table();
std::vector<FlagSpec> build_global_flags();

// Flags shared by several commands, spelled once (defined below the table).
FlagSpec json_flag(const std::string& help);
FlagSpec input_flag();
FlagSpec idempotency_flag();
FlagSpec concurrency_flag();
FlagSpec workers_only_flag();
FlagSpec no_cache_flag();
FlagSpec server_flag();
FlagSpec token_file_flag(const std::string& what);
FlagSpec ca_file_flag();

}  // namespace

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = build_table();
  return table;
}

const std::vector<FlagSpec>& global_flags() {
  static const std::vector<FlagSpec> flags = build_global_flags();
  return flags;
}

std::string CommandSpec::synopsis() const {
  std::string s = "ork " + name;
  if (!operands.empty()) s += " " + operands;
  for (const FlagSpec& f : flags) {
    if (f.hidden) continue;
    std::string shown = f.short_name.empty() ? f.name : f.short_name + "|" + f.name;
    if (f.takes_value()) shown += " " + f.value_name;
    s += " [" + shown + "]" + (f.repeatable ? "..." : "");
  }
  return s;
}

const CommandSpec* find_command(std::string_view name) {
  for (const CommandSpec& c : command_table()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const FlagSpec* find_flag(const CommandSpec* command, std::string_view name) {
  auto matches = [&](const FlagSpec& f) { return f.name == name || (!f.short_name.empty() && f.short_name == name); };
  if (command) {
    for (const FlagSpec& f : command->flags) {
      if (matches(f)) return &f;
    }
  }
  for (const FlagSpec& f : global_flags()) {
    if (matches(f)) return &f;
  }
  return nullptr;
}

std::string canonical_flag_name(std::string_view name) {
  if (name.starts_with("--")) return std::string(name);
  for (const CommandSpec& c : command_table()) {
    if (const FlagSpec* f = find_flag(&c, name)) return f->name;
  }
  return std::string(name);
}

namespace {

std::vector<CommandSpec> build_table() {
  return {
      {"run", "FILE", "compile, record and execute a workflow",
       "Compiles the workflow FILE (see ork validate); if it is refused, prints every error as file:line:col: "
       "message and exits 2 without recording anything. Otherwise records the workflow version (content-hashed: "
       "an unchanged file is the same version) and a new run, then executes it: every task whose upstream tasks "
       "succeeded starts, up to --concurrency at once. A failed task makes its downstream tasks skipped; "
       "independent branches keep running. Each state change is recorded before the next step depends on it.\n\n"
       "Progress is one line per task event, then a summary line with the run id. With --json, one object "
       "describing the run is printed when it ends and progress goes to stderr.\n\n"
       "Ctrl-C (SIGINT) or SIGTERM cancels the run: running tasks are stopped, the rest are marked cancelled, "
       "and ork exits 130. A run that outlives its time limit (--timeout, else the workflow's timeout:) is "
       "cancelled the same way, with the reason recorded as the run's error, and ork exits 1.",
       {input_flag(), json_flag("print the finished run as JSON on stdout (progress goes to stderr)"), concurrency_flag(),
        idempotency_flag(), workers_only_flag(),
        {"--timeout", "", "D",
         "cancel the run when it has run longer than D (500ms, 30s, 10m, 2h, 1d); overrides the workflow's timeout:"},
        no_cache_flag()}},
      {"resume", "RUN", "continue a run whose process died",
       "Continues a run whose owner process died (kill -9, a crash, a reboot). Tasks recorded succeeded keep "
       "their outputs and never run again; attempts that were running when the owner died are closed, keep the "
       "log lines they printed, and run again as a new attempt that does not count against retries.\n\n"
       "A run is resumed only when its owner's lease expired or its owner was a process on this host that no "
       "longer exists; resuming a run whose owner is alive, or one that already ended, is refused (exit 2).",
       {json_flag("print the finished run as JSON on stdout (progress goes to stderr)"), concurrency_flag(),
        no_cache_flag()}},
      {"rerun", "RUN", "run a finished run again, or only what failed",
       "Starts a new run of the workflow version RUN recorded, with RUN's inputs, and executes it in the "
       "foreground like `ork run` (the new run's trigger is rerun:RUN). The current file is not read: the new "
       "run does what RUN did, even if the file changed since.\n\n"
       "With --from-failure, tasks that succeeded in RUN are not executed again: the new run records them as "
       "succeeded with RUN's outputs (attempt 0, trigger rerun-from-failure:RUN, and a system log line naming "
       "RUN), and runs the failed, skipped and cancelled tasks. Re-running a run that has not finished, or "
       "--from-failure of a run that succeeded, is refused (exit 2).",
       {{"--from-failure", "", "", "reuse the outputs of the tasks that succeeded in RUN; run only the rest"},
        json_flag("print the finished run as JSON on stdout (progress goes to stderr)"), concurrency_flag(),
        workers_only_flag()}},
      {"validate", "FILE", "compile and type-check only; print the typed DAG",
       "Compiles and type-checks the workflow FILE; records nothing. Prints each task with its executor, its "
       "upstream tasks and its typed signature; tasks with no known signature are flagged (their edges are not "
       "type-checked). Exits 0 when the workflow is valid, 2 when it is refused.",
       {json_flag("print the typed DAG (or the errors) as JSON")}},
      {"graph", "FILE", "draw the DAG as Graphviz dot, SVG or PNG",
       "Prints the DAG of the workflow FILE: each node shows the task's executor and signature. dot is Graphviz "
       "source text; svg and png are rendered by ork itself through the Graphviz library and written to stdout "
       "(redirect it to a file).",
       {{"--format", "", "dot|svg|png", "the output format: dot (the default), svg or png", false, {"dot", "svg", "png"}}}},
      {"runs", "", "list runs, newest first",
       "Lists recorded runs, newest first, with their workflow, status, trigger and times (at most 20 unless "
       "--limit says otherwise).",
       {{"--workflow", "", "NAME", "only runs of the workflow NAME"},
        {"--status", "", "STATUS", "only runs with this status: running, succeeded, failed or cancelled", false,
         {"running", "succeeded", "failed", "cancelled"}},
        {"--limit", "", "N", "list at most N runs (default 20)"},
        json_flag("print the runs as JSON")}},
      {"tasks", "RUN", "a run's tasks with status, attempts, output, error",
       "Shows the tasks of RUN (a unique prefix of a run id is enough): status, attempts, duration, and the "
       "output or the error. --gantt draws a text timeline of the run's task attempts instead.",
       {json_flag("print the run as JSON (the same object as ork run --json)"),
        {"--gantt", "", "", "print a text timeline of the run's task attempts, one row per task"}}},
      {"logs", "RUN [TASK]", "a run's log lines",
       "Prints the recorded log lines of RUN (all tasks, each line prefixed with its task) or of one TASK, in "
       "order. stderr lines are shown with a \"! \" prefix, executor notes with \"# \". Lines are live: what a "
       "task prints is stored within about 100 ms, so it can be read while the task still runs.",
       {{"--attempt", "", "N", "only the lines of attempt N (e.g. the one interrupted by a crash)"},
        {"--follow", "-f", "", "keep printing new lines until the run ends"}}},
      {"plugins", "", "loaded and refused plugins",
       "Lists the loaded plugins (name, version, the plugin API level they need, capabilities, file) and every "
       "refused plugin with the reason it was refused.",
       {json_flag("print the plugins as JSON")}},
      {"worker", "", "run task attempts queued in a shared store",
       "Claims task attempts from the store's queue (PostgreSQL, or one SQLite file shared by the processes of "
       "one machine) and runs them with this machine's executor plugins. It renews a lease on what it runs; "
       "SIGTERM or Ctrl-C lets it finish what it holds and exit 0. Runs whose attempts go to workers are "
       "scheduled by ork run --workers-only or ork serve --workers-only.",
       {{"--executors", "", "LIST", "comma-separated executors to run (default: every loaded executor)"},
        {"--slots", "", "N", "run at most N attempts at once (default: the number of cores)"},
        {"--name", "", "NAME", "the name it is listed under in ork workers (default: host:pid)"}}},
      {"workers", "", "workers sharing the store, with their last heartbeat",
       "Lists the workers that reported to the store: whether they are alive (lease current), their last "
       "heartbeat, the attempts they hold, their executors and slots.",
       {json_flag("print the workers as JSON")}},
      {"serve", "", "HTTP API, web UI and cron schedules",
       "One long-running process: registers every workflow file of the workflows directory, recompiles a file "
       "when it changes, runs triggered runs and cron schedules, serves the HTTP API under /api/ and the web UI "
       "at /, and resumes orphaned runs when it starts. A non-loopback bind needs an API token. Requests whose "
       "Host is not the bound address or a loopback name are refused unless --allowed-host admits it.",
       {{"--bind", "", "HOST:PORT", "address to listen on (default 127.0.0.1:4000)"},
        {"--workflows", "", "DIR",
         "the workflow files to serve (default: ./workflows if present, else the current directory's *.yaml)"},
        token_file_flag("that requests must carry"),
        {"--allowed-host", "", "NAME", "also accept requests whose Host header is NAME (e.g. a reverse proxy's)",
         true},
        workers_only_flag(), {"--concurrency", "", "N", "run at most N tasks of each run at once (default 4)"}}},
      {"trigger", "NAME", "start a run on a running ork serve (else run it here)",
       "Starts a run of the workflow NAME through a running ork serve. When no server answers, runs the "
       "workflow here like ork run. An https:// server's certificate is verified before anything is sent; a "
       "server that fails the check is refused with exit 2.",
       {input_flag(), server_flag(), token_file_flag("to send"), ca_file_flag(), json_flag("print the started run as JSON"),
        idempotency_flag()}},
      {"cancel", "RUN", "cancel a run (through ork serve when it answers)",
       "Cancels RUN through a running ork serve. When no server answers, asks the run's owner through the store "
       "(it notices within its next lease renewal), or marks the run cancelled when its owner is gone.",
       {server_flag(), token_file_flag("to send"), ca_file_flag()}},
      {"init", "[DIR]", "create a ready-to-run project",
       "Creates a project in DIR (default: the current directory): a workflow with typed tasks, the task files, "
       "a .gitignore that ignores .ork/ and a README saying how to validate, run and serve it. ork run on the "
       "new workflow then succeeds with no other step. Existing files are never overwritten unless --force is "
       "given; the ones in the way are listed.",
       {{"--template", "", "python|polyglot|process",
         "the project template: python (the default: typed Python functions), polyglot or process", false,
         {"python", "polyglot", "process"}},
        {"--force", "", "", "overwrite files that already exist"}}},
      {"cache", "clear [WORKFLOW]", "forget the outputs kept for tasks with cache:",
       "Deletes the task cache's entries of the workflow WORKFLOW, or of every workflow without it, from the "
       "store: the next run of a task with cache: runs it again (and stores its new output). Runs and their "
       "recorded outputs are not touched. Prints how many entries it removed.",
       {json_flag("print {\"removed\": N, \"workflow\": NAME|null}")}},
      {"help", "[COMMAND]", "show the help of ork or of one command",
       "Without COMMAND, lists the commands; with one, shows its synopsis, description and flags (the same as "
       "ork COMMAND --help).",
       {}},
  };
}

std::vector<FlagSpec> build_global_flags() {
  return {
      {"--plugin-dir", "", "DIR",
       "load plugins from DIR (default: the plugins installed beside ork; $ORK_PLUGIN_PATH is searched too)",
       true},
      {"--db", "", "URL", "the state store (default: $ORK_DATABASE_URL, else .ork/ork.db)"},
      {"--verbose", "-v", "", "print plugin diagnostics"},
      {"--help", "-h", "", "show help and exit"},
      {"--version", "", "", "print the version, the git commit it was built from and the plugin API level, then exit"},
      {"--man-page", "", "", "print the man page of ork, or of the command given, in roff", false, {}, true},
      {"--bash-completion", "", "", "print the bash completion script", false, {}, true},
      {"--list-commands", "", "", "print the command names, one a line", false, {}, true},
  };
}

FlagSpec json_flag(const std::string& help) { return {"--json", "", "", help}; }
FlagSpec no_cache_flag() {
  return {"--no-cache", "", "",
          "run every task with cache: instead of reusing a cached output; their new outputs are still cached"};
}
FlagSpec input_flag() {
  return {"--input", "", "K=V",
          "set the workflow input K; V is read as JSON when it parses (5, true, [1,2]), else as a string "
          "(always the text for a str input)",
          true};
}
FlagSpec idempotency_flag() {
  return {"--idempotency-key", "", "KEY",
          "when a run of this workflow with KEY exists, start none and report that run"};
}
FlagSpec concurrency_flag() {
  return {"--concurrency", "", "N", "run at most N tasks at once (default: the number of cores)"};
}
FlagSpec workers_only_flag() {
  return {"--workers-only", "", "",
          "queue every task attempt for `ork worker` processes instead of running it here (needs a store with a "
          "worker queue)"};
}
FlagSpec server_flag() {
  return {"--server", "", "URL", "the ork serve to talk to (default: $ORK_SERVER, else http://127.0.0.1:4000)"};
}
FlagSpec token_file_flag(const std::string& what) {
  return {"--token-file", "", "FILE", "read the API token " + what + " from FILE (default: $ORK_API_TOKEN)"};
}
FlagSpec ca_file_flag() {
  return {"--ca-file", "", "FILE",
          "also trust the CA certificates in FILE (PEM, or a c_rehash'ed directory) for an https:// server "
          "(default: $ORK_CA_FILE)"};
}

}  // namespace

}  // namespace ork::host
