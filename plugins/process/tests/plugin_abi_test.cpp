// The built ork_executor_process.so, driven the way the host drives it:
// dlopen, ork_plugin_describe, init with a host API, then the vtable.
#include "test_support.hpp"

#include <ork/plugin.h>

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <thread>

namespace ork::plugins::process {
namespace {

using namespace std::chrono_literals;
using testing::argv_config;
using testing::RecordingCheckSink;
using testing::RecordingTaskSink;
using testing::shell_config;
using testing::TempDir;

// The host's error slot, as far as a plugin can tell.
struct ork_error_slot {
  std::string message;
};

void set_error(ork_error* slot, ork_str message) {
  if (slot != nullptr) reinterpret_cast<ork_error_slot*>(slot)->message.assign(message.ptr, message.len);
}

void log_diagnostic(int, ork_str) {}

const ork_host_api fake_host = {ORK_STRUCT_SIZE(ork_host_api), ORK_PLUGIN_API_MAJOR, ORK_PLUGIN_API_MINOR,
                                &set_error, &log_diagnostic};

class LoadedPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_ = dlopen(ORK_PROCESS_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr) << dlerror();
    auto describe = reinterpret_cast<ork_plugin_describe_fn>(dlsym(handle_, ORK_PLUGIN_ENTRY_SYMBOL));
    ASSERT_NE(describe, nullptr) << dlerror();
    descriptor_ = describe();
    ASSERT_NE(descriptor_, nullptr);
    ork_error_slot error;
    ASSERT_EQ(descriptor_->init(&fake_host, &state_, reinterpret_cast<ork_error*>(&error)), ORK_STATUS_OK)
        << error.message;
    executor_ = descriptor_->executor;
  }

  void TearDown() override {
    if (descriptor_ != nullptr && state_ != nullptr) descriptor_->shutdown(state_);
    // Never dlclose: plugins stay loaded until exit, as in the host.
  }

  ork_status run(const std::string& config_json, const std::string& input, std::uint64_t token, int64_t timeout_ms,
                 RecordingTaskSink& sink, ork_error_slot& error) {
    std::string dir = scratch_.str();
    ork_task_spec spec{ORK_STRUCT_SIZE(ork_task_spec), str("wf"),   str(scratch_file_), str(dir),
                       str("task"),                    str(config_json), str(dir), nullptr, 0, 0};
    std::string env_entry = "ORK_TASK=task";
    ork_str env[] = {str(env_entry)};
    ork_task_request request{ORK_STRUCT_SIZE(ork_task_request),
                             token,
                             &spec,
                             str("run-1"),
                             1,
                             str(input),
                             str(dir),
                             env,
                             1,
                             timeout_ms};
    return executor_->run_task(state_, &request, &sink.c_sink(), reinterpret_cast<ork_error*>(&error));
  }

  static ork_str str(const std::string& s) { return ork_str{s.data(), s.size()}; }
  static ork_str str(const char* s) { return ork_str{s, std::strlen(s)}; }

  void* handle_ = nullptr;
  const ork_plugin_descriptor* descriptor_ = nullptr;
  const ork_executor_vtable* executor_ = nullptr;
  void* state_ = nullptr;
  TempDir scratch_;
  std::string scratch_file_ = scratch_.str() + "/wf.yaml";
};

TEST_F(LoadedPlugin, DescribesItselfAsTheProcessExecutor) {
  EXPECT_EQ(descriptor_->struct_size, sizeof(ork_plugin_descriptor));
  EXPECT_EQ(descriptor_->api_major, static_cast<uint32_t>(ORK_PLUGIN_API_MAJOR));
  EXPECT_EQ(descriptor_->min_host_minor, 0u);
  EXPECT_STREQ(descriptor_->name, "process");
  EXPECT_STREQ(descriptor_->version, "1.0.0");
  EXPECT_EQ(descriptor_->storage, nullptr);
  ASSERT_NE(executor_, nullptr);
  EXPECT_STREQ(executor_->name, "process");
  ASSERT_NE(executor_->task_keys, nullptr);
  EXPECT_STREQ(executor_->task_keys[0], "command");
  EXPECT_STREQ(executor_->task_keys[1], "file");
  EXPECT_STREQ(executor_->task_keys[2], "introspect");
  EXPECT_EQ(executor_->task_keys[3], nullptr);
  EXPECT_EQ(executor_->capabilities, static_cast<std::uint32_t>(ORK_EXECUTOR_INTROSPECTS));
  EXPECT_NE(executor_->check_task, nullptr);
  EXPECT_NE(executor_->cancel_task, nullptr);
}

