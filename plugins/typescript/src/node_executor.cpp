// The executor half of the typescript plugin: `node` runs what prepare built
// (or any CommonJS module named by `module:`) in warm Node.js workers, one
// task at a time each, mirroring the python executor: console output becomes
// the task's log lines as it is written, a thrown error fails the task with
// its message and stack, and a crash, timeout or cancel kills only the worker
// that ran the task (the pool starts a fresh one for the next task).
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <string>

#include "ork_executor/duration_text.hpp"
#include "typescript_plugin.hpp"

namespace ork::plugins::typescript {

namespace {

namespace plugin = ork::plugin;

constexpr auto kLogDrainTimeout = std::chrono::seconds(2);

// The config's problems as (key, message); empty when it can run.
std::vector<std::pair<std::string, std::string>> config_problems(const boost::json::value& config);

}  // namespace

void TypeScriptPlugin::check(const plugin::TaskSpec& spec, const plugin::CheckSink& sink) {
  boost::system::error_code error;
  boost::json::value config = boost::json::parse(spec.config_json, error);
  if (error) {
    sink.error("", "the node executor's config is not JSON: " + error.message());
    return;
  }
  for (const auto& [key, message] : config_problems(config)) sink.error(key, message);
  if (!toolchain().node) sink.error("", toolchain().problem);
}

void TypeScriptPlugin::run(const plugin::TaskRequest& request, plugin::TaskSink& sink) {
  boost::system::error_code error;
  boost::json::value config = boost::json::parse(request.spec.config_json, error);
  if (error) {
    sink.fail("the node executor's config is not JSON: " + error.message());
    return;
  }
  if (auto problems = config_problems(config); !problems.empty()) {
    sink.fail(problems.front().second);
    return;
  }
  const Toolchain& tools = toolchain();
  if (!tools.node) {
    sink.fail(tools.problem);
    return;
  }
  WorkerLaunch launch{*tools.node, tools.worker_script(), std::filesystem::path(request.spec.workflow_dir)};
  // Registered before a worker is found or started, so that a cancel that
  // comes meanwhile is kept, not lost: the attempt then does not run.
  auto registration = attempts_.add(request.attempt_token);
  WorkerLease lease = pool_.acquire(launch);
  if (!registration.attach(&lease.worker())) {
    sink.finish(ORK_TASK_CANCELLED, {}, "cancelled before it started");
    return;
  }
  run_in_worker(lease, registration, config.as_object(), request, sink);
}

void TypeScriptPlugin::run_in_worker(WorkerLease& lease, Registration& registration, const boost::json::object& config,
                                     const plugin::TaskRequest& request, plugin::TaskSink& sink) {
  WorkerProcess& worker = lease.worker();
  LogHandler to_task_logs = [&sink](ork_log_stream stream, std::string_view line) { sink.log(stream, line); };
  sink.log(ORK_LOG_SYSTEM,
           "node worker pid " + std::to_string(worker.pid()) + " (Node.js " + worker.version() + ")");

  boost::json::object header = config;
  header["type"] = "run";
  header["id"] = next_request_id_.fetch_add(1);
  header["workdir"] = request.workdir.empty() ? std::string(request.spec.workflow_dir) : std::string(request.workdir);
  boost::json::array env;
  for (std::string_view entry : request.env) env.emplace_back(entry);
  header["env"] = std::move(env);
  // The input goes as one raw line: newlines outside JSON strings are only
  // whitespace, and inside strings they are always escaped.
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
                      "; the node worker running it was killed (a new one replaces it)");
      return;
    }
    if (!worker.drain_request_logs(Clock::now() + kLogDrainTimeout, to_task_logs)) lease.discard();
  } catch (const WorkerDied& died) {
    lease.discard();
    if (registration.cancelled()) {
      sink.finish(ORK_TASK_CANCELLED, {}, "cancelled; the node worker running it was killed");
    } else {
      sink.fail(std::string("node worker died: ") + died.what());
    }
    return;
  }
  if (registration.cancelled()) lease.discard();  // a cancel that raced the reply killed it
  const boost::json::object& result = reply->header;
  if (const auto* ok = result.if_contains("ok"); ok && ok->is_bool() && ok->as_bool()) {
    sink.succeed(reply->payload);
    return;
  }
  const auto* error = result.if_contains("error");
  sink.fail(error && error->is_string() ? std::string(error->as_string())
                                        : "the node worker sent a malformed result: " + boost::json::serialize(result));
}

void TypeScriptPlugin::cancel(std::uint64_t attempt_token) {
  // A busy loop in user code never yields to the event loop: only a kill stops it.
  attempts_.cancel(attempt_token, [](WorkerProcess& worker) { worker.kill(); });
}

namespace {

std::vector<std::pair<std::string, std::string>> config_problems(const boost::json::value& config) {
  std::vector<std::pair<std::string, std::string>> problems;
  if (!config.is_object()) return {{"", "the node executor's config must be an object"}};
  const auto& object = config.as_object();
  const auto* module = object.if_contains("module");
  if (!module || !module->is_string() || module->as_string().empty()) {
    problems.emplace_back("module", "the node executor needs `module:`, the absolute path of a CommonJS .js file");
  } else if (!std::filesystem::path(std::string(module->as_string())).is_absolute()) {
    problems.emplace_back("module", "`module:` must be an absolute path, got '" + std::string(module->as_string()) + "'");
  } else if (!std::filesystem::exists(std::string(module->as_string()))) {
    problems.emplace_back("module", "`module:` " + std::string(module->as_string()) + " does not exist");
  }
  const auto* function = object.if_contains("function");
  if (!function || !function->is_string() || function->as_string().empty()) {
    problems.emplace_back("function", "the node executor needs `function:`, the name of an exported function");
  }
  const auto* parameters = object.if_contains("parameters");
  bool names = parameters && parameters->is_array();
  if (names) {
    for (const auto& name : parameters->as_array()) names = names && name.is_string();
  }
  if (!names) problems.emplace_back("parameters", "the node executor needs `parameters:`, the list of parameter names in order");
  return problems;
}

}  // namespace

}  // namespace ork::plugins::typescript

ORK_LANGUAGE_PLUGIN(ork::plugins::typescript::TypeScriptPlugin, "typescript", ork::plugins::typescript::kPluginVersion,
                    "TypeScript functions typed from their source, run in warm Node.js workers")
