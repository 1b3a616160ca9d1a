// `map:` end to end (issue 14 item 1): a Python and a process task mapped
// over a list, zipped lists and a length mismatch, an empty list, failing
// instances with retries, `when:` judged once, resuming in the middle of a
// map after kill -9, the history commands (`ork tasks`, `ork logs` of one
// instance) and a map of 10 000 elements, all through the real binary.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

boost::json::object run_json(const TempDir& dir, std::vector<std::string> args, int& exit_code) {
  args.insert(args.begin(), "run");
  args.push_back("--json");
  CommandResult r = run_ork(args, dir.path());
  exit_code = r.exit_code;
  EXPECT_FALSE(r.out.empty()) << r.err;
  if (r.out.empty()) return {};
  return parse_json(r.out).as_object();
}

const boost::json::object& task_of(const boost::json::object& run, const std::string& task) {
  return run.at("tasks").at(task).as_object();
}

std::string status_of(const boost::json::object& run, const std::string& task) {
  return std::string(task_of(run, task).at("status").as_string());
}

const char* fan_py = R"(
def list_files() -> list[str]:
    return ["a", "bb", "ccc"]

def count_words(path: str, min_len: int) -> int:
    print(f"counting {path}")
    return len(path) * min_len

def total(count: list[int]) -> int:
    return sum(count)
)";

const char* fan_yaml = R"(tasks:
  list_files: {executor: python, file: t.py, function: list_files}
  count:
    executor: python
    file: t.py
    function: count_words
    map: {path: {from: list_files}}
    inputs: {min_len: 3}
  total:
    executor: python
    file: t.py
    function: total
    depends_on: [count]
)";

TEST(Map, PythonTaskRunsOncePerElementAndDownstreamGetsTheList) {
  TempDir dir;
  dir.write("t.py", fan_py);
  dir.write("wf.yaml", fan_yaml);
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  ASSERT_EQ(code, 0) << run;
  EXPECT_EQ(status_of(run, "count"), "succeeded");
  EXPECT_EQ(boost::json::serialize(task_of(run, "count").at("output")), "[3,6,9]");
  EXPECT_EQ(task_of(run, "total").at("output").as_int64(), 18);
  for (int k = 0; k < 3; ++k) {
    const auto& instance = task_of(run, "count[" + std::to_string(k) + "]");
    EXPECT_EQ(instance.at("status").as_string(), "succeeded");
    EXPECT_EQ(instance.at("attempts").as_int64(), 1);
    EXPECT_EQ(instance.at("output").as_int64(), 3 * (k + 1));
    EXPECT_EQ(instance.at("parent").as_string(), "count");
    EXPECT_EQ(instance.at("index").as_int64(), k);
  }
  EXPECT_FALSE(task_of(run, "count").contains("parent")) << "only instances gain parent and index";

  // The history commands: instances listed under their task, logs per instance.
  std::string run_id(run.at("run_id").as_string());
  CommandResult tasks = run_ork({"tasks", run_id}, dir.path());
  const std::size_t parent_at = tasks.out.find("\ncount ");
  const std::size_t first_at = tasks.out.find("\n  count[0]");
  const std::size_t last_at = tasks.out.find("\n  count[2]");
  const std::size_t total_at = tasks.out.find("\ntotal ");
  ASSERT_NE(parent_at, std::string::npos) << tasks.out;
  EXPECT_LT(parent_at, first_at) << tasks.out;
  EXPECT_LT(first_at, last_at) << tasks.out;
  EXPECT_NE(total_at, std::string::npos) << tasks.out;
  CommandResult logs = run_ork({"logs", run_id, "count[1]"}, dir.path());
  EXPECT_NE(logs.out.find("counting bb"), std::string::npos) << logs.out << logs.err;
  EXPECT_EQ(logs.out.find("counting a\n"), std::string::npos) << logs.out;

  CommandResult validated = run_ork({"validate", "wf.yaml", "--json"}, dir.path());
  auto shown = parse_json(validated.out).at("tasks").at("count");
  EXPECT_EQ(shown.at("output").as_string(), "list[int]");
  EXPECT_EQ(boost::json::serialize(shown.at("map")), R"({"path":"list_files"})");
}

