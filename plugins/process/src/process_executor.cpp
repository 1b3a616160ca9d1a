#include "process_executor.hpp"

#include "child_process.hpp"
#include "code_identity.hpp"
#include "command.hpp"
#include "task_output.hpp"

#include "ork_executor/duration_text.hpp"

#include <ork/task_environment.hpp>

#include <boost/json.hpp>

#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace ork::plugins::process {
namespace {

std::string_view write_small_input(UniqueFd& stdin_write, std::string_view input);
std::vector<std::string> task_environment(const std::vector<std::string_view>& extra);
void add_input_variable(std::vector<std::string>& environment, std::string_view input_json);
std::optional<std::string> script_problem(const std::string& script, const std::string& workdir);
std::string spawn_failure_message(const SpawnSpec& spec, int error);
std::optional<std::string> directory_problem(const std::string& dir);
void report(const Supervised& end, const TaskOutput& output, std::chrono::milliseconds timeout,
            ork::plugin::TaskSink& sink);
std::string with_stderr_tail(std::string message, const std::string& tail);
std::string signal_description(int signal);
std::string_view variable_name(std::string_view entry);
std::string_view search_path_of(const std::vector<std::string>& environment, const std::string& fallback);
std::string task_search_path(const std::vector<std::string_view>& extra);

}  // namespace

ProcessExecutor::Options ProcessExecutor::Options::from_environment() {
  Options options;
  if (const char* grace = std::getenv("ORK_PROCESS_KILL_GRACE_MS")) {
    std::string_view text(grace);
    long long ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size() || ms < 0) {
      throw std::invalid_argument("ORK_PROCESS_KILL_GRACE_MS must be a whole number of milliseconds (e.g. 2000), "
                                  "got \"" + std::string(text) + "\"");
    }
    options.kill_grace = std::chrono::milliseconds(ms);
  }
  return options;
}

namespace {

// Where the task runs: its `workdir:`; an older host (API < 1.5) does not
// say, and ran every check in the workflow's directory.
std::string_view task_workdir(const ork::plugin::TaskSpec& spec) {
  return spec.workdir.empty() ? spec.workflow_dir : spec.workdir;
}

// The task's `introspect:` key: absent = false; nullopt when not a boolean.
std::optional<bool> introspect_flag(std::string_view config_json) {
  boost::system::error_code ec;
  boost::json::value config = boost::json::parse(config_json, ec);
  if (ec || !config.is_object()) return false;
  const boost::json::value* flag = config.as_object().if_contains("introspect");
  if (!flag) return false;
  if (!flag->is_bool()) return std::nullopt;
  return flag->as_bool();
}

}  // namespace

void ProcessExecutor::check(const ork::plugin::TaskSpec& spec, const ork::plugin::CheckSink& sink) {
  std::variant<Command, CommandProblem> parsed = parse_command(spec.config_json, options_.flavour);
  if (const CommandProblem* problem = std::get_if<CommandProblem>(&parsed)) {
    sink.error(problem->key, problem->message);
    return;
  }
  const Command& command = std::get<Command>(parsed);
  std::optional<bool> introspect = introspect_flag(spec.config_json);
  if (!introspect) {
    sink.error("introspect", "\"introspect\" must be true or false");
    return;
  }
  if (!command.script.empty()) {
    if (std::optional<std::string> problem = script_problem(command.script, std::string(task_workdir(spec)))) {
      sink.error("file", *problem);
      return;
    }
  }
  if (command.via_shell) {
    if (*introspect) {
      sink.error("introspect", "introspect needs the argv form of \"command\" (a list), so ork can append "
                               "--ork-signature to it");
      return;
    }
    report_code_files(spec, command, "", sink);
    return;  // the shell finds its programs when it runs
  }
  const std::string search_path = task_search_path(spec.env);
  if (std::optional<std::string> problem = program_problem(spec, command.program(), search_path)) {
    sink.error(command.key, *problem);
    return;
  }
  if (*introspect) ask_signature(spec, command, sink);
  std::string program = command.program();
  if (!names_a_path(program)) {
    const std::string workdir(task_workdir(spec));
    program = found_programs_
                  .get(spec.check_pass, program + '\0' + workdir + '\0' + search_path,
                       [&] { return find_on_path(program, search_path, workdir); })
                  .value_or(program);
  }
  report_code_files(spec, command, program, sink);
}

