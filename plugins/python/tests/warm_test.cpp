// The executor's `warm` (plugin API 1.8): `ork run` calls it before it opens
// the store, and the worker it starts in the background must be the one the
// run's first task gets, not a second one.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "plugin_harness.hpp"

namespace ork::plugins::python::test {
namespace {

ork_str str(const std::string& s) { return ork_str{s.data(), s.size()}; }

// Pids of this process's children whose command line holds `needle`.
std::vector<int> workers_for(const std::string& needle) {
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid != ::getpid() || state == "Z") continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(needle) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

void warm(const std::filesystem::path& dir, const boost::json::object& config) {
  const std::string workflow_dir = dir.string();
  const std::string workflow_file = (dir / "wf.yaml").string();
  const std::string config_json = boost::json::serialize(config);
  ork_task_spec spec{ORK_STRUCT_SIZE(ork_task_spec), str("test"), str(workflow_file), str(workflow_dir),
                     str("t"), str(config_json), str(workflow_dir), nullptr, 0, 0};
  executor().warm(executor_state(), &spec);
}

TEST(Warm, StartsTheWorkerTheFirstTaskRunsIn) {
  TempDir dir;
  dir.write("t.py", "import os\n\ndef pid() -> int:\n    return os.getpid()\n");
  const boost::json::object config{{"file", "t.py"}, {"function", "pid"}};
  ASSERT_NE(executor().warm, nullptr);
  warm(dir.path(), config);
  warm(dir.path(), config);  // a second hint while the first worker starts adds none
  std::vector<int> warmed;
  for (int i = 0; i < 600 && warmed.empty(); ++i) {
    warmed = workers_for(dir.str());
    if (warmed.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(warmed.size(), 1u) << "warm started no worker (or several) before any task ran";
  RunOutcome outcome = run(dir.path(), config);
  ASSERT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.log_text();
  EXPECT_EQ(outcome.output, std::to_string(warmed.front())) << "the task did not run in the warmed worker";
  EXPECT_EQ(workers_for(dir.str()).size(), 1u);
}

TEST(Warm, ATaskThatCannotResolveIsIgnored) {
  TempDir dir;
  // A `python:` that names no interpreter: the run reports it, warm says nothing.
  warm(dir.path(), boost::json::object{{"file", "t.py"}, {"python", "no/such/venv"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(workers_for(dir.str()).empty());
}

}  // namespace
}  // namespace ork::plugins::python::test
