// Task outputs nest at most ORK_MAX_JSON_DEPTH (512) levels (issue 10,
// finding 9): a deeper output used to be accepted by the executors, then came
// back from the store as a *string*, so a resumed run handed a downstream task
// a `str` where an uninterrupted run gave a `list`. Now a process or python
// task whose output is too deep fails with a clear error, and one within the
// limit round-trips through the store as the same list.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ork::test {
namespace {

namespace json = boost::json;

constexpr const char* deep_py = R"(from typing import Any


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def depth_of(value: Any) -> int:
    depth = 0
    while isinstance(value, list):
        depth += 1
        value = value[0] if value else None
    return depth
)";

std::string nested_list(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// How deeply `value` nests lists (the first element at each level).
int list_depth(const json::value& value) {
  int depth = 0;
  for (const json::value* v = &value; v->is_array(); v = v->as_array().empty() ? nullptr : &v->as_array()[0]) {
    ++depth;
    if (v->as_array().empty()) break;
  }
  return depth;
}

json::object run_workflow(const TempDir& dir, const std::string& yaml, int expected_exit) {
  dir.write("deep.py", deep_py);
  dir.write("wf.yaml", yaml);
  CommandResult r = run_ork({"run", "wf.yaml", "--json"}, dir.path());
  EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
  if (r.out.empty()) return {};
  return parse_json(r.out).as_object();
}

TEST(OutputDepth, ProcessOutputDeeperThanTheLimitFailsTheTask) {
  TempDir dir;
  dir.write("deep.txt", "ORK_OUTPUT:" + nested_list(600) + "\n");
  json::object run = run_workflow(dir, R"(
tasks:
  make: {executor: process, command: cat deep.txt}
)", 1);
  ASSERT_TRUE(run.contains("tasks"));
  const json::value& make = run.at("tasks").at("make");
  EXPECT_EQ(make.at("status").as_string(), "failed");
  EXPECT_NE(std::string(make.at("error").as_string()).find("output nests deeper than 512 levels"), std::string::npos)
      << make;
}

// The same limit when the attempt runs in an `ork worker` and its result
// reaches the scheduler through the queue of a shared store.
TEST(OutputDepth, OutputDeeperThanTheLimitFailsTheTaskOnAWorker) {
  TempDir dir;
  dir.write("deep.txt", "ORK_OUTPUT:" + nested_list(600) + "\n");
  dir.write("ok.txt", "ORK_OUTPUT:" + nested_list(500) + "\n");
  dir.write("deep.py", deep_py);
  dir.write("wf.yaml", R"(
tasks:
  make: {executor: process, command: cat deep.txt}
  fine: {executor: process, command: cat ok.txt}
)");
  BackgroundOrk worker({"worker", "--slots", "2", "--name", "w1", "--executors", "process"}, dir.path());
  ASSERT_TRUE(worker.wait_for_output("slots", 20000)) << worker.out() << worker.err();
  CommandResult r = run_ork({"run", "wf.yaml", "--workers-only", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  json::object run = parse_json(r.out).as_object();
  const json::value& make = run.at("tasks").at("make");
  EXPECT_EQ(make.at("status").as_string(), "failed");
  EXPECT_NE(std::string(make.at("error").as_string()).find("output nests deeper than 512 levels"), std::string::npos)
      << make;
  const json::value& fine = run.at("tasks").at("fine");
  EXPECT_EQ(fine.at("status").as_string(), "succeeded") << fine;
  EXPECT_EQ(list_depth(fine.at("output")), 500);
}

TEST(OutputDepth, PythonOutputDeeperThanTheLimitFailsTheTask) {
  TempDir dir;
  json::object run = run_workflow(dir, R"(
tasks:
  make: {executor: python, file: deep.py, function: nested, inputs: {depth: 600}}
)", 1);
  ASSERT_TRUE(run.contains("tasks"));
  const json::value& make = run.at("tasks").at("make");
  EXPECT_EQ(make.at("status").as_string(), "failed");
  EXPECT_NE(std::string(make.at("error").as_string()).find("output nests deeper than 512 levels"), std::string::npos)
      << make;
}

TEST(OutputDepth, OutputsWithinTheLimitRoundTripThroughTheStoreAsLists) {
  TempDir dir;
  dir.write("deep.txt", "ORK_OUTPUT:" + nested_list(500) + "\n");
  json::object run = run_workflow(dir, R"(
tasks:
  from_process: {executor: process, command: cat deep.txt}
  from_python: {executor: python, file: deep.py, function: nested, inputs: {depth: 512}}
  measure_process: {executor: python, file: deep.py, function: depth_of, inputs: {value: {from: from_process}}}
  measure_python: {executor: python, file: deep.py, function: depth_of, inputs: {value: {from: from_python}}}
)", 0);
  ASSERT_TRUE(run.contains("tasks"));
  EXPECT_EQ(run.at("tasks").at("measure_process").at("output"), 500);
  EXPECT_EQ(run.at("tasks").at("measure_python").at("output"), 512);

  // Read back from the store, as a resumed run would see them.
  CommandResult stored = run_ork({"tasks", std::string(run.at("run_id").as_string()), "--json"}, dir.path());
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  json::value tasks = parse_json(stored.out).at("tasks");
  EXPECT_EQ(list_depth(tasks.at("from_process").at("output")), 500) << "came back as " << tasks.at("from_process").at("output").kind();
  EXPECT_EQ(list_depth(tasks.at("from_python").at("output")), 512);
}

}  // namespace
}  // namespace ork::test