TEST_F(LoadedPlugin, ExportsOnlyTheEntryPoint) {
  EXPECT_EQ(dlsym(handle_, "_ZN3ork7plugins7process15ProcessExecutor3runERKNS_6plugin11TaskRequestERNS3_8TaskSinkE"),
            nullptr);
}

TEST_F(LoadedPlugin, RunsATaskThroughTheCAbi) {
  RecordingTaskSink sink;
  ork_error_slot error;
  ASSERT_EQ(run(shell_config("cat >&2; echo \"ORK_OUTPUT:\\\"$ORK_TASK\\\"\""), "{\"x\":1}", 1, 0, sink, error),
            ORK_STATUS_OK)
      << error.message;
  testing::Finish finish = sink.finish();
  EXPECT_EQ(finish.outcome, ORK_TASK_SUCCEEDED) << finish.error;
  EXPECT_EQ(finish.output, "\"task\"");
  EXPECT_EQ(sink.lines(ORK_LOG_STDERR), (std::vector<std::string>{"{\"x\":1}"}));
}

TEST_F(LoadedPlugin, TaskFailureIsAnOutcomeNotABrokenExecutor) {
  RecordingTaskSink sink;
  ork_error_slot error;
  ASSERT_EQ(run(argv_config({"false"}), "{}", 1, 0, sink, error), ORK_STATUS_OK);
  EXPECT_EQ(sink.finish().outcome, ORK_TASK_FAILED);
  EXPECT_EQ(sink.finish().error, "exited with code 1");
}

TEST_F(LoadedPlugin, TimeoutThroughTheCAbi) {
  RecordingTaskSink sink;
  ork_error_slot error;
  ASSERT_EQ(run(argv_config({"sleep", "100"}), "{}", 1, 200, sink, error), ORK_STATUS_OK);
  EXPECT_EQ(sink.finish().outcome, ORK_TASK_TIMED_OUT);
  EXPECT_EQ(sink.finish().error, "timed out after 200ms");
}

TEST_F(LoadedPlugin, CancelThroughTheCAbi) {
  RecordingTaskSink sink;
  ork_error_slot error;
  ork_status status = ORK_STATUS_ERROR;
  std::thread runner([&] { status = run(shell_config("echo up; exec sleep 100"), "{}", 42, 0, sink, error); });
  ASSERT_TRUE(sink.wait_for_line("up", 10s));
  executor_->cancel_task(state_, 41);
  executor_->cancel_task(state_, 42);
  runner.join();
  EXPECT_EQ(status, ORK_STATUS_OK) << error.message;
  EXPECT_EQ(sink.finish().outcome, ORK_TASK_CANCELLED);
  EXPECT_EQ(sink.finish().error, "cancelled");
}

TEST_F(LoadedPlugin, ChecksTasksThroughTheCAbi) {
  RecordingCheckSink sink;
  ork_error_slot error;
  std::string dir = scratch_.str();
  std::string config = argv_config({"./bin/crunch", "--fast"});
  ork_task_spec spec{ORK_STRUCT_SIZE(ork_task_spec), str("wf"), str(scratch_file_), str(dir), str("crunch"),
                     str(config), str(dir), nullptr, 0, 0};
  ASSERT_EQ(executor_->check_task(state_, &spec, &sink.c_sink(), reinterpret_cast<ork_error*>(&error)), ORK_STATUS_OK);
  ASSERT_EQ(sink.errors().size(), 1u);
  EXPECT_EQ(sink.errors()[0].key, "command");
  EXPECT_EQ(sink.errors()[0].message, "file not found: ./bin/crunch (relative to " + dir + ")");
}

