// The real `ork` binary on a PostgreSQL store: `ork --db postgresql://… run`,
// then `runs`, `tasks` and `logs` read it back; and a run that goes on while
// the server restarts under it.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pg_server.hpp"
#include "storage_support.hpp"

extern char** environ;

namespace ork::storage_test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct Finished {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `ork ARGS` started in `cwd`, its output going to files there.
class Ork {
 public:
  Ork(const std::vector<std::string>& args, const fs::path& cwd) : out_(cwd / "ork.out"), err_(cwd / "ork.err") {
    std::vector<std::string> argv_text{ORK_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv_text[0]);
  }
  ~Ork() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Ork(const Ork&) = delete;
  Ork& operator=(const Ork&) = delete;

  Finished wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return Finished{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out_), slurp(err_)};
  }
  std::string out() const { return slurp(out_); }

 private:
  pid_t pid_ = -1;
  fs::path out_, err_;
};

class OrkOnPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ork-pg-e2e-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }
  Finished ork(const std::vector<std::string>& args) const { return Ork(args, dir_).wait(); }

  fs::path dir_;
};

TEST_F(OrkOnPostgres, RunThenRunsTasksAndLogsReadTheStore) {
  std::string reason;
  PgServer* server = shared_pg_server(&reason);
  if (!server) GTEST_SKIP() << reason;
  const std::string url = server->create_database();
  write("wf.yaml", R"(tasks:
  greet: {executor: process, command: "echo hello from postgres; echo 'ORK_OUTPUT:{\"n\": 7}'"}
  after: {executor: process, command: "echo done >&2", depends_on: [greet]}
)");
  const Finished run = ork({"--db", url, "run", "wf.yaml", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const json::value recorded = json::parse(run.out);
  EXPECT_EQ(recorded.at("status"), "succeeded");
  const std::string run_id(recorded.at("run_id").as_string());

  const Finished runs = ork({"--db", url, "runs", "--json"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  const json::value all_runs = json::parse(runs.out);
  const json::array& listed = all_runs.at("runs").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("run_id"), json::string(run_id));

  const Finished tasks = ork({"--db", url, "tasks", run_id.substr(0, 8), "--json"});
  ASSERT_EQ(tasks.exit_code, 0) << tasks.err;
  const json::value task_table = json::parse(tasks.out);
  EXPECT_EQ(task_table.at("tasks").at("greet").at("output").at("n"), 7);
  EXPECT_EQ(task_table.at("tasks").at("after").at("status"), "succeeded");

  const Finished logs = ork({"--db", url, "logs", run_id, "greet"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(logs.out, "hello from postgres\n");

  // ORK_DATABASE_URL selects the store too, with the postgres:// spelling.
  const std::string alias = "postgres://" + url.substr(std::string("postgresql://").size());
  ::setenv("ORK_DATABASE_URL", alias.c_str(), 1);
  const Finished via_env = ork({"runs", "--json"});
  ::unsetenv("ORK_DATABASE_URL");
  ASSERT_EQ(via_env.exit_code, 0) << via_env.err;
  EXPECT_EQ(json::parse(via_env.out).at("runs").as_array().size(), 1u);
}

// `ork rerun --from-failure` on PostgreSQL: the task that succeeded is not
// called again (it counts its calls in a file), its output reaches the task
// that failed before, and the new run records the reuse.
TEST_F(OrkOnPostgres, RerunFromFailureReusesSucceededTasks) {
  std::string reason;
  PgServer* server = shared_pg_server(&reason);
  if (!server) GTEST_SKIP() << reason;
  const std::string url = server->create_database();
  write("wf.yaml", R"(tasks:
  extract: {executor: process, command: "echo call >> calls_extract; echo 'ORK_OUTPUT:{\"n\": 41}'", output_type: {n: int}}
  load:
    executor: process
    command: "cat > load_input.json; test -f fixed || exit 3"
    inputs: {n: {from: extract.n}}
    input_type: {n: int}
)");
  const Finished first = ork({"--db", url, "run", "wf.yaml", "--json"});
  ASSERT_NE(first.exit_code, 0) << first.out << first.err;
  const std::string source(json::parse(first.out).at("run_id").as_string());
  write("fixed", "");
  const Finished again = ork({"--db", url, "rerun", source, "--from-failure", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const json::value run = json::parse(again.out);
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(run.at("tasks").at("extract").at("attempts"), 0);
  EXPECT_EQ(run.at("tasks").at("extract").at("output").at("n"), 41);
  EXPECT_EQ(slurp(dir_ / "calls_extract"), "call\n") << "extract must not be called again";
  EXPECT_EQ(json::parse(slurp(dir_ / "load_input.json")).at("n"), 41);
}

TEST_F(OrkOnPostgres, ARunGoesOnWhileTheServerRestarts) {
  const std::string reason = PgServer::unavailable_reason();
  if (!reason.empty()) GTEST_SKIP() << reason;
  PgServer own;  // restarting the shared server would cut other tests off
  const std::string url = own.create_database();
  write("wf.yaml", R"(tasks:
  first: {executor: process, command: "echo first"}
  slow: {executor: process, command: "echo started; sleep 3; echo finished", depends_on: [first]}
  last: {executor: process, command: "echo 'ORK_OUTPUT:3'", depends_on: [slow]}
)");
  Ork run({"--db", url, "run", "wf.yaml", "--json"}, dir_);
  // Restart while `slow` sleeps: it started once its log line is stored.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool started = false;
  while (!started && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    try {
      AbiStore reader(load_storage_plugin(ORK_POSTGRES_PLUGIN_PATH), url);
      const json::value runs = json::parse(reader.query(ORK_QUERY_LIST_RUNS, "{}"));
      if (runs.at("runs").as_array().empty()) continue;
      const std::string run_id(runs.at("runs").at(0).at("run_id").as_string());
      const json::value logs = json::parse(reader.query(ORK_QUERY_LOGS, R"({"run_id":")" + run_id + R"(","task":"slow"})"));
      started = !logs.at("lines").as_array().empty();
    } catch (const StoreError&) {
      // The run is not there yet.
    }
  }
  ASSERT_TRUE(started) << "the slow task never logged; ork said: " << run.out();
  own.restart();
  const Finished finished = run.wait();
  ASSERT_EQ(finished.exit_code, 0) << finished.out << finished.err;
  const json::value recorded = json::parse(finished.out);
  EXPECT_EQ(recorded.at("status"), "succeeded");
  EXPECT_EQ(recorded.at("tasks").at("last").at("output"), 3);
  const std::string run_id(recorded.at("run_id").as_string());
  const Finished logs = ork({"--db", url, "logs", run_id, "slow"});
  EXPECT_EQ(logs.out, "started\nfinished\n") << logs.err;
}

}  // namespace
}  // namespace ork::storage_test
