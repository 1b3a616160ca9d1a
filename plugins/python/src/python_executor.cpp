// The `python` plugin: the language "python" (.py files; plugin API 1.7) and
// the executor "python" in one descriptor. At compile time the host calls the
// language's introspect (the function's signature, read by a worker) and
// prepare (nothing to build: the config is the task's keys), for
// `executor: python` tasks and `{file: x.py, function: f}` tasks alike; the
// executor runs plain, typed Python functions in warm ork-python-worker
// processes.
// This shared object does not link libpython (the host stays free of an
// interpreter); it finds the worker executable next to its plugins directory
// (<plugins dir>/../ork-python-worker, or $ORK_PYTHON_WORKER) and talks to it
// over a socket. See docs/executors/python.md for the user's view.
#include <ork/plugin.hpp>

#include <dlfcn.h>

#include <boost/json.hpp>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "ork_executor/attempt_registry.hpp"
#include "ork_executor/duration_text.hpp"
#include "ork_executor/file_stamp.hpp"
#include "python_environment.hpp"
#include "task_config.hpp"
#include "worker_pool.hpp"
#include "worker_process.hpp"

namespace ork::plugins::python {

namespace {

namespace plugin = ork::plugin;

constexpr auto kIntrospectionTimeout = std::chrono::seconds(60);
constexpr auto kLogDrainTimeout = std::chrono::seconds(2);

std::filesystem::path locate_worker_executable();

// A cached signature is valid while its files keep their stamps.
using executor::FileStamp;
using executor::stamp_of;

// What introspection found out about one task function: its signature and
// the files of its code (its module and the workflow-directory modules it
// imports), for the host's `cache:` keys.
struct Introspection {
  std::string signature_json;
  std::vector<std::string> code_files;
};

// Introspections by (launch, target, function), so that compiling a workflow
// of 200 tasks from one file asks a worker once per function. An entry is
// valid while its source file and every one of its code files keep their
// stamps (an edited helper may import another module now).
class SignatureCache {
 public:
  std::optional<Introspection> find(const std::string& key);
  void store(const std::string& key, Introspection found, const std::filesystem::path& source);

 private:
  struct Entry {
    Introspection found;
    std::vector<std::pair<std::filesystem::path, FileStamp>> stamps;  // the source, then the code files
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace

class PythonExecutor final : public plugin::Language, public plugin::Executor {
 public:
  // The language: `{file: x.py, function: f}` tasks may also name a venv.
  static constexpr const char* extensions[] = {".py", nullptr};
  static constexpr const char* task_keys[] = {"python", nullptr};
  static constexpr const char* executors[] = {"python", nullptr};
  // The executor: `executor: python` tasks.
  static constexpr const char* executor_name = "python";
  static constexpr const char* executor_task_keys[] = {"file", "module", "function", "python", nullptr};
  static constexpr std::uint32_t capabilities = ORK_EXECUTOR_INTROSPECTS;

  PythonExecutor();
  std::string describe() override;
  void introspect(const plugin::LanguageTask& task, const plugin::CheckSink& sink) override;
  std::optional<std::string> prepare(const plugin::LanguageTask& task, const plugin::CheckSink& sink) override;
  void run(const plugin::TaskRequest& request, plugin::TaskSink& sink) override;
  void cancel(std::uint64_t attempt_token) override;
  void warm(const plugin::TaskSpec& spec) override;

 private:
  struct Target {
    TaskConfig config;
    WorkerLaunch launch;
  };
  // The task's target and worker launch, or its problems.
  std::variant<Target, std::vector<ConfigProblem>> resolve(std::string_view config_json,
                                                           const std::filesystem::path& workflow_dir);
  std::optional<Introspection> introspect(const WorkerLaunch& launch, const TaskTarget& target,
                                         const plugin::CheckSink& sink);
  using Registration = executor::AttemptRegistry<WorkerProcess>::Registration;
  void run_in_worker(WorkerLease& lease, Registration& registration, const Target& target,
                     const plugin::TaskRequest& request, plugin::TaskSink& sink);
  std::string request_header(std::string_view type, const TaskTarget& target);