// Once per compile for all the tasks with the same command, program and
// directories (code_identities_): each file's canonical path costs a
// readlink per path component.
void ProcessExecutor::report_code_files(const ork::plugin::TaskSpec& spec, const Command& command,
                                        const std::string& program, const ork::plugin::CheckSink& sink) {
  const std::string workdir(task_workdir(spec));
  const std::string key = program + '\0' + workdir + '\0' + std::string(spec.workflow_dir) + '\0' +
                          std::string(spec.config_json);
  CodeIdentity identity = code_identities_.get(spec.check_pass, key, [&] {
    return command_code_identity(command, program, workdir, spec.workflow_dir);
  });
  sink.code_files(identity.files, identity.why_not);
}

// Looked up as the run will: in the task's workdir, on the task's own PATH;
// once per compile for all the tasks that name the same program (lookups_).
std::optional<std::string> ProcessExecutor::program_problem(const ork::plugin::TaskSpec& spec,
                                                            const std::string& program,
                                                            const std::string& search_path) {
  std::string workdir(task_workdir(spec));
  if (names_a_path(program)) {
    return lookups_.problem(spec.check_pass, program + '\0' + workdir,
                            [&] { return explicit_program_problem(program, workdir); });
  }
  return lookups_.problem(spec.check_pass, program + '\0' + workdir + '\0' + search_path,
                          [&]() -> std::optional<std::string> {
                            if (find_on_path(program, search_path, workdir)) return std::nullopt;
                            return "program not found on PATH: " + program + " (PATH=" + search_path +
                                   "); install it, or give its path, e.g. [./bin/" + program + "]";
                          });
}

namespace {

struct SignatureCapture {
  std::string out;
  std::string err;
  ork_task_outcome outcome = ORK_TASK_FAILED;
  std::string error;
};

void capture_log(void* ctx, ork_log_stream stream, ork_str line) {
  auto* capture = static_cast<SignatureCapture*>(ctx);
  std::string& target = stream == ORK_LOG_STDOUT ? capture->out : capture->err;
  target.append(line.ptr, line.len).push_back('\n');
}

void capture_finish(void* ctx, ork_task_outcome outcome, ork_str, ork_str error) {
  auto* capture = static_cast<SignatureCapture*>(ctx);
  capture->outcome = outcome;
  capture->error.assign(error.ptr, error.len);
}

}  // namespace

void ProcessExecutor::ask_signature(const ork::plugin::TaskSpec& spec, const Command& command,
                                    const ork::plugin::CheckSink& sink) {
  boost::json::array argv;
  for (const auto& arg : command.argv) argv.emplace_back(arg);
  argv.emplace_back("--ork-signature");
  const std::string config = boost::json::serialize(boost::json::object{{"command", std::move(argv)}});
  ork::plugin::TaskRequest request;
  request.spec = spec;
  request.spec.config_json = config;
  request.run_id = "introspection";
  request.input_json = "{}";
  request.workdir = task_workdir(spec);
  request.env = spec.env;  // e.g. the PYTHONPATH that finds the SDK
  request.timeout = std::chrono::seconds(10);
  SignatureCapture capture;
  ork_task_sink raw{ORK_STRUCT_SIZE(ork_task_sink), &capture, &capture_log, &capture_finish};
  ork::plugin::TaskSink task_sink(raw);
  run(request, task_sink);
  const std::string shown = command.program() + " --ork-signature";
  if (capture.outcome != ORK_TASK_SUCCEEDED) {
    sink.error("introspect", shown + " failed: " + capture.error);
    return;
  }
  boost::system::error_code ec;
  boost::json::value signature = boost::json::parse(capture.out, ec);
  if (ec || !signature.is_object()) {
    sink.error("introspect", shown + " did not print a signature (a JSON object {\"inputs\": ..., \"output\": ...}); "
                             "is it built with an ork SDK?");
    return;
  }
  sink.signature(boost::json::serialize(signature));
}

