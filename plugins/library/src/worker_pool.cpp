#include "worker_pool.hpp"

#include <dlfcn.h>

#include <chrono>
#include <cstdlib>

#include "in_process_runner.hpp"
#include "ork_executor/duration_text.hpp"

namespace ork::plugins::library {
namespace {

constexpr std::chrono::seconds describe_timeout{60};

void report_reply(const WorkerReply& reply, ork::plugin::TaskSink& sink);

}  // namespace

WorkerPool::WorkerPool(std::size_t max_idle) : max_idle_(max_idle) {}

void WorkerPool::run(const TaskConfig& config, const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) {
  auto registration = attempts_.add(request.attempt_token);

  std::unique_ptr<WorkerProcess> worker;
  try {
    worker = acquire();
  } catch (const std::exception& e) {
    sink.fail(std::string("cannot run the isolated task: ") + e.what());
    return;
  }
  if (!registration.attach(worker.get())) {
    release(std::move(worker));
    sink.finish(ORK_TASK_CANCELLED, {}, "cancelled before the library worker started the call");
    return;
  }
  WorkerRequest call{RequestKind::call, config.file.string(), config.function, std::string(request.input_json)};
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (request.timeout.count() > 0) deadline = std::chrono::steady_clock::now() + request.timeout;
  WorkerProcess::Exchange exchange =
      worker->exchange(call, deadline, [&](ork_log_stream stream, std::string_view line) { sink.log(stream, line); });
  // Out of the registry before the worker can be destroyed (reaped), so a
  // late cancel never signals a reused pid.
  registration.end();
  switch (exchange.end) {
    case WorkerProcess::End::replied:
      report_reply(exchange.reply, sink);
      release(std::move(worker));
      return;
    case WorkerProcess::End::timed_out:
      sink.finish(ORK_TASK_TIMED_OUT, {},
                  "timed out after " + executor::format_duration(request.timeout) + " (the library worker was killed)");
      return;
    case WorkerProcess::End::killed:
      sink.finish(ORK_TASK_CANCELLED, {}, "cancelled (the library worker was killed)");
      return;
    case WorkerProcess::End::died:
      sink.fail("library worker died: " + exchange.death + " while running " + config.function + " from " +
                config.file.string());
      return;
  }
}

TaskDescription WorkerPool::describe(const TaskConfig& config) {
  std::unique_ptr<WorkerProcess> worker;
  try {
    worker = acquire();
  } catch (const std::exception& e) {
    throw TaskProblemError("isolate", std::string("cannot start the isolated library worker: ") + e.what());
  }
  WorkerRequest request{RequestKind::describe, config.file.string(), config.function, {}};
  WorkerProcess::Exchange exchange =
      worker->exchange(request, std::chrono::steady_clock::now() + describe_timeout,
                       [](ork_log_stream, std::string_view line) { ork::plugin::diagnostic(1, line); });
  switch (exchange.end) {
    case WorkerProcess::End::replied:
      release(std::move(worker));
      return decode_description(exchange.reply.text);
    case WorkerProcess::End::timed_out:
      throw TaskProblemError("file", "loading " + config.file.string() + " in the library worker took longer than " +
                                         std::to_string(describe_timeout.count()) + "s");
    case WorkerProcess::End::killed:
    case WorkerProcess::End::died:
      break;
  }
  throw TaskProblemError("file", "loading " + config.file.string() + " crashed the library worker (" +
                                     exchange.death + ")");
}

void WorkerPool::cancel(std::uint64_t attempt_token) {
  attempts_.cancel(attempt_token, [](WorkerProcess& worker) { worker.kill(); });
}

std::unique_ptr<WorkerProcess> WorkerPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    while (!idle_.empty()) {
      std::unique_ptr<WorkerProcess> worker = std::move(idle_.back());
      idle_.pop_back();
      if (worker->alive()) return worker;
    }
  }
  return WorkerProcess::start(worker_executable());
}

void WorkerPool::release(std::unique_ptr<WorkerProcess> worker) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(worker));
}

std::filesystem::path worker_executable() {
  if (const char* overridden = std::getenv("ORK_LIBRARY_WORKER"); overridden != nullptr && *overridden != '\0') {
    return overridden;
  }
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&worker_executable), &info) == 0 || info.dli_fname == nullptr) {
    throw std::runtime_error("cannot locate the library plugin's own file to find ork-library-worker; "
                             "set ORK_LIBRARY_WORKER to its path");
  }
  // Plugins live in <prefix>/lib/ork/plugins/, the worker in <prefix>/lib/ork/.
  std::filesystem::path plugin = std::filesystem::absolute(info.dli_fname);
  return plugin.parent_path().parent_path() / "ork-library-worker";
}

namespace {

void report_reply(const WorkerReply& reply, ork::plugin::TaskSink& sink) {
  if (reply.status == ReplyStatus::succeeded) {
    sink.succeed(reply.text);
  } else {
    sink.fail(reply.text);
  }
}

}  // namespace
}  // namespace ork::plugins::library
