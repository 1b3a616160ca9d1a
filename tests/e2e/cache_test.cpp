// `cache:` end to end (issue 14 item 4) through the real binary and its
// SQLite store: a hit across two runs (recorded `cached`, pointing at the run
// it came from, counting as success downstream), misses after the task's
// file or an imported helper module changes or the input changes, a failed
// attempt never cached, each instance of a mapped task cached in its own row,
// `--no-cache`, `ork cache clear`, ttl expiry, and the refusals of a cache ork
// cannot key.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

// A Python task that counts its executions in runs.log and imports a helper
// module from the workflow directory, and a downstream task that uses it.
constexpr const char* python_workflow = R"(tasks:
  count:
    executor: python
    file: t.py
    function: count
    inputs: {n: {input: n}}
    cache: true
  total:
    executor: python
    file: t.py
    function: total
    depends_on: [count]
inputs:
  n: {type: int, default: 3}
)";

constexpr const char* task_file = R"(from helper import factor


def count(n: int) -> int:
    with open("runs.log", "a") as log:
        log.write("count\n")
    return n * factor()


def total(count: int) -> int:
    return count + 1
)";

void write_python_project(const TempDir& dir) {
  dir.write("wf.yaml", python_workflow);
  dir.write("t.py", task_file);
  dir.write("helper.py", "def factor() -> int:\n    return 2\n");
}