void ProcessExecutor::run(const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) {
  std::variant<Command, CommandProblem> parsed = parse_command(request.spec.config_json, options_.flavour);
  if (const CommandProblem* problem = std::get_if<CommandProblem>(&parsed)) {
    sink.fail("cannot run the task: " + problem->message);
    return;
  }
  SpawnSpec spec;
  spec.argv = std::move(std::get<Command>(parsed).argv);
  spec.environment = task_environment(request.env);
  add_input_variable(spec.environment, request.input_json);
  spec.workdir = std::string(request.workdir);

  Pipe stdin_pipe = make_pipe();
  Pipe stdout_pipe = make_pipe();
  Pipe stderr_pipe = make_pipe();
  spec.stdin_fd = stdin_pipe.read_end.get();
  spec.stdout_fd = stdout_pipe.write_end.get();
  spec.stderr_fd = stderr_pipe.write_end.get();
  CancelSignalPool::Lease cancel_signal = cancel_signals_.take();  // outlives the registration
  auto registration = running_.add(request.attempt_token, &*cancel_signal);

  std::string_view input_left = write_small_input(stdin_pipe.write_end, request.input_json);

  std::optional<ChildProcess> child;
  if (std::optional<std::string> problem = start(spec, child)) {
    sink.fail(*problem);
    return;
  }
  // Only the child may hold these, or EOF never comes.
  stdin_pipe.read_end.reset();
  stdout_pipe.write_end.reset();
  stderr_pipe.write_end.reset();
  // The output ends stay blocking: the supervisor reads them only when
  // poll() says they are readable, once per wakeup.
  if (stdin_pipe.write_end) set_nonblocking(stdin_pipe.write_end.get());

  TaskOutput output(sink);
  SupervisionLimits limits{request.timeout, options_.kill_grace, options_.orphan_wait};
  Supervised end = supervise(
      *child,
      ParentEnds{std::move(stdin_pipe.write_end), std::move(stdout_pipe.read_end), std::move(stderr_pipe.read_end)},
      input_left, output, *cancel_signal, limits, sink);
  report(end, output, request.timeout, sink);
}

std::optional<std::string> ProcessExecutor::start(SpawnSpec& spec, std::optional<ChildProcess>& child) {
  std::string where;
  bool remembered = false;
  if (std::optional<std::string> problem = choose_program(spec, where, remembered)) return problem;
  try {
    child.emplace(ChildProcess::spawn(spec));
    return std::nullopt;
  } catch (const SpawnError& e) {
    if (!remembered) return spawn_failure_message(spec, e.code().value());
  }
  // Found there a moment ago, but it cannot start now (removed, replaced):
  // search PATH again, as if nothing had been remembered.
  resolved_.forget(where);
  if (std::optional<std::string> problem = choose_program(spec, where, remembered)) return problem;
  try {
    child.emplace(ChildProcess::spawn(spec));
    return std::nullopt;
  } catch (const SpawnError& e) {
    return spawn_failure_message(spec, e.code().value());
  }
}

