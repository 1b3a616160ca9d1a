// The `process` executor: runs any program as a task. The program gets the
// task's inputs as one JSON object on stdin, logs through stdout/stderr, and
// reports its result as one stdout line `ORK_OUTPUT:<json>` (protocol in
// docs/executors/process.md). plugin.cpp exports this class as the plugin;
// the tests also use it directly.
#pragma once

#include "code_identity.hpp"
#include "child_process.hpp"
#include "command.hpp"
#include "program_lookups.hpp"

#include "supervisor.hpp"

#include <ork/plugin.hpp>

#include "ork_executor/attempt_registry.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ork::plugins::process {

class ProcessExecutor : public ork::plugin::Executor {
 public:
  // `introspect: true` marks a program built with an ork SDK: at compile time
  // it is run as `<command> --ork-signature` and prints its signature.
  // `file:` names the program instead of `command:` (the upstream ork's form).
  static constexpr const char* task_keys[] = {"command", "file", "introspect", nullptr};
  static constexpr std::uint32_t capabilities = ORK_EXECUTOR_INTROSPECTS;

  struct Options {
    std::chrono::milliseconds kill_grace{5000};  // SIGTERM -> SIGKILL on timeout/cancel
    std::chrono::milliseconds orphan_wait{500};  // see SupervisionLimits
    Flavour flavour = Flavour::process;          // `shell`: see ShellExecutor
    // How long a bare program name found on PATH is taken from there
    // without searching again (ResolvedPrograms); 0: search for every attempt.
    std::chrono::milliseconds program_freshness{1000};

    // Defaults, with ORK_PROCESS_KILL_GRACE_MS applied. Throws
    // std::invalid_argument when it is not a whole number.
    static Options from_environment();
  };

  ProcessExecutor() : ProcessExecutor(Options::from_environment()) {}
  explicit ProcessExecutor(Options options) : options_(options), resolved_(options.program_freshness) {}

  void check(const ork::plugin::TaskSpec& spec, const ork::plugin::CheckSink& sink) override;
  // Runs `argv --ork-signature` as the task would run (its workdir and env) and reports what it printed.
  void ask_signature(const ork::plugin::TaskSpec& spec, const Command& command, const ork::plugin::CheckSink& sink);
  void run(const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) override;
  void cancel(std::uint64_t attempt_token) override {
    running_.cancel(attempt_token, [](CancelSignal& signal) { signal.raise(); });
  }

 private:
  // Sets spec.program to what the attempt runs (nullopt), or says why
  // nothing can run. A bare name found in resolved_ sets `remembered`;
  // `where` is its key there.
  std::optional<std::string> choose_program(SpawnSpec& spec, std::string& where, bool& remembered);
  // Starts spec's program into `child`, or says why it cannot start.
  std::optional<std::string> start(SpawnSpec& spec, std::optional<ChildProcess>& child);
  // Why the task's program cannot be started (nullopt: it can).
  std::optional<std::string> program_problem(const ork::plugin::TaskSpec& spec, const std::string& program,
                                             const std::string& search_path);
  // The task's code identity for `cache:` (code_identity.hpp); `program` is
  // the resolved program, "" for a shell line.
  void report_code_files(const ork::plugin::TaskSpec& spec, const Command& command, const std::string& program,
                         const ork::plugin::CheckSink& sink);

  Options options_;
  CancelSignalPool cancel_signals_;
  executor::AttemptRegistry<CancelSignal> running_;  // attempt token -> the run's cancel signal
  ProgramLookups lookups_;                           // the programs the current compile looked for
  CompileMemo<std::optional<std::string>> found_programs_;  // and where it found them on PATH
  CompileMemo<CodeIdentity> code_identities_;               // and the code identities of its commands
  ResolvedPrograms resolved_;                        // where bare names were found at run time
};

// `executor: shell`, the upstream ork's name for a process task run through
// the shell: the same executor, with `file:` a script /bin/sh reads (a
// `command:` string is run by /bin/sh -c in both). A plugin of its own
// (shell_plugin.cpp), since a plugin names one executor.
class ShellExecutor final : public ProcessExecutor {
 public:
  ShellExecutor() : ProcessExecutor(shell_options()) {}

 private:
  static Options shell_options() {
    Options options = Options::from_environment();
    options.flavour = Flavour::shell;
    return options;
  }
};

}  // namespace ork::plugins::process
