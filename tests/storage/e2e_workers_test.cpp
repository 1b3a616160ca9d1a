// `ork worker` processes and `ork run --workers-only` schedulers sharing one
// PostgreSQL database, all real `ork` binaries: thousands of tasks each run
// exactly once and spread over the workers; the attempt of a worker killed
// with SIGKILL runs again elsewhere once its lease ends; a server restart in
// the middle of a run is ridden out by the workers and the scheduler alike;
// the instances of a mapped task (`map:`) run on workers like any task.
// Each test has its own database, so no test sees another's workers or queue.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "pg_server.hpp"

extern char** environ;

namespace ork::storage_test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Polls `condition` every 20 ms until it holds or `timeout` passes.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// `ork --db URL ARGS` started in the background in `cwd`, with `extra_env`
// ("KEY=VALUE") added to this process's environment; its stdout and stderr go
// to `<label>.out` / `<label>.err` there. The destructor SIGKILLs it if it
// still runs, so a failed assertion never leaves a worker behind.
class OrkProcess {
 public:
  OrkProcess(const std::string& url, const std::vector<std::string>& args, const fs::path& cwd,
             const std::string& label, const std::vector<std::string>& extra_env = {})
      : label_(label), out_(cwd / (label + ".out")), err_(cwd / (label + ".err")) {
    std::vector<std::string> argv_text{ORK_BINARY, "--db", url};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e) env_text.emplace_back(*e);
    env_text.insert(env_text.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (std::string& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv_text[0] + " for " + label);
  }
  ~OrkProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  OrkProcess(const OrkProcess&) = delete;
  OrkProcess& operator=(const OrkProcess&) = delete;

  void signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  // Its exit code (128 + signal if a signal ended it), or -1 if it still
  // runs after `timeout`.
  int wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return exit_code_;
    const bool ended = eventually(
        [&] {
          int status = 0;
          if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
          exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
          return true;
        },
        timeout);
    if (!ended) return -1;
    pid_ = -1;
    return exit_code_;
  }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }
  // What it said, for assertion messages.
  std::string said() const { return "[" + label_ + " stdout]\n" + out() + "[" + label_ + " stderr]\n" + err(); }

 private:
  std::string label_;
  fs::path out_, err_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// A worker pool on a database: started, waited for until each announced its
// slots, stopped with SIGTERM (each must exit 0) at the end.
class Workers {
 public:
  void start(const std::string& url, const fs::path& dir, const std::string& name, int slots,
             const std::vector<std::string>& env = {}) {
    all_.push_back(std::make_unique<OrkProcess>(
        url, std::vector<std::string>{"worker", "--slots", std::to_string(slots), "--name", name, "--executors", "process"},
        dir, "worker-" + name, env));
  }
  // True once every worker printed its startup line (which names its slots).
  bool ready(std::chrono::milliseconds timeout) const {
    return eventually(
        [&] {
          for (const auto& w : all_) {
            if (w->out().find("slots") == std::string::npos) return false;
          }
          return true;
        },
        timeout);
  }
  OrkProcess& operator[](std::size_t i) { return *all_.at(i); }
  std::string said() const {
    std::string text;
    for (const auto& w : all_) text += w->said();
    return text;
  }
  void stop_all() {
    for (auto& w : all_) w->signal(SIGTERM);
    for (auto& w : all_) EXPECT_EQ(w->wait(20s), 0) << w->said();
  }

 private:
  std::vector<std::unique_ptr<OrkProcess>> all_;
};

// One line of the side-effect log: which run, task and worker wrote it.
struct SideEffect {
  std::string run_id, task, worker;
};

std::vector<SideEffect> side_effects(const fs::path& log) {
  std::vector<SideEffect> effects;
  for (const std::string& line : lines_of(log)) {
    std::istringstream in(line);
    SideEffect e;
    in >> e.run_id >> e.task >> e.worker;
    effects.push_back(e);
  }
  return effects;
}

// A workflow of `root` then `fan` tasks that depend on it; each appends
// "$ORK_RUN_ID $ORK_TASK $ORK_WORKER" to `log`, then runs `then` (if any).
std::string fan_workflow(int fan, const fs::path& log, const std::string& then = "") {
  const std::string effect = "echo $ORK_RUN_ID $ORK_TASK $ORK_WORKER >> '" + log.string() + "'" +
                             (then.empty() ? "" : "; " + then);
  std::string yaml = "tasks:\n  root: {executor: process, command: \"" + effect + "\"}\n";
  for (int i = 0; i < fan; ++i) {
    yaml += "  t" + std::to_string(i) + ": {executor: process, command: \"" + effect + "\", depends_on: [root]}\n";
  }
  return yaml;
}

class WorkersOnPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ork-pg-workers-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!HasFailure()) fs::remove_all(dir_, ignored);  // kept on failure: the .out/.err files say why
  }

  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }

  fs::path dir_;
};

