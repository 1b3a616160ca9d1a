#include "test_support.hpp"

#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <fstream>

namespace ork::plugins::process::testing {

RecordingTaskSink::RecordingTaskSink()
    : sink_{ORK_STRUCT_SIZE(ork_task_sink), this, &RecordingTaskSink::on_log, &RecordingTaskSink::on_finish} {}

std::vector<LogEntry> RecordingTaskSink::logs() const {
  std::lock_guard lock(mutex_);
  return logs_;
}

std::vector<std::string> RecordingTaskSink::lines(ork_log_stream stream) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> lines;
  for (const LogEntry& entry : logs_) {
    if (entry.stream == stream) lines.push_back(entry.line);
  }
  return lines;
}

std::vector<Finish> RecordingTaskSink::finishes() const {
  std::lock_guard lock(mutex_);
  return finishes_;
}

Finish RecordingTaskSink::finish() const {
  std::vector<Finish> all = finishes();
  EXPECT_EQ(all.size(), 1u) << "the executor must report exactly one outcome";
  return all.empty() ? Finish{ORK_TASK_FAILED, "", "<no outcome reported>"} : all.front();
}

bool RecordingTaskSink::wait_for_line(std::string_view line, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [&] {
    for (const LogEntry& entry : logs_) {
      if (entry.line == line) return true;
    }
    return false;
  });
}

void RecordingTaskSink::on_log(void* ctx, ork_log_stream stream, ork_str line) {
  auto* self = static_cast<RecordingTaskSink*>(ctx);
  {
    std::lock_guard lock(self->mutex_);
    self->logs_.push_back(LogEntry{stream, std::string(line.ptr, line.len)});
  }
  self->changed_.notify_all();
}

void RecordingTaskSink::on_finish(void* ctx, ork_task_outcome outcome, ork_str output, ork_str error) {
  auto* self = static_cast<RecordingTaskSink*>(ctx);
  {
    std::lock_guard lock(self->mutex_);
    self->finishes_.push_back(Finish{outcome, std::string(output.ptr, output.len), std::string(error.ptr, error.len)});
  }
  self->changed_.notify_all();
}

RecordingCheckSink::RecordingCheckSink()
    : sink_{ORK_STRUCT_SIZE(ork_check_sink), this, &RecordingCheckSink::on_error, &RecordingCheckSink::on_signature,
            &RecordingCheckSink::on_code_files} {}

void RecordingCheckSink::on_error(void* ctx, ork_str key, ork_str message) {
  static_cast<RecordingCheckSink*>(ctx)->errors_.push_back(
      CheckError{std::string(key.ptr, key.len), std::string(message.ptr, message.len)});
}

void RecordingCheckSink::on_signature(void* ctx, ork_str) { ++static_cast<RecordingCheckSink*>(ctx)->signature_calls_; }

void RecordingCheckSink::on_code_files(void* ctx, const ork_str* paths, size_t count, ork_str why_not) {
  auto* self = static_cast<RecordingCheckSink*>(ctx);
  self->code_files_.emplace();
  for (size_t i = 0; i < count; ++i) self->code_files_->emplace_back(paths[i].ptr, paths[i].len);
  self->code_why_not_ = std::string(why_not.ptr, why_not.len);
}

std::string argv_config(const std::vector<std::string>& argv) {
  boost::json::array items;
  for (const std::string& arg : argv) items.emplace_back(arg);
  return boost::json::serialize(boost::json::object{{"command", items}});
}

std::string shell_config(const std::string& command) {
  return boost::json::serialize(boost::json::object{{"command", command}});
}

void run_task(ProcessExecutor& executor, const TaskSetup& setup, RecordingTaskSink& sink) {
  std::optional<TempDir> scratch;
  std::string workdir = setup.workdir;
  if (workdir.empty()) workdir = scratch.emplace().str();
  ork::plugin::TaskRequest request;
  request.attempt_token = setup.token;
  request.spec = ork::plugin::TaskSpec{"wf", workdir + "/wf.yaml", workdir, "task", setup.config_json, workdir, {}};
  request.run_id = "run-1";
  request.attempt = 1;
  request.input_json = setup.input_json;
  request.workdir = workdir;
  for (const std::string& variable : setup.env) request.env.push_back(variable);
  request.timeout = setup.timeout;
  ork::plugin::TaskSink task_sink(sink.c_sink());
  executor.run(request, task_sink);
}

ProcessExecutor::Options fast_options() {
  ProcessExecutor::Options options;
  options.kill_grace = std::chrono::milliseconds(300);
  options.orphan_wait = std::chrono::milliseconds(200);
  return options;
}

void run_task(const TaskSetup& setup, RecordingTaskSink& sink) {
  ProcessExecutor executor(fast_options());
  run_task(executor, setup, sink);
}

}  // namespace ork::plugins::process::testing
