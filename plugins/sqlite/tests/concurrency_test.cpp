// Several threads on one store, two stores on one file (two connections, as
// two processes would have) and two real processes: no errors, exact counts,
// and an intact file afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "test_support.hpp"

namespace ork::plugins::sqlite {
namespace {

namespace json = boost::json;

constexpr int tasks_per_run = 250;  // two updates each: 500 updates per writer

// Creates run `run_id` and drives each of its tasks through running and
// succeeded, with one log line each: 500 task updates, 250 log batches.
void write_run(SqliteStore& store, const std::string& run_id) {
  const std::int64_t version =
      store.save_workflow(ork::plugin::WorkflowRecord{"load", "h", "/w.yaml", "src", "{}", 1});
  std::vector<std::string> names;
  for (int i = 0; i < tasks_per_run; ++i) names.push_back("task" + std::to_string(i));
  std::vector<std::string_view> views(names.begin(), names.end());
  store.create_run(ork::plugin::RunRecord{run_id, version, "load", "{}", "", "test", "pid", 1, views});
  for (const std::string& task : names) {
    store.update_task(ork::plugin::TaskUpdate{run_id, task, 1, "running", 2, "", "", 0});
    const std::string text = "working on " + task;
    const ork::plugin::LogLine line{run_id, task, 1, ORK_LOG_STDOUT, 3, text};
    store.append_logs(std::span(&line, 1));
    store.update_task(ork::plugin::TaskUpdate{run_id, task, 1, "succeeded", 4, "{\"ok\":true}", "", 0});
  }
}

// Runs `write_run` for each id on its own thread; returns the errors seen.
std::vector<std::string> write_runs_in_parallel(const std::vector<std::pair<SqliteStore*, std::string>>& work) {
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  std::vector<std::thread> threads;
  for (const auto& [store, run_id] : work) {
    threads.emplace_back([&, store = store, run_id = run_id] {
      try {
        write_run(*store, run_id);
      } catch (const std::exception& e) {
        std::lock_guard lock(errors_mutex);
        errors.push_back(run_id + ": " + e.what());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return errors;
}

class Concurrency : public testing::StoreTest {
 protected:
  void expect_run_complete(const std::string& run_id) {
    const json::object run = get_run(run_id);
    EXPECT_EQ(run.at("task_counts"), (json::object{{"succeeded", tasks_per_run}})) << run_id;
    const json::object logs = query(ORK_QUERY_LOGS, R"({"run_id":")" + run_id + R"(","limit":10000})");
    EXPECT_EQ(logs.at("lines").as_array().size(), static_cast<std::size_t>(tasks_per_run)) << run_id;
  }

  void expect_event_count(std::size_t runs) {
    // Per run: one "run" event, two "task" events and one "log" event per task.
    EXPECT_EQ(events_after(0).size(), runs * (1 + 3 * tasks_per_run));
  }

  void expect_intact_file() {
    Connection raw(ConnectionOptions{db_file()});
    CachedStatement check = raw.statement("PRAGMA integrity_check");
    ASSERT_TRUE(check->step());
    EXPECT_EQ(check->text(0), "ok");
  }
};

TEST_F(Concurrency, FourThreadsThroughOneStore) {
  SqliteStore& shared = store();
  std::atomic<bool> writing{true};
  std::atomic<int> reads{0};
  std::string read_error;
  // A reader following events while the writers work must never fail.
  std::thread reader([&] {
    try {
      while (writing) {
        store().query(ORK_QUERY_EVENTS, R"({"after":0,"limit":100})");
        store().query(ORK_QUERY_LIST_RUNS, "{}");
        ++reads;
      }
    } catch (const std::exception& e) {
      read_error = e.what();
    }
  });
  const std::vector<std::string> errors =
      write_runs_in_parallel({{&shared, "t0"}, {&shared, "t1"}, {&shared, "t2"}, {&shared, "t3"}});
  writing = false;
  reader.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(read_error, "");
  for (const char* run : {"t0", "t1", "t2", "t3"}) expect_run_complete(run);
  expect_event_count(4);
  expect_intact_file();
  std::printf("[ info     ] %d concurrent read rounds\n", reads.load());
}

TEST_F(Concurrency, TwoStoresOnOneFileWriteAtOnce) {
  std::unique_ptr<SqliteStore> first = open_store();
  std::unique_ptr<SqliteStore> second = open_store();
  const std::vector<std::string> errors = write_runs_in_parallel(
      {{first.get(), "s0"}, {second.get(), "s1"}, {first.get(), "s2"}, {second.get(), "s3"}});
  EXPECT_TRUE(errors.empty()) << errors.front();
  for (const char* run : {"s0", "s1", "s2", "s3"}) expect_run_complete(run);
  expect_event_count(4);
  expect_intact_file();
}

TEST_F(Concurrency, TwoProcessesCreateAndWriteOneFileAtOnce) {
  // Fork before anything opens the file, so no SQLite state crosses the fork;
  // both processes then race to create and migrate the same new file.
  std::fflush(nullptr);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 0;
    try {
      SqliteStore own(DatabaseUrl{db_file()});
      write_run(own, "child");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child process failed: %s\n", e.what());
      code = 1;
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  std::string error;
  try {
    write_run(store(), "parent");
  } catch (const std::exception& e) {
    error = e.what();
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(error, "");
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  expect_run_complete("child");
  expect_run_complete("parent");
  expect_event_count(2);
  expect_intact_file();
}

}  // namespace
}  // namespace ork::plugins::sqlite