TEST_F(WorkersOnPostgres, ThreeThousandTasksRunExactlyOnceAcrossThreeWorkers) {
  std::string reason;
  PgServer* server = shared_pg_server(&reason);
  if (!server) GTEST_SKIP() << reason;
  const std::string url = server->create_database();
  const fs::path log = dir_ / "side.log";
  write("wf.yaml", fan_workflow(999, log));

  Workers workers;
  for (const char* name : {"w1", "w2", "w3"}) workers.start(url, dir_, name, 2);
  ASSERT_TRUE(workers.ready(30s)) << workers.said();

  // Three schedulers at once: the queue holds attempts of three runs together.
  std::vector<std::unique_ptr<OrkProcess>> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(std::make_unique<OrkProcess>(
        url, std::vector<std::string>{"run", "wf.yaml", "--workers-only", "--json", "--concurrency", "6"}, dir_,
        "run-" + std::to_string(i)));
  }
  std::set<std::string> run_ids;
  for (auto& run : runs) {
    ASSERT_EQ(run->wait(100s), 0) << run->said() << workers.said();
    const json::value result = json::parse(run->out());
    EXPECT_EQ(result.at("status"), "succeeded") << run->out();
    run_ids.insert(std::string(result.at("run_id").as_string()));
  }
  ASSERT_EQ(run_ids.size(), 3u);

  std::map<std::pair<std::string, std::string>, int> times_run;
  std::map<std::string, int> tasks_per_worker;
  for (const SideEffect& e : side_effects(log)) {
    ++times_run[{e.run_id, e.task}];
    ++tasks_per_worker[e.worker];
  }
  EXPECT_EQ(times_run.size(), 3000u) << "every (run, task) should have left its line";
  for (const auto& [run_task, n] : times_run) {
    EXPECT_TRUE(run_ids.contains(run_task.first)) << "a line from an unknown run " << run_task.first;
    EXPECT_EQ(n, 1) << run_task.first << "/" << run_task.second << " ran " << n << " times";
  }
  EXPECT_EQ(tasks_per_worker.size(), 3u) << "all three workers should have done some of the work";
  for (const char* name : {"w1", "w2", "w3"}) EXPECT_GT(tasks_per_worker[name], 0) << name << " ran nothing";

  workers.stop_all();
}

TEST_F(WorkersOnPostgres, TheAttemptOfAKilledWorkerRunsAgainOnAnother) {
  std::string reason;
  PgServer* server = shared_pg_server(&reason);
  if (!server) GTEST_SKIP() << reason;
  const std::string url = server->create_database();
  const fs::path log = dir_ / "side.log";
  // Only on `doomed` does a task hang, so the one it claims is still running
  // when it is killed.
  write("task.sh", "echo \"$ORK_RUN_ID $ORK_TASK $ORK_WORKER\" >> '" + log.string() +
                       "'\n"
                       "if [ \"$ORK_WORKER\" = doomed ]; then sleep 60; fi\n"
                       "echo \"ORK_OUTPUT:\\\"done by $ORK_WORKER\\\"\"\n");
  std::string yaml = "tasks:\n";
  for (int i = 0; i < 6; ++i) yaml += "  t" + std::to_string(i) + ": {executor: process, command: [sh, task.sh]}\n";
  write("wf.yaml", yaml);
  const std::vector<std::string> short_lease{"ORK_WORKER_LEASE_MS=1000"};

  // `doomed` alone first, so that it surely claims an attempt; the others
  // join once it runs one.
  Workers workers;
  auto doomed = std::make_unique<OrkProcess>(
      url, std::vector<std::string>{"worker", "--slots", "1", "--name", "doomed", "--executors", "process"}, dir_,
      "worker-doomed", short_lease);
  OrkProcess run(url, {"run", "wf.yaml", "--workers-only", "--json"}, dir_, "run", short_lease);
  std::string doomed_task;
  ASSERT_TRUE(eventually(
      [&] {
        for (const SideEffect& e : side_effects(log)) {
          if (e.worker == "doomed") doomed_task = e.task;
        }
        return !doomed_task.empty();
      },
      30s))
      << doomed->said() << run.said();
  for (const char* name : {"w1", "w2"}) workers.start(url, dir_, name, 2, short_lease);
  ASSERT_TRUE(workers.ready(30s)) << workers.said();
  doomed->signal(SIGKILL);
  EXPECT_EQ(doomed->wait(10s), 128 + SIGKILL);
  doomed.reset();

  ASSERT_EQ(run.wait(60s), 0) << run.said() << workers.said();
  const json::value result = json::parse(run.out());
  EXPECT_EQ(result.at("status"), "succeeded") << run.out();
  const json::value& rescued = result.at("tasks").at(doomed_task);
  EXPECT_EQ(rescued.at("status"), "succeeded") << rescued;
  const std::string rescuer = std::string(rescued.at("output").as_string()).substr(std::string("done by ").size());
  EXPECT_TRUE(rescuer == "w1" || rescuer == "w2") << "the killed worker's task was finished by " << rescuer;

  std::map<std::string, std::vector<std::string>> workers_of_task;
  for (const SideEffect& e : side_effects(log)) workers_of_task[e.task].push_back(e.worker);
  ASSERT_EQ(workers_of_task.size(), 6u);
  for (const auto& [task, by] : workers_of_task) {
    if (task == doomed_task) {
      EXPECT_EQ(by, (std::vector<std::string>{"doomed", rescuer})) << task << " should have started twice";
    } else {
      EXPECT_EQ(by.size(), 1u) << task << " ran " << by.size() << " times";
      EXPECT_NE(by.front(), "doomed") << task;
    }
  }
  workers.stop_all();
}