// Since 1.5 the spec carries the task's env and workdir; a bare name is
// looked up on the task's own PATH, relative entries from its workdir.
TEST_F(LoadedPlugin, ChecksWithTheTasksEnvAndWorkdir) {
  std::string dir = scratch_.str();
  scratch_.write("data/tools/crunchy", "#!/bin/sh\n", true);
  std::string config = argv_config({"crunchy"});
  std::string workdir = dir + "/data";
  std::string path = "PATH=tools";
  ork_str env[] = {str(path)};
  ork_task_spec spec{ORK_STRUCT_SIZE(ork_task_spec), str("wf"), str(scratch_file_), str(dir), str("crunch"),
                     str(config), str(workdir), env, 1, 0};
  RecordingCheckSink sink;
  ork_error_slot error;
  ASSERT_EQ(executor_->check_task(state_, &spec, &sink.c_sink(), reinterpret_cast<ork_error*>(&error)), ORK_STATUS_OK);
  EXPECT_TRUE(sink.errors().empty()) << sink.errors()[0].message;
}

// A host older than 1.5 passes a shorter spec: the plugin must not read past
// it, and checks as before (the host's PATH, the workflow's directory).
TEST_F(LoadedPlugin, AcceptsASpecFromAnOlderHost) {
  std::string dir = scratch_.str();
  scratch_.write("bin/crunch", "#!/bin/sh\n", true);
  std::string config = argv_config({"./bin/crunch"});
  ork_task_spec spec{static_cast<uint32_t>(offsetof(ork_task_spec, workdir)), str("wf"), str(scratch_file_), str(dir),
                     str("crunch"), str(config), str("/nonexistent"), reinterpret_cast<const ork_str*>(8), 99, 42};
  RecordingCheckSink sink;
  ork_error_slot error;
  ASSERT_EQ(executor_->check_task(state_, &spec, &sink.c_sink(), reinterpret_cast<ork_error*>(&error)), ORK_STATUS_OK);
  EXPECT_TRUE(sink.errors().empty()) << sink.errors()[0].message;
}

// Since 1.6 the host numbers each compile's checks (check_pass) and the
// plugin looks a program up once per number; a 1.5 host's spec ends before
// check_pass, so whatever lies there must not turn the cache on.
TEST_F(LoadedPlugin, CachesLookupsOnlyUnderTheHostsCheckPass) {
  std::string dir = scratch_.str();
  std::string config = argv_config({"./late"});
  auto errors = [&](std::uint32_t size, std::uint64_t check_pass) {
    ork_task_spec spec{size,        str("wf"), str(scratch_file_), str(dir), str("t"), str(config),
                       str(dir),    nullptr,   0,                  check_pass};
    RecordingCheckSink sink;
    ork_error_slot error;
    EXPECT_EQ(executor_->check_task(state_, &spec, &sink.c_sink(), reinterpret_cast<ork_error*>(&error)),
              ORK_STATUS_OK);
    return sink.errors().size();
  };
  const auto older = static_cast<std::uint32_t>(offsetof(ork_task_spec, check_pass));
  EXPECT_EQ(errors(ORK_STRUCT_SIZE(ork_task_spec), 31), 1u);
  EXPECT_EQ(errors(older, 31), 1u);
  scratch_.write("late", "#!/bin/sh\n", true);
  EXPECT_EQ(errors(ORK_STRUCT_SIZE(ork_task_spec), 31), 1u) << "the same compile: the lookup is reused";
  EXPECT_EQ(errors(older, 31), 0u) << "a 1.5 host: looked up every time";
  EXPECT_EQ(errors(ORK_STRUCT_SIZE(ork_task_spec), 32), 0u) << "the next compile looks again";
}

TEST_F(LoadedPlugin, BrokenConfigFromTheHostIsAnExecutorError) {
  RecordingCheckSink sink;
  ork_error_slot error;
  std::string dir = scratch_.str();
  std::string config = "not json";
  ork_task_spec spec{ORK_STRUCT_SIZE(ork_task_spec), str("wf"), str(scratch_file_), str(dir), str("t"), str(config),
                     str(dir), nullptr, 0, 0};
  EXPECT_EQ(executor_->check_task(state_, &spec, &sink.c_sink(), reinterpret_cast<ork_error*>(&error)),
            ORK_STATUS_ERROR);
  EXPECT_EQ(error.message, "process executor received a task config that is not a JSON object: not json");
}

}  // namespace
}  // namespace ork::plugins::process