const char* process_double = R"yaml(    executor: process
    command: [python3, -c, "import json,sys; d=json.load(sys.stdin); print('ORK_OUTPUT:' + json.dumps([d['x'] * 2, d['label']]))"]
    input_type: {x: int, label: str}
    output_type: "list[int | str]"
)yaml";

TEST(Map, ProcessTaskZipsTwoLists) {
  TempDir dir;
  dir.write("wf.yaml", std::string(R"(inputs:
  labels: {type: "list[str]", default: [one, two, three]}
tasks:
  nums: {executor: process, command: "echo 'ORK_OUTPUT:{\"xs\": [1, 2, 3]}'", output_type: "{xs: list[int]}"}
  double:
)") + process_double + R"(    map: {x: {from: nums.xs}, label: {input: labels}}
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  ASSERT_EQ(code, 0) << run;
  EXPECT_EQ(boost::json::serialize(task_of(run, "double").at("output")), R"([[2,"one"],[4,"two"],[6,"three"]])");
}

TEST(Map, ZippedListsOfDifferentLengthsFailTheTaskNamingBoth) {
  TempDir dir;
  dir.write("wf.yaml", std::string(R"(inputs:
  labels: {type: "list[str]", default: [one, two]}
tasks:
  nums: {executor: process, command: "echo 'ORK_OUTPUT:{\"xs\": [1, 2, 3]}'", output_type: "{xs: list[int]}"}
  double:
)") + process_double + R"(    map: {x: {from: nums.xs}, label: {input: labels}}
  after: {executor: process, command: "echo never", depends_on: [double]}
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(status_of(run, "double"), "failed");
  EXPECT_EQ(task_of(run, "double").at("error").as_string(),
            "map: the zipped lists differ in length: 'x' (nums.xs) has 3 elements, 'label' (inputs.labels) has 2 "
            "elements; parameters mapped together need lists of the same length");
  EXPECT_EQ(status_of(run, "after"), "skipped");
  EXPECT_FALSE(run.at("tasks").as_object().contains("double[0]")) << "no instance runs";
}

TEST(Map, AnEmptyListGivesAnEmptyOutputAndRunsDownstream) {
  TempDir dir;
  std::string py = fan_py;
  py.replace(py.find(R"(["a", "bb", "ccc"])"), 18, "[]");
  dir.write("t.py", py);
  dir.write("wf.yaml", fan_yaml);
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  ASSERT_EQ(code, 0) << run;
  EXPECT_EQ(status_of(run, "count"), "succeeded");
  EXPECT_EQ(boost::json::serialize(task_of(run, "count").at("output")), "[]");
  EXPECT_EQ(task_of(run, "total").at("output").as_int64(), 0);
}

TEST(Map, InstancesRetryAloneAndAFailedOneFailsTheTaskButNotItsSiblings) {
  TempDir dir;
  // x = 1 fails once (then succeeds on its retry); x = 3 always fails.
  dir.write("flaky.py", R"(import json, os, sys
x = json.load(sys.stdin)["x"]
if x == 1 and not os.path.exists("once"):
    open("once", "w").close()
    sys.exit("first attempt of 1 fails")
if x == 3:
    sys.exit("3 always fails")
print("ORK_OUTPUT:" + json.dumps(x * 10))
)");
  dir.write("wf.yaml", R"(tasks:
  each:
    executor: process
    command: [python3, flaky.py]
    input_type: {x: int}
    output_type: int
    retries: 1
    retry_delay: 10ms
    map: {x: [0, 1, 2, 3]}
  report: {executor: process, command: "echo ORK_OUTPUT:1", depends_on: [each], trigger_rule: all_done}
  publish: {executor: process, command: "echo ORK_OUTPUT:1", depends_on: [each]}
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(status_of(run, "each[0]"), "succeeded");
  EXPECT_EQ(status_of(run, "each[1]"), "succeeded");
  EXPECT_EQ(task_of(run, "each[1]").at("attempts").as_int64(), 2);
  EXPECT_EQ(task_of(run, "each[1]").at("output").as_int64(), 10);
  EXPECT_EQ(status_of(run, "each[2]"), "succeeded");
  EXPECT_EQ(status_of(run, "each[3]"), "failed");
  EXPECT_EQ(task_of(run, "each[3]").at("attempts").as_int64(), 2);
  EXPECT_EQ(status_of(run, "each"), "failed");
  std::string error(task_of(run, "each").at("error").as_string());
  EXPECT_EQ(error.rfind("1 of 4 instances failed; the first, each[3]: ", 0), 0u) << error;
  EXPECT_EQ(status_of(run, "publish"), "skipped");
  EXPECT_EQ(status_of(run, "report"), "succeeded") << "all_done runs after a failed mapped task";
}

TEST(Map, WhenIsJudgedOnceForTheMappedTask) {
  TempDir dir;
  dir.write("t.py", fan_py);
  std::string yaml = fan_yaml;
  yaml.insert(yaml.find("    inputs: {min_len: 3}"), "    when: inputs.go\n");
  yaml = "inputs:\n  go: {type: bool}\n" + yaml;
  dir.write("wf.yaml", yaml);
  int code = 0;
  auto run = run_json(dir, {"wf.yaml", "--input", "go=false"}, code);
  EXPECT_EQ(code, 0) << run;
  EXPECT_EQ(status_of(run, "count"), "skipped");
  EXPECT_FALSE(run.at("tasks").as_object().contains("count[0]"));
  run = run_json(dir, {"wf.yaml", "--input", "go=true"}, code);
  EXPECT_EQ(code, 0) << run;
  EXPECT_EQ(task_of(run, "total").at("output").as_int64(), 18);
}

TEST(Map, ARunTimeoutStopsRunningInstancesAndCancelsTheRest) {
  TempDir dir;
  dir.write("wf.yaml", R"(timeout: 1s
tasks:
  each:
    executor: process
    command: "sleep 30"
    max_concurrency: 2
    map: {i: [0, 1, 2, 3, 4, 5]}
  after: {executor: process, command: "echo never", depends_on: [each], trigger_rule: all_done}
)");
  auto started = std::chrono::steady_clock::now();
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20)) << "the timeout must stop the instances";
  EXPECT_EQ(run.at("status").as_string(), "cancelled");
  EXPECT_EQ(status_of(run, "each"), "cancelled");
  for (int k = 0; k < 6; ++k) EXPECT_EQ(status_of(run, "each[" + std::to_string(k) + "]"), "cancelled") << k;
  EXPECT_NE(std::string(task_of(run, "each[5]").at("error").as_string()).find("run timed out"), std::string::npos);
  EXPECT_EQ(status_of(run, "after"), "cancelled");
}

TEST(Map, RerunFromFailureReusesTheInstancesThatSucceeded) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  each:
    executor: process
    command: "echo $ORK_TASK >> side.log; if [ $ORK_MAP_INDEX = 2 ] && [ ! -e fixed ]; then exit 1; fi; echo ORK_OUTPUT:$ORK_MAP_INDEX"
    output_type: int
    map: {i: [0, 1, 2]}
)");
  int code = 0;
  auto first = run_json(dir, {"wf.yaml"}, code);
  ASSERT_EQ(code, 1);
  ASSERT_EQ(status_of(first, "each"), "failed");
  dir.write("fixed", "");
  CommandResult again = run_ork({"rerun", std::string(first.at("run_id").as_string()), "--from-failure", "--json"},
                                dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  auto second = parse_json(again.out).as_object();
  EXPECT_EQ(boost::json::serialize(task_of(second, "each").at("output")), "[0,1,2]");
  std::ifstream in(dir.path() / "side.log");
  std::map<std::string, int> runs;
  for (std::string line; std::getline(in, line);) runs[line]++;
  EXPECT_EQ(runs["each[0]"], 1) << "succeeded in the first run: reused";
  EXPECT_EQ(runs["each[1]"], 1);
  EXPECT_EQ(runs["each[2]"], 2);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Map, ResumeAfterKillNineKeepsFinishedInstancesAndRunsTheRest) {
  TempDir dir;
  dir.write("wf.yaml", R"(tasks:
  each:
    executor: process
    command: "echo $ORK_TASK >> side.log; sleep 0.1; echo ORK_OUTPUT:$ORK_MAP_INDEX"
    output_type: int
    max_concurrency: 1
    map: {i: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]}
  total: {executor: process, command: "cat > seen.json; echo ORK_OUTPUT:1", depends_on: [each]}
)");
  {
    BackgroundOrk run({"run", "wf.yaml"}, dir.path());
    ASSERT_TRUE(run.wait_for_output("✓ each[5] succeeded", 30000)) << run.out() << run.err();
    run.signal(SIGKILL);
    run.wait(5000);
  }
  CommandResult runs = run_ork({"runs", "--json", "--limit", "1"}, dir.path());
  std::string run_id(parse_json(runs.out).at("runs").at(0).at("run_id").as_string());
  auto before = parse_json(run_ork({"tasks", run_id, "--json"}, dir.path()).out);
  std::vector<std::string> finished_before;
  for (const auto& [name, task] : before.at("tasks").as_object()) {
    if (task.at("status").as_string() == "succeeded") finished_before.emplace_back(name);
  }
  ASSERT_GE(finished_before.size(), 6u);
  ASSERT_LT(finished_before.size(), 20u) << "the kill came too late to test a resume in the middle";

  CommandResult resumed = run_ork({"resume", run_id, "--json"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  auto after = parse_json(resumed.out);
  EXPECT_EQ(after.at("status").as_string(), "succeeded");
  auto output = after.at("tasks").at("each").at("output").as_array();
  ASSERT_EQ(output.size(), 20u);
  for (std::size_t k = 0; k < 20; ++k) EXPECT_EQ(output[k].as_int64(), static_cast<std::int64_t>(k));
  std::string side = read_file(dir.path() / "side.log");
  for (const std::string& name : finished_before) {
    std::size_t times = 0;
    for (std::size_t at = side.find(name + "\n"); at != std::string::npos; at = side.find(name + "\n", at + 1)) {
      if (at == 0 || side[at - 1] == '\n') ++times;
    }
    EXPECT_EQ(times, 1u) << name << " succeeded before the kill and must not run again";
  }
  // The downstream task got the whole list, not a list per instance.
  auto seen = parse_json(read_file(dir.path() / "seen.json"));
  EXPECT_EQ(seen.at("upstream").at("each").as_array().size(), 20u);
}

TEST(Map, AListLongerThanTheInstanceLimitFailsTheTaskAndRunsNoInstance) {
  TempDir dir;
  dir.write("t.py", R"(
def numbers() -> list[int]:
    return list(range(100001))

def inc(x: int) -> int:
    return x + 1
)");
  dir.write("wf.yaml", R"(tasks:
  numbers: {executor: python, file: t.py, function: numbers}
  inc: {executor: python, file: t.py, function: inc, map: {x: {from: numbers}}}
)");
  int code = 0;
  auto run = run_json(dir, {"wf.yaml"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(status_of(run, "numbers"), "succeeded");
  EXPECT_EQ(status_of(run, "inc"), "failed");
  EXPECT_EQ(task_of(run, "inc").at("error").as_string(),
            "map: 'x' is mapped over numbers, which has 100001 elements; a mapped task runs at most 100000 "
            "instances (docs/reliability.md, Limits): map over batches of elements instead");
  EXPECT_FALSE(run.at("tasks").as_object().contains("inc[0]")) << "no instance runs";
}

TEST(Map, TenThousandElements) {
  TempDir dir;
  dir.write("t.py", R"(
def numbers() -> list[int]:
    return list(range(10000))

def inc(x: int) -> int:
    return x + 1

def total(inc: list[int]) -> int:
    return sum(inc)
)");
  dir.write("wf.yaml", R"(tasks:
  numbers: {executor: python, file: t.py, function: numbers}
  inc: {executor: python, file: t.py, function: inc, map: {x: {from: numbers}}}
  total: {executor: python, file: t.py, function: total, depends_on: [inc]}
)");
  auto started = std::chrono::steady_clock::now();
  CommandResult r = run_ork({"run", "wf.yaml", "--concurrency", "4"}, dir.path());
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  std::cout << "10 000 mapped instances took " << took.count() << " ms\n";
  EXPECT_LT(took, std::chrono::minutes(5));
  CommandResult runs = run_ork({"runs", "--json", "--limit", "1"}, dir.path());
  std::string run_id(parse_json(runs.out).at("runs").at(0).at("run_id").as_string());
  auto detail = parse_json(run_ork({"tasks", run_id, "--json"}, dir.path()).out);
  EXPECT_EQ(detail.at("tasks").at("total").at("output").as_int64(), 50005000);
  EXPECT_EQ(detail.at("tasks").as_object().size(), 10003u);
  EXPECT_EQ(detail.at("tasks").at("inc[9999]").at("output").as_int64(), 10000);
}

}  // namespace
}  // namespace ork::test