TEST_F(WorkersOnPostgres, WorkersAndTheSchedulerRideOutAServerRestart) {
  const std::string reason = PgServer::unavailable_reason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  PgServer own;  // restarting the shared server would cut other tests off
  const std::string url = own.create_database();
  const fs::path log = dir_ / "side.log";
  constexpr int fan = 199;
  write("wf.yaml", fan_workflow(fan, log, "sleep 0.02"));

  Workers workers;
  for (const char* name : {"w1", "w2"}) workers.start(url, dir_, name, 2);
  ASSERT_TRUE(workers.ready(30s)) << workers.said();
  OrkProcess run(url, {"run", "wf.yaml", "--workers-only", "--json", "--concurrency", "4"}, dir_, "run");
  ASSERT_TRUE(eventually([&] { return side_effects(log).size() >= 50; }, 60s)) << run.said() << workers.said();
  own.restart();
  const std::size_t done_at_restart = side_effects(log).size();
  ASSERT_LT(done_at_restart, static_cast<std::size_t>(fan + 1)) << "the run ended before the restart; nothing tested";

  ASSERT_EQ(run.wait(100s), 0) << run.said() << workers.said();
  const json::value result = json::parse(run.out());
  EXPECT_EQ(result.at("status"), "succeeded") << run.out();
  const json::object& tasks = result.at("tasks").as_object();
  EXPECT_EQ(tasks.size(), static_cast<std::size_t>(fan + 1));
  for (const auto& [task, state] : tasks) EXPECT_EQ(state.at("status"), "succeeded") << task << ": " << state;

  std::map<std::string, int> times_run;
  for (const SideEffect& e : side_effects(log)) ++times_run[e.task];
  EXPECT_EQ(times_run.size(), static_cast<std::size_t>(fan + 1));
  for (const auto& [task, n] : times_run) EXPECT_EQ(n, 1) << task << " ran " << n << " times";
  workers.stop_all();
}

// `map:` on workers (issue 14): each instance of a mapped task is an attempt
// on the queue like any other, runs exactly once on some worker, and the
// mapped task's output is the list of the instances' outputs in order.
TEST_F(WorkersOnPostgres, MapInstancesRunOnWorkersExactlyOnce) {
  std::string reason;
  PgServer* server = shared_pg_server(&reason);
  if (!server) GTEST_SKIP() << reason;
  const std::string url = server->create_database();
  const fs::path log = dir_ / "side.log";
  constexpr int count = 300;
  std::string elements;
  for (int i = 0; i < count; ++i) elements += (i ? ", " : "") + std::to_string(i);
  write("wf.yaml", "tasks:\n  each:\n    executor: process\n    command: \"echo $ORK_RUN_ID $ORK_TASK $ORK_WORKER >> '" +
                       log.string() + "'; echo ORK_OUTPUT:$ORK_MAP_INDEX\"\n    output_type: int\n    map: {i: [" +
                       elements + "]}\n");
  Workers workers;
  for (const char* name : {"w1", "w2"}) workers.start(url, dir_, name, 2);
  ASSERT_TRUE(workers.ready(30s)) << workers.said();
  OrkProcess run(url, {"run", "wf.yaml", "--workers-only", "--json", "--concurrency", "4"}, dir_, "run");
  ASSERT_EQ(run.wait(100s), 0) << run.said() << workers.said();
  const json::value result = json::parse(run.out());
  EXPECT_EQ(result.at("status"), "succeeded") << run.out();
  const json::array& output = result.at("tasks").at("each").at("output").as_array();
  ASSERT_EQ(output.size(), static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) EXPECT_EQ(output[i], i);
  EXPECT_EQ(result.at("tasks").at("each[299]").at("parent"), "each");

  std::map<std::string, int> times_run;
  std::set<std::string> used;
  for (const SideEffect& e : side_effects(log)) {
    ++times_run[e.task];
    used.insert(e.worker);
  }
  EXPECT_EQ(times_run.size(), static_cast<std::size_t>(count));
  for (const auto& [task, n] : times_run) EXPECT_EQ(n, 1) << task << " ran " << n << " times";
  EXPECT_EQ(used.size(), 2u) << "both workers should have run instances";
  workers.stop_all();
}

}  // namespace
}  // namespace ork::storage_test
