#include "in_process_runner.hpp"

#include "ork_executor/duration_text.hpp"

#include <string>
#include <thread>

namespace ork::plugins::library {
namespace {

void report(const CallOutcome& outcome, ork::plugin::TaskSink& sink);

}  // namespace

void InProcessRunner::run(const TaskFunction& function, const ork::plugin::TaskRequest& request,
                          ork::plugin::TaskSink& sink) {
  auto attempt = std::make_shared<Attempt>();
  // Declared after `attempt`: unregistered before it can go away.
  auto registration = attempts_.add(request.attempt_token, attempt.get());
  // The ABI takes a NUL-terminated string; the host's is a slice.
  std::string input(request.input_json);
  if (request.timeout.count() > 0) {
    run_with_deadline(function, std::move(input), attempt, request.timeout, sink);
  } else {
    run_direct(function, input, *attempt, sink);
  }
}

void InProcessRunner::cancel(std::uint64_t attempt_token) {
  // Under the registry's lock, then the attempt's: no path takes them the other way round.
  attempts_.cancel(attempt_token, [](Attempt& attempt) {
    std::lock_guard lock(attempt.mutex);
    attempt.cancelled = true;
    attempt.changed.notify_all();
  });
}

void InProcessRunner::run_direct(const TaskFunction& function, const std::string& input, Attempt& attempt,
                                 ork::plugin::TaskSink& sink) {
  CallOutcome outcome = call_task_function(function, input.c_str());
  std::lock_guard lock(attempt.mutex);
  if (attempt.cancelled) {
    sink.finish(ORK_TASK_CANCELLED, {}, "cancelled (an in-process library call cannot be interrupted; it ran to its end)");
    return;
  }
  report(outcome, sink);
}

void InProcessRunner::run_with_deadline(const TaskFunction& function, std::string input,
                                        const std::shared_ptr<Attempt>& attempt, std::chrono::milliseconds timeout,
                                        ork::plugin::TaskSink& sink) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // The thread owns copies of everything it touches, so it may outlive this
  // attempt; the library stays mapped through `function.library`.
  std::thread([function, input = std::move(input), attempt] {
    CallOutcome outcome = call_task_function(function, input.c_str());
    std::lock_guard lock(attempt->mutex);
    attempt->outcome = std::move(outcome);
    attempt->done = true;
    attempt->changed.notify_all();
  }).detach();
  std::unique_lock lock(attempt->mutex);
  bool ended = attempt->changed.wait_until(lock, deadline, [&] { return attempt->done || attempt->cancelled; });
  if (attempt->done) {
    report(attempt->outcome, sink);
  } else if (attempt->cancelled) {
    sink.finish(ORK_TASK_CANCELLED, {}, "cancelled (the in-process library call was left to finish)");
  } else if (!ended) {
    sink.finish(ORK_TASK_TIMED_OUT, {},
                "timed out after " + executor::format_duration(timeout) + " (in-process call was left to finish)");
  }
}

namespace {

void report(const CallOutcome& outcome, ork::plugin::TaskSink& sink) {
  if (outcome.succeeded) {
    sink.succeed(outcome.text);
  } else {
    sink.fail(outcome.text);
  }
}

}  // namespace
}  // namespace ork::plugins::library