// A path is used as written (execve resolves a relative one after the
// chdir into the workdir); a bare name is looked up on the task's own PATH,
// which posix_spawnp would not do, unless resolved_ found it there a moment ago.
std::optional<std::string> ProcessExecutor::choose_program(SpawnSpec& spec, std::string& where, bool& remembered) {
  remembered = false;
  const std::string& name = spec.argv.front();
  if (names_a_path(name)) {
    spec.program = name;
    return std::nullopt;
  }
  static const std::string fallback = default_search_path();
  std::string_view search_path = search_path_of(spec.environment, fallback);
  where.assign(name).append(1, '\0').append(search_path).append(1, '\0').append(spec.workdir);
  if (std::optional<std::string> path = resolved_.find(where)) {
    spec.program = std::move(*path);
    remembered = true;
    return std::nullopt;
  }
  std::optional<std::string> found = find_on_path(name, search_path, spec.workdir);
  if (!found) {
    return "command not found: " + name + " (searched PATH=" + std::string(search_path) +
           "); install it, or give its path, e.g. ./bin/" + name;
  }
  resolved_.remember(where, *found);
  spec.program = std::move(*found);
  return std::nullopt;
}

namespace {

// Writes an input of at most PIPE_BUF bytes (most are: `{"upstream":{}}`)
// into the new, empty stdin pipe before the child exists, and closes the
// write end: it fits at once, and no EPIPE can come while this process holds
// the read end, so the supervisor needs no poll round, no non-blocking write
// end and no SIGPIPE block for it. Returns what is left for the supervisor
// to write: all of a larger input.
std::string_view write_small_input(UniqueFd& stdin_write, std::string_view input) {
  if (input.size() > PIPE_BUF) return input;
  while (!input.empty()) {
    ssize_t written = write(stdin_write.get(), input.data(), input.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return input;  // cannot happen on an empty pipe; the supervisor tries again
    input.remove_prefix(static_cast<std::size_t>(written));
  }
  stdin_write.reset();  // EOF for the child once it has read the input
  return input;
}

// The host's environment without its secrets (ork/task_environment.hpp),
// with the task's variables on top (same name: the task's value wins).
std::vector<std::string> task_environment(const std::vector<std::string_view>& extra) {
  std::vector<std::string> environment;
  environment.reserve(64);
  auto overridden = [&](std::string_view name, std::size_t from) {
    for (std::size_t i = from; i < extra.size(); ++i) {
      if (variable_name(extra[i]) == name) return true;
    }
    return false;
  };
  for (std::string& variable : ork::plugin::inherited_environment()) {
    if (!overridden(variable_name(variable), 0)) environment.push_back(std::move(variable));
  }
  for (std::size_t i = 0; i < extra.size(); ++i) {
    if (!overridden(variable_name(extra[i]), i + 1)) environment.emplace_back(extra[i]);
  }
  return environment;
}

// ORK_INPUT_JSON: the stdin object again, for programs written for the
// upstream ork, which read it from there. Linux refuses to start a program
// with one environment string over 128 KiB (MAX_ARG_STRLEN), so a larger
// input is on stdin only.
void add_input_variable(std::vector<std::string>& environment, std::string_view input_json) {
  constexpr std::size_t max_variable = 128 * 1024 - 1;  // with the "NAME=" and the NUL
  const std::string_view name = "ORK_INPUT_JSON=";
  std::erase_if(environment, [&](const std::string& entry) { return entry.starts_with(name); });
  if (name.size() + input_json.size() > max_variable) return;
  environment.push_back(std::string(name) + std::string(input_json));
}

// A shell task's `file:` is read by /bin/sh, so it needs to exist, not to be executable.
std::optional<std::string> script_problem(const std::string& script, const std::string& workdir) {
  std::string path = script.front() == '/' ? script : workdir + "/" + script;
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return "file not found: " + script + " (relative to " + workdir + ")";
  if (!S_ISREG(info.st_mode)) return script + " (relative to " + workdir + ") is not a regular file";
  return std::nullopt;
}

std::string spawn_failure_message(const SpawnSpec& spec, int error) {
  // The spawn says ENOENT for a missing workdir and a missing program alike; tell them apart.
  if (!spec.workdir.empty()) {
    if (std::optional<std::string> problem = directory_problem(spec.workdir)) {
      return "cannot start the task: its working directory " + spec.workdir + " " + *problem;
    }
  }
  std::string program = spec.program;
  if (program.front() != '/') {
    program += " (relative to " + (spec.workdir.empty() ? std::string("the host's directory") : spec.workdir) + ")";
  }
  switch (error) {
    case ENOENT:
      return "cannot start " + program + ": file not found (or its #! interpreter is missing)";
    case EACCES:
      return "cannot start " + program + ": permission denied; make it executable (chmod +x) or run it through "
                                         "its interpreter";
    case ENOEXEC:
      return "cannot start " + program + ": not an executable format; a script needs a #! line";
    default:
      return "cannot start " + program + ": " + std::strerror(error);
  }
}

std::optional<std::string> directory_problem(const std::string& dir) {
  struct stat info {};
  if (stat(dir.c_str(), &info) != 0) {
    return errno == ENOENT ? "does not exist" : std::string("cannot be read: ") + std::strerror(errno);
  }
  if (!S_ISDIR(info.st_mode)) return "is not a directory";
  if (access(dir.c_str(), X_OK) != 0) return std::string("cannot be entered: ") + std::strerror(errno);
  return std::nullopt;
}

void report(const Supervised& end, const TaskOutput& output, std::chrono::milliseconds timeout,
            ork::plugin::TaskSink& sink) {
  switch (end.ending) {
    case Ending::cancelled:
      sink.finish(ORK_TASK_CANCELLED, {}, with_stderr_tail("cancelled", output.stderr_tail()));
      return;
    case Ending::timed_out:
      sink.finish(ORK_TASK_TIMED_OUT, {},
                  with_stderr_tail("timed out after " + executor::format_duration(timeout), output.stderr_tail()));
      return;
    case Ending::exited: break;
  }
  if (WIFSIGNALED(end.wait_status)) {
    sink.fail(with_stderr_tail("killed by signal " + signal_description(WTERMSIG(end.wait_status)),
                               output.stderr_tail()));
    return;
  }
  if (int code = WEXITSTATUS(end.wait_status); code != 0) {
    sink.fail(with_stderr_tail("exited with code " + std::to_string(code), output.stderr_tail()));
    return;
  }
  std::variant<TaskResult, ResultProblem> result = output.result();
  if (const ResultProblem* problem = std::get_if<ResultProblem>(&result)) {
    sink.fail(problem->message);
    return;
  }
  sink.succeed(std::get<TaskResult>(result).json);
}

std::string with_stderr_tail(std::string message, const std::string& tail) {
  if (tail.empty()) return message;
  return message + "; last lines of stderr:\n" + tail;
}

std::string signal_description(int signal) {
  const char* abbreviation = sigabbrev_np(signal);
  std::string name = abbreviation != nullptr ? "SIG" + std::string(abbreviation) : "signal";
  return name + " (" + std::to_string(signal) + ")";
}

std::string_view variable_name(std::string_view entry) { return entry.substr(0, entry.find('=')); }

std::string_view search_path_of(const std::vector<std::string>& environment, const std::string& fallback) {
  for (const std::string& entry : environment) {
    if (entry.starts_with("PATH=")) return std::string_view(entry).substr(5);
  }
  return fallback;
}

// The PATH that task_environment(extra) would hold, without copying the
// whole environment for it (a compile asks once per task): the task's own
// last PATH=, else the host's (never one of its secrets), else the default.
std::string task_search_path(const std::vector<std::string_view>& extra) {
  for (auto entry = extra.rbegin(); entry != extra.rend(); ++entry) {
    if (entry->starts_with("PATH=")) return std::string(entry->substr(5));
  }
  if (const char* inherited = std::getenv("PATH")) return inherited;
  return default_search_path();
}

}  // namespace
}  // namespace ork::plugins::process