  std::filesystem::path worker_executable_;
  EnvironmentResolver environments_;
  WorkerPool pool_;
  SignatureCache signatures_;
  executor::AttemptRegistry<WorkerProcess> attempts_;  // running attempts by token, for cancel
  std::atomic<std::uint64_t> next_request_id_{1};
};

PythonExecutor::PythonExecutor()
    : worker_executable_(locate_worker_executable()), environments_(ORK_PYTHON_VERSION, ORK_EMBED_PYTHON_EXE) {}

// ---- the language: compile-time signature and (empty) build ------------------

// The interpreter is the one embedded in ork-python-worker.
std::string PythonExecutor::describe() {
  std::error_code ec;
  boost::json::object toolchain{{"toolchain", "python"}};
  if (std::filesystem::is_regular_file(worker_executable_, ec)) {
    toolchain["found"] = true;
    toolchain["version"] = ORK_PYTHON_VERSION;
    toolchain["path"] = worker_executable_.string();
  } else {
    toolchain["found"] = false;
    toolchain["install"] = "reinstall ork: " + worker_executable_.string() + " (ork-python-worker) is missing";
  }
  return boost::json::serialize(toolchain);
}

// The task's keys are the executor's (file/module, function, python) for
// both spellings of a Python task; the worker reads the signature.
void PythonExecutor::introspect(const plugin::LanguageTask& task, const plugin::CheckSink& sink) {
  auto resolved = resolve(task.config_json, std::filesystem::path(task.workflow_dir));
  if (auto* problems = std::get_if<std::vector<ConfigProblem>>(&resolved)) {
    for (const ConfigProblem& problem : *problems) sink.error(problem.key, problem.message);
    return;
  }
  const Target& target = std::get<Target>(resolved);
  if (auto found = introspect(target.launch, target.config.target, sink)) {
    sink.signature(found->signature_json);
    sink.code_files(found->code_files);
  }
}

// Nothing to build: the worker imports the source at run time, so the
// executor's config is the task's keys as written.
std::optional<std::string> PythonExecutor::prepare(const plugin::LanguageTask& task, const plugin::CheckSink&) {
  boost::json::object answer{{"config", boost::json::parse(task.config_json)}};
  return boost::json::serialize(answer);
}

std::variant<PythonExecutor::Target, std::vector<ConfigProblem>> PythonExecutor::resolve(
    std::string_view config_json, const std::filesystem::path& workflow_dir) {
  ParsedTaskConfig parsed = parse_task_config(config_json, workflow_dir);
  if (!parsed.problems.empty()) return std::move(parsed.problems);
  Target target{std::move(parsed.config), {}};
  try {
    PythonEnvironment environment = environments_.resolve(target.config.python, workflow_dir);
    target.launch = WorkerLaunch{worker_executable_, workflow_dir, std::move(environment.site_packages),
                                 std::move(environment.executable)};
  } catch (const EnvironmentError& error) {
    return std::vector<ConfigProblem>{{error.key(), error.what()}};
  }
  return target;
}

// Asks a worker for the function's signature; reports problems to `sink`.
std::optional<Introspection> PythonExecutor::introspect(const WorkerLaunch& launch, const TaskTarget& target,
                                                       const plugin::CheckSink& sink) {
  std::string cache_key = launch.key() + '\n' + target.file.string() + '\n' + target.module + '\n' + target.function;
  if (auto cached = signatures_.find(cache_key)) return cached;

  std::string target_key = target.module.empty() ? "file" : "module";
  std::string shown = target.module.empty() ? target.file_as_written : "module '" + target.module + "'";
  WorkerLease lease = pool_.acquire(launch);
  WorkerProcess& worker = lease.worker();
  // Prints while importing are not a task's logs; they go to `ork -v`.
  LogHandler diagnostics = [&shown](ork_log_stream, std::string_view line) {
    plugin::diagnostic(0, "python (importing " + shown + "): " + std::string(line));
  };
  std::optional<Reply> reply;
  try {
    worker.send(request_header("introspect", target));
    reply = worker.receive(Clock::now() + kIntrospectionTimeout, diagnostics);
    if (!reply) {
      worker.kill();
      lease.discard();
      sink.error(target_key, "importing " + shown + " took longer than 60 s; does it do work at import time?");
      return std::nullopt;
    }
    if (!worker.drain_request_logs(Clock::now() + kLogDrainTimeout, diagnostics)) lease.discard();
  } catch (const WorkerDied& died) {
    lease.discard();
    sink.error(target_key, "the python worker died while importing " + shown + ": " + died.what());
    return std::nullopt;
  }
  const boost::json::object& header = reply->header;
  if (const auto* ok = header.if_contains("ok"); ok && ok->is_bool() && ok->as_bool()) {
    Introspection found{boost::json::serialize(header.at("signature")), {}};
    if (const auto* files = header.if_contains("code_files"); files && files->is_array()) {
      for (const auto& file : files->as_array()) {
        if (file.is_string()) found.code_files.emplace_back(file.as_string());
      }
    }
    const auto* source = header.if_contains("source");
    if (source && source->is_string()) signatures_.store(cache_key, found, std::string(source->as_string()));
    return found;
  }
  const auto* errors = header.if_contains("errors");
  if (!errors || !errors->is_array()) {
    throw std::runtime_error("the python worker sent an introspection reply without a signature or errors: " +
                             boost::json::serialize(header));
  }
  for (const auto& error : errors->as_array()) {
    const auto& object = error.as_object();
    sink.error(std::string(object.at("key").as_string()), std::string(object.at("message").as_string()));
  }
  return std::nullopt;
}

std::string PythonExecutor::request_header(std::string_view type, const TaskTarget& target) {
  boost::json::object header;
  header["type"] = type;
  header["id"] = next_request_id_.fetch_add(1);
  if (target.module.empty()) {
    header["file"] = target.file.string();
    header["display"] = target.file_as_written;
  } else {
    header["module"] = target.module;
  }
  header["function"] = target.function;
  return boost::json::serialize(header);
}

// ---- run: one attempt ---------------------------------------------------------

void PythonExecutor::run(const plugin::TaskRequest& request, plugin::TaskSink& sink) {
  auto resolved = resolve(request.spec.config_json, std::filesystem::path(request.spec.workflow_dir));
  if (auto* problems = std::get_if<std::vector<ConfigProblem>>(&resolved)) {
    sink.fail(problems->front().message);
    return;
  }
  const Target& target = std::get<Target>(resolved);
  // Registered before a worker is found or started, so that a cancel that
  // comes meanwhile is kept, not lost: the attempt then does not run.
  auto registration = attempts_.add(request.attempt_token);
  WorkerLease lease = pool_.acquire(target.launch);
  if (!registration.attach(&lease.worker())) {
    sink.finish(ORK_TASK_CANCELLED, {}, "cancelled before it started");
    return;
  }
  run_in_worker(lease, registration, target, request, sink);
}

void PythonExecutor::run_in_worker(WorkerLease& lease, Registration& registration, const Target& target,
                                   const plugin::TaskRequest& request, plugin::TaskSink& sink) {
  WorkerProcess& worker = lease.worker();
  LogHandler to_task_logs = [&sink](ork_log_stream stream, std::string_view line) { sink.log(stream, line); };
  sink.log(ORK_LOG_SYSTEM, "python worker pid " + std::to_string(worker.pid()) + " (Python " +
                               worker.version() + ")");

  boost::json::object header = boost::json::parse(request_header("run", target.config.target)).as_object();
  header["workdir"] = request.workdir.empty() ? target.launch.workflow_dir.string() : std::string(request.workdir);
  boost::json::array env;
  for (std::string_view entry : request.env) env.emplace_back(entry);
  header["env"] = std::move(env);
  // The input goes as one raw line: JSON whitespace outside strings may be
  // turned into spaces, and newlines inside strings are always escaped.
  std::string input(request.input_json.empty() ? std::string_view("{}") : request.input_json);
  for (char& c : input) {
    if (c == '\n' || c == '\r') c = ' ';
  }

  std::optional<Clock::time_point> deadline;
  if (request.timeout.count() > 0) deadline = Clock::now() + request.timeout;
  std::optional<Reply> reply;
  try {
    worker.send(boost::json::serialize(header), input);
    reply = worker.receive(deadline, to_task_logs);
    if (!reply) {
      worker.kill();
      lease.discard();
      sink.finish(ORK_TASK_TIMED_OUT, {},
                  "timed out after " + executor::format_duration(request.timeout) +
                      "; the python worker running it was killed (a new one replaces it)");
      return;
    }
    if (!worker.drain_request_logs(Clock::now() + kLogDrainTimeout, to_task_logs)) lease.discard();
  } catch (const WorkerDied& died) {
    lease.discard();
    if (registration.cancelled()) {
      sink.finish(ORK_TASK_CANCELLED, {}, "cancelled; the python worker running it was killed");
    } else {
      sink.fail(std::string("python worker died: ") + died.what());
    }
    return;
  }
  // A cancel that raced with the reply has killed the worker: don't pool it.
  if (registration.cancelled()) lease.discard();
  const boost::json::object& result = reply->header;
  if (const auto* ok = result.if_contains("ok"); ok && ok->is_bool() && ok->as_bool()) {
    sink.succeed(reply->payload);
    return;
  }
  const auto* error = result.if_contains("error");
  sink.fail(error && error->is_string() ? std::string(error->as_string())
                                        : "the python worker sent a malformed result: " + boost::json::serialize(result));
}

void PythonExecutor::cancel(std::uint64_t attempt_token) {
  // The worker may be stuck in C code; only SIGKILL is sure to stop it. The
  // run thread then sees the worker die and reports the cancellation.
  attempts_.cancel(attempt_token, [](WorkerProcess& worker) { worker.kill(); });
}

// The host is about to run a task like `spec` (`ork run`, plugin API 1.8):
// start its worker now, so that the interpreter's start-up overlaps the
// host's recording of the run. The task's acquire then takes that worker.
void PythonExecutor::warm(const plugin::TaskSpec& spec) {
  auto resolved = resolve(spec.config_json, std::filesystem::path(spec.workflow_dir));
  if (const auto* target = std::get_if<Target>(&resolved)) pool_.warm(target->launch);
}

// ---- helpers --------------------------------------------------------------------

namespace {

// The worker sits in lib/ork/ beside lib/ork/plugins/, in the build tree and
// when installed alike.
std::filesystem::path locate_worker_executable() {
  if (const char* overridden = std::getenv("ORK_PYTHON_WORKER"); overridden && *overridden) return overridden;
  Dl_info info{};
  if (::dladdr(reinterpret_cast<const void*>(&locate_worker_executable), &info) == 0 || !info.dli_fname) {
    throw std::runtime_error("the python plugin cannot find its own file (dladdr failed); set ORK_PYTHON_WORKER "
                             "to the ork-python-worker executable");
  }
  std::filesystem::path plugin_file = std::filesystem::absolute(info.dli_fname);
  return (plugin_file.parent_path().parent_path() / "ork-python-worker").lexically_normal();
}

std::optional<Introspection> SignatureCache::find(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  for (const auto& [path, stamp] : it->second.stamps) {
    if (stamp_of(path) != stamp) {
      entries_.erase(it);
      return std::nullopt;
    }
  }
  return it->second.found;
}

void SignatureCache::store(const std::string& key, Introspection found, const std::filesystem::path& source) {
  Entry entry{std::move(found), {}};
  std::vector<std::filesystem::path> files{source};
  files.insert(files.end(), entry.found.code_files.begin(), entry.found.code_files.end());
  for (const std::filesystem::path& file : files) {
    auto stamp = stamp_of(file);
    if (!stamp) return;
    entry.stamps.emplace_back(file, *stamp);
  }
  std::lock_guard lock(mutex_);
  entries_[key] = std::move(entry);
}

}  // namespace

}  // namespace ork::plugins::python

ORK_LANGUAGE_PLUGIN(ork::plugins::python::PythonExecutor, "python", "1.1.0",
                    "Runs typed Python functions in warm embedded-CPython workers")