boost::json::object run_json(const TempDir& dir, std::vector<std::string> extra = {}, int expected_exit = 0) {
  std::vector<std::string> args{"run", "wf.yaml", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  CommandResult r = run_ork(args, dir.path());
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  if (r.out.empty()) return {};
  return parse_json(r.out).as_object();
}

const boost::json::object& task(const boost::json::object& run, const std::string& name) {
  return run.at("tasks").at(name).as_object();
}

std::string status(const boost::json::object& run, const std::string& name) {
  return std::string(task(run, name).at("status").as_string());
}

int executions(const TempDir& dir, const std::string& log = "runs.log") {
  std::ifstream in(dir.path() / log);
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

TEST(Cache, ASecondRunReusesTheOutputAndPointsAtTheRunItCameFrom) {
  TempDir dir;
  write_python_project(dir);
  boost::json::object first = run_json(dir);
  EXPECT_EQ(status(first, "count"), "succeeded");
  EXPECT_EQ(task(first, "count").at("output"), 6);
  EXPECT_FALSE(task(first, "count").contains("cached_from"));

  CommandResult second_run = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  ASSERT_EQ(second_run.exit_code, 0) << second_run.err;
  boost::json::object second = parse_json(second_run.out).as_object();
  EXPECT_EQ(second.at("status"), "succeeded");
  EXPECT_EQ(status(second, "count"), "cached");
  EXPECT_EQ(task(second, "count").at("output"), 6);
  EXPECT_EQ(task(second, "count").at("attempts"), 0);
  EXPECT_EQ(task(second, "count").at("error"), nullptr);
  const boost::json::object& from = task(second, "count").at("cached_from").as_object();
  EXPECT_EQ(from.at("run_id"), first.at("run_id"));
  EXPECT_EQ(from.at("task"), "count");
  EXPECT_EQ(from.at("attempt"), 1);
  // Downstream sees a success with the cached output.
  EXPECT_EQ(status(second, "total"), "succeeded");
  EXPECT_EQ(task(second, "total").at("output"), 7);
  EXPECT_EQ(executions(dir), 1) << "the cached task must not run again";
  EXPECT_NE(second_run.err.find("count cached"), std::string::npos) << second_run.err;
  EXPECT_NE(second_run.err.find(std::string(first.at("run_id").as_string())), std::string::npos) << second_run.err;

  // The history shows it too.
  const std::string second_id(second.at("run_id").as_string());
  CommandResult tasks = run_ork({"tasks", second_id}, dir.path());
  EXPECT_NE(tasks.out.find("cached"), std::string::npos) << tasks.out;
  EXPECT_NE(tasks.out.find("(from run " + std::string(first.at("run_id").as_string()) + ")"), std::string::npos)
      << tasks.out;
  boost::json::object listed = parse_json(run_ork({"tasks", second_id, "--json"}, dir.path()).out).as_object();
  EXPECT_EQ(task(listed, "count").at("cached_from").at("run_id"), first.at("run_id"));
}

// Each instance of a mapped task is cached by its own input and recorded in
// its own row: a hit was once written to the mapped task's row, which then
// showed one instance's output while the instances stayed `pending`.
TEST(Cache, AMappedTasksInstancesAreCachedEachInItsOwnRow) {
  TempDir dir;
  dir.write("double.sh",
            "echo ran >> ran.log\n"
            "python3 -c 'import json, sys; print(\"ORK_OUTPUT:\" + str(2 * json.load(sys.stdin)[\"n\"]))'\n");
  dir.write("wf.yaml", R"(tasks:
  items:
    executor: process
    command: "echo 'ORK_OUTPUT:[1, 2]'"
    output_type: "list[int]"
  double:
    executor: process
    command: [sh, double.sh]
    input_type: {n: int}
    output_type: int
    map: {n: {from: items}}
    cache: true
)");
  boost::json::object first = run_json(dir);
  boost::json::object second = run_json(dir);
  EXPECT_EQ(executions(dir, "ran.log"), 2) << "the second run must reuse both instances";
  CommandResult listed_run = run_ork({"tasks", std::string(second.at("run_id").as_string()), "--json"}, dir.path());
  ASSERT_EQ(listed_run.exit_code, 0) << listed_run.err;
  boost::json::object listed = parse_json(listed_run.out).as_object();
  for (const boost::json::object* run : {&second, &listed}) {
    EXPECT_EQ(status(*run, "double"), "succeeded");
    EXPECT_EQ(task(*run, "double").at("output"), boost::json::parse("[2, 4]"));
    for (int i : {0, 1}) {
      const std::string name = "double[" + std::to_string(i) + "]";
      EXPECT_EQ(status(*run, name), "cached") << name;
      EXPECT_EQ(task(*run, name).at("output"), 2 * (i + 1)) << name;
      EXPECT_EQ(task(*run, name).at("cached_from").at("run_id"), first.at("run_id")) << name;
      EXPECT_EQ(task(*run, name).at("cached_from").at("task"), boost::json::value(name));
    }
  }
}

TEST(Cache, ValidateShowsTheCacheAndTheFilesOfTheTasksCode) {
  TempDir dir;
  write_python_project(dir);
  CommandResult human = run_ork({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("    cache: no ttl; code: helper.py, t.py\n"), std::string::npos) << human.out;
  boost::json::value json = parse_json(run_ork({"validate", "wf.yaml", "--json"}, dir.path()).out);
  EXPECT_EQ(json.at("tasks").at("count").at("cache"),
            (boost::json::object{{"ttl_ms", nullptr}, {"version", nullptr}, {"code_files", {"helper.py", "t.py"}}}));
  EXPECT_FALSE(json.at("tasks").at("total").as_object().contains("cache"));
}

TEST(Cache, ChangingTheTaskFileMeansAMiss) {
  TempDir dir;
  write_python_project(dir);
  run_json(dir);
  dir.write("t.py", std::string(task_file) + "\n# a comment is a change too\n");
  boost::json::object run = run_json(dir);
  EXPECT_EQ(status(run, "count"), "succeeded");
  EXPECT_EQ(executions(dir), 2);
  EXPECT_EQ(status(run_json(dir), "count"), "cached") << "the new output is cached in turn";
}

TEST(Cache, ChangingAnImportedHelperModuleMeansAMiss) {
  TempDir dir;
  write_python_project(dir);
  run_json(dir);
  dir.write("helper.py", "def factor() -> int:\n    return 3\n");
  boost::json::object run = run_json(dir);
  EXPECT_EQ(status(run, "count"), "succeeded");
  EXPECT_EQ(task(run, "count").at("output"), 9);
  EXPECT_EQ(executions(dir), 2);
}

TEST(Cache, ADifferentInputMeansAMissAndEachInputKeepsItsEntry) {
  TempDir dir;
  write_python_project(dir);
  run_json(dir, {"--input", "n=3"});
  EXPECT_EQ(status(run_json(dir, {"--input", "n=4"}), "count"), "succeeded");
  EXPECT_EQ(status(run_json(dir, {"--input", "n=3"}), "count"), "cached");
  EXPECT_EQ(status(run_json(dir, {"--input", "n=4"}), "count"), "cached");
  EXPECT_EQ(executions(dir), 2);
}

TEST(Cache, NoCacheRunsTheTaskAndStoresTheFreshOutput) {
  TempDir dir;
  write_python_project(dir);
  run_json(dir);
  boost::json::object fresh = run_json(dir, {"--no-cache"});
  EXPECT_EQ(status(fresh, "count"), "succeeded");
  EXPECT_EQ(executions(dir), 2);
  boost::json::object next = run_json(dir);
  EXPECT_EQ(status(next, "count"), "cached");
  EXPECT_EQ(task(next, "count").at("cached_from").at("run_id"), fresh.at("run_id"));
}

TEST(Cache, CacheClearForgetsTheOutputs) {
  TempDir dir;
  write_python_project(dir);
  run_json(dir);
  CommandResult other = run_ork({"cache", "clear", "another_workflow"}, dir.path());
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(other.out, "removed 0 cached task outputs of workflow another_workflow\n");
  EXPECT_EQ(status(run_json(dir), "count"), "cached");

  CommandResult cleared = run_ork({"cache", "clear", "wf", "--json"}, dir.path());
  EXPECT_EQ(cleared.exit_code, 0) << cleared.err;
  EXPECT_EQ(parse_json(cleared.out), (boost::json::object{{"removed", 1}, {"workflow", "wf"}}));
  EXPECT_EQ(status(run_json(dir), "count"), "succeeded");
  EXPECT_EQ(executions(dir), 2);

  CommandResult all = run_ork({"cache", "clear"}, dir.path());
  EXPECT_EQ(all.out, "removed 1 cached task output\n");
  CommandResult usage = run_ork({"cache", "forget"}, dir.path());
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("usage: ork cache clear [WORKFLOW]"), std::string::npos) << usage.err;
}

TEST(Cache, AnEntryOlderThanTheTtlIsNotReused) {
  TempDir dir;
  write_python_project(dir);
  std::string yaml = python_workflow;
  yaml.replace(yaml.find("cache: true"), 11, "cache: {ttl: 8s}");
  dir.write("wf.yaml", yaml);
  run_json(dir);
  EXPECT_EQ(status(run_json(dir), "count"), "cached");
  std::this_thread::sleep_for(std::chrono::milliseconds(8500));
  EXPECT_EQ(status(run_json(dir), "count"), "succeeded");
  EXPECT_EQ(executions(dir), 2);
}

TEST(Cache, AFailedAttemptIsNeverCached) {
  TempDir dir;
  dir.write("step.sh", "echo ran >> ran.log\nexit 1\n");
  dir.write("wf.yaml", "tasks:\n  step: {executor: process, command: [sh, step.sh], cache: true}\n");
  EXPECT_EQ(status(run_json(dir, {}, 1), "step"), "failed");
  EXPECT_EQ(status(run_json(dir, {}, 1), "step"), "failed");
  EXPECT_EQ(executions(dir, "ran.log"), 2);
  // Once it succeeds, it is cached.
  dir.write("step.sh", "echo ran >> ran.log\necho 'ORK_OUTPUT:{\"ok\": true}'\n");
  EXPECT_EQ(status(run_json(dir), "step"), "succeeded");
  boost::json::object hit = run_json(dir);
  EXPECT_EQ(status(hit, "step"), "cached");
  EXPECT_EQ(task(hit, "step").at("output"), (boost::json::object{{"ok", true}}));
  EXPECT_EQ(executions(dir, "ran.log"), 3);
}

TEST(Cache, AProcessTasksProgramInsideTheWorkflowDirectoryIsItsCode) {
  TempDir dir;
  dir.write("step.sh", "#!/bin/sh\necho ran >> ran.log\necho 'ORK_OUTPUT:1'\n");
  fs::permissions(dir.path() / "step.sh", fs::perms::owner_all);
  dir.write("wf.yaml", "tasks:\n  step: {executor: process, command: [./step.sh], cache: true}\n");
  run_json(dir);
  EXPECT_EQ(status(run_json(dir), "step"), "cached");
  dir.write("step.sh", "#!/bin/sh\necho ran >> ran.log\necho 'ORK_OUTPUT:2'\n");
  boost::json::object changed = run_json(dir);
  EXPECT_EQ(status(changed, "step"), "succeeded");
  EXPECT_EQ(task(changed, "step").at("output"), 2);
}

// A cached task is final like a succeeded one: `ork resume` keeps it (and
// its output for downstream), `ork rerun --from-failure` reuses it.
constexpr const char* gated_workflow = R"(tasks:
  prep: {executor: process, command: [sh, prep.sh], cache: true}
  gate:
    executor: process
    command: "cat >/dev/null; while [ ! -f go ]; do sleep 0.1; done; echo 'ORK_OUTPUT:1'"
    depends_on: [prep]
)";

TEST(Cache, ResumeKeepsACachedTask) {
  TempDir dir;
  dir.write("prep.sh", "echo ran >> ran.log\necho 'ORK_OUTPUT:4'\n");
  dir.write("wf.yaml", gated_workflow);
  dir.write("go", "");
  run_json(dir);
  fs::remove(dir.path() / "go");
  {
    BackgroundOrk run({"run", "wf.yaml"}, dir.path());
    ASSERT_TRUE(run.wait_for_output("… gate started", 20000)) << run.out() << run.err();
    EXPECT_NE(run.out().find("prep cached"), std::string::npos) << run.out();
    run.signal(SIGKILL);
    run.wait(5000);
  }
  CommandResult runs = run_ork({"runs", "--json", "--limit", "1"}, dir.path());
  const std::string run_id(parse_json(runs.out).at("runs").at(0).at("run_id").as_string());
  dir.write("go", "");
  // --no-cache: a task the run recorded cached is kept as it is, not run
  // again (nor looked up again).
  CommandResult resumed = run_ork({"resume", run_id, "--json", "--no-cache"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  boost::json::object after = parse_json(resumed.out).as_object();
  EXPECT_EQ(after.at("status"), "succeeded");
  EXPECT_EQ(status(after, "prep"), "cached");
  EXPECT_EQ(task(after, "prep").at("output"), 4);
  EXPECT_TRUE(task(after, "prep").contains("cached_from"));
  EXPECT_EQ(status(after, "gate"), "succeeded");
  EXPECT_EQ(executions(dir, "ran.log"), 1);
}

TEST(Cache, RerunFromFailureReusesACachedTask) {
  TempDir dir;
  dir.write("prep.sh", "echo ran >> ran.log\necho 'ORK_OUTPUT:4'\n");
  std::string yaml = gated_workflow;
  yaml.replace(yaml.find("while [ ! -f go ]; do sleep 0.1; done"), 37, "test -f go || exit 1");
  dir.write("wf.yaml", yaml);
  run_json(dir, {}, 1);
  boost::json::object failed = run_json(dir, {}, 1);
  EXPECT_EQ(status(failed, "prep"), "cached");
  EXPECT_EQ(status(failed, "gate"), "failed");
  dir.write("go", "");
  CommandResult rerun =
      run_ork({"rerun", std::string(failed.at("run_id").as_string()), "--from-failure", "--json"}, dir.path());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  boost::json::object fixed = parse_json(rerun.out).as_object();
  EXPECT_EQ(status(fixed, "prep"), "succeeded") << "reused by the re-run, as a succeeded task would be";
  EXPECT_EQ(task(fixed, "prep").at("output"), 4);
  EXPECT_EQ(task(fixed, "prep").at("attempts"), 0);
  EXPECT_EQ(status(fixed, "gate"), "succeeded");
  EXPECT_EQ(executions(dir, "ran.log"), 1);
}

TEST(Cache, ACacheOrkCannotKeyIsRefusedAndNothingIsRecorded) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  fetch: {executor: process, command: [/bin/echo, hi], cache: true}
  later:
    executor: process
    command: [/bin/echo, hi]
    cache: {ttl: -2h}
)");
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("wf.yaml:2:56: task \"fetch\": cache: ork cannot tell when this task's code changes: its "
                       "code lives outside the workflow directory: /bin/echo"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Add a version to the cache"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wf.yaml:6:18: task \"later\": cache: \"ttl\" cannot be negative (-2h)"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / ".ork" / "ork.db") &&
               !sqlite_rows(dir.path() / ".ork" / "ork.db", "SELECT id FROM runs").empty());
  // With a version the author vouches for the program: accepted, and cached.
  dir.write("wf.yaml", "tasks:\n  fetch: {executor: process, command: [/bin/echo, 'ORK_OUTPUT:5'], cache: {version: \"1\"}}\n");
  run_json(dir);
  EXPECT_EQ(status(run_json(dir), "fetch"), "cached");
}

}  // namespace
}  // namespace ork::test
