// ork's own secrets stay out of tasks and out of what ork prints: a process
// task and a python task that dump their whole environment, run by `ork run`
// and by `ork worker` with ORK_API_TOKEN, ORK_DATABASE_URL (with a password)
// and PGPASSWORD set, leave none of them in the stored logs or outputs — yet
// a task's own `env:` still hands one over; and a database URL's password is
// shown as *** in the errors of a store that cannot be opened.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

const std::string api_token = "tok-3f9a1c-secret";
const std::string db_password = "pw-7d2e8b-secret";
const std::string pg_password = "pg-51c0aa-secret";
const std::string named_token = "ork-named-token-secret";

// ORK_DATABASE_URL is set but `--db` (added by run_ork) names the store used.
const std::vector<std::string> secret_environment{
    "ORK_API_TOKEN=" + api_token,
    "ORK_DATABASE_URL=postgresql://ork:" + db_password + "@127.0.0.1:1/ork",
    "PGPASSWORD=" + pg_password,
    "ORK_BACKUP_TOKEN=" + named_token,
};

const std::string task_db_url = "postgresql://reporter@db.example/ork";

const std::string env_dump_py = R"PY(import os


def dump() -> dict[str, str]:
    for name, value in sorted(os.environ.items()):
        print(f"{name}={value}")
    return dict(os.environ)
)PY";

// A process task and a python task print every variable they see; `given`
// receives ORK_DATABASE_URL through its own `env:`.
std::string workflow_yaml() {
  return "tasks:\n"
         "  shell: {executor: process, command: 'env; echo ORK_OUTPUT:1'}\n"
         "  python: {executor: python, file: env_dump.py, function: dump}\n"
         "  given:\n"
         "    executor: process\n"
         "    command: 'env; printf \"ORK_OUTPUT:\\\"%s\\\"\\n\" \"$ORK_DATABASE_URL\"'\n"
         "    env: {ORK_DATABASE_URL: \"" + task_db_url + "\"}\n";
}

// Every log line and output the run stored, as one text.
std::string everything_stored(const fs::path& db) {
  std::string text;
  for (const auto& row : sqlite_rows(db, "SELECT line FROM logs")) text += row[0] + "\n";
  for (const auto& row : sqlite_rows(db, "SELECT coalesce(output_json, '') || coalesce(error, '') FROM tasks")) {
    text += row[0] + "\n";
  }
  return text;
}

void expect_no_secret(const std::string& text) {
  for (const std::string& secret : {api_token, db_password, pg_password, named_token}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into:\n" << text;
  }
  for (std::string_view name : {"ORK_API_TOKEN=", "PGPASSWORD=", "ORK_BACKUP_TOKEN="}) {
    EXPECT_EQ(text.find(name), std::string::npos) << name << " reached a task:\n" << text;
  }
}

void expect_tasks_saw_their_environment(const std::string& stored) {
  EXPECT_NE(stored.find("PATH="), std::string::npos) << "the tasks should have printed their environment:\n"
                                                     << stored;
  EXPECT_NE(stored.find("ORK_TASK=python"), std::string::npos) << stored;
  EXPECT_NE(stored.find("ORK_DATABASE_URL=" + task_db_url), std::string::npos)
      << "a task's own env: must still reach it:\n" << stored;
}

TEST(Secrets, TasksRunByOrkRunDoNotInheritOrksSecrets) {
  TempDir dir;
  dir.write("env_dump.py", env_dump_py);
  dir.write("wf.yaml", workflow_yaml());
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path(), secret_environment);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto run = parse_json(r.out);
  EXPECT_EQ(run.at("tasks").at("given").at("output").as_string(), task_db_url);
  const std::string stored = everything_stored(dir.path() / ".ork" / "ork.db");
  expect_tasks_saw_their_environment(stored);
  expect_no_secret(stored);
  expect_no_secret(r.out + r.err);
}

TEST(Secrets, TasksRunByOrkWorkerDoNotInheritOrksSecrets) {
  TempDir dir;
  dir.write("env_dump.py", env_dump_py);
  dir.write("wf.yaml", workflow_yaml());
  BackgroundOrk worker({"worker", "--slots", "2", "--name", "w1"}, dir.path(), secret_environment);
  ASSERT_TRUE(worker.wait_for_output("slots", 20000)) << worker.out() << worker.err();
  CommandResult r = run_ork({"run", "wf.yaml", "--workers-only", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << worker.err();
  const std::string stored = everything_stored(dir.path() / ".ork" / "ork.db");
  expect_tasks_saw_their_environment(stored);
  expect_no_secret(stored);
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(20000), 0) << worker.err();
}

TEST(Secrets, AStoreThatCannotOpenShowsItsUrlWithoutThePassword) {
  TempDir dir;
  const std::string url = "postgresql://ork:" + db_password + "@127.0.0.1:1/ork?connect_timeout=2&password=" +
                          pg_password;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--db", url, "runs"}, std::vector<std::string>{"--db", url, "worker"},
        std::vector<std::string>{"--db", url, "workers"}}) {
    CommandResult r = run_ork(args, dir.path());
    EXPECT_NE(r.exit_code, 0) << args[2];
    EXPECT_NE(r.err.find("postgresql://ork:***@127.0.0.1:1/ork"), std::string::npos) << r.err;
    expect_no_secret(r.out + r.err);
  }
  // The same URL from the environment.
  CommandResult r = run_ork({"--db", "", "runs"}, dir.path(), {"ORK_DATABASE_URL=" + url});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("***"), std::string::npos) << r.err;
  expect_no_secret(r.out + r.err);
}

}  // namespace
}  // namespace ork::test
