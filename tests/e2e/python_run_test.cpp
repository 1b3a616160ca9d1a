// The python executor at run time through the real `ork` binary: failures stay
// where they happen (crashes, endless loops, exceptions), huge or binary
// output, task files edited between or during runs, and edges between Python
// and `process` tasks. Task files live in fixtures/python/.
#include "python_support.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace ork::test::python {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// ---- run time: failures stay where they happen -----------------------------------------

TEST(PythonRun, CrashingTasksFailAloneWhileSiblingsSucceed) {
  TempDir dir;
  prepare(dir, R"(defaults: {executor: python, timeout: 60s}
tasks:
  segfault: {file: runtime.py, function: segfault}
  hard_exit: {file: runtime.py, function: hard_exit}
  after_segfault: {file: runtime.py, function: double, inputs: {n: {from: segfault}}}
  one: {file: runtime.py, function: double, inputs: {n: 1}}
  two: {file: runtime.py, function: double, inputs: {n: 2}}
  three: {file: runtime.py, function: double, inputs: {n: 3}}
  after_all:
    file: runtime.py
    function: double
    inputs: {n: {from: three}}
    depends_on: [one, two]
)");
  json::object run = run_json(dir, 1, {"--concurrency", "2"});
  EXPECT_EQ(run.at("status"), "failed");
  EXPECT_EQ(task_of(run, "segfault").at("status"), "failed");
  EXPECT_EQ(task_of(run, "segfault").at("error"), "python worker died: killed by signal SIGSEGV (Segmentation fault)");
  EXPECT_EQ(task_of(run, "hard_exit").at("status"), "failed");
  EXPECT_EQ(task_of(run, "hard_exit").at("error"),
            "python worker died: exited with code 7; last stderr lines: leaving without a word");
  EXPECT_EQ(task_of(run, "after_segfault").at("status"), "skipped");
  EXPECT_EQ(task_of(run, "after_segfault").at("error"), "upstream task 'segfault' failed");
  EXPECT_EQ(task_of(run, "one").at("output"), 2);
  EXPECT_EQ(task_of(run, "two").at("output"), 4);
  EXPECT_EQ(task_of(run, "three").at("output"), 6);
  EXPECT_EQ(task_of(run, "after_all").at("output"), 12);
  EXPECT_EQ(logs_after_worker_line(dir, std::string(run.at("run_id").as_string()), "segfault"),
            "reading address 0\n");
}

TEST(PythonRun, TimeoutKillsATaskStuckInCCodeOrInABusyLoop) {
  TempDir dir;
  prepare(dir, R"(defaults: {executor: python}
tasks:
  sleeper: {file: runtime.py, function: sleep_forever, timeout: 300ms}
  spinner: {file: runtime.py, function: spin_forever, timeout: 300ms}
  in_libc: {file: runtime.py, function: stuck_in_libc, timeout: 300ms}
  after_sleeper: {file: runtime.py, function: double, inputs: {n: 5}, depends_on: [sleeper]}
  next: {file: runtime.py, function: double, inputs: {n: 5}}
)");
  auto started = std::chrono::steady_clock::now();
  json::object run = run_json(dir, 1, {"--concurrency", "2"});
  auto elapsed = std::chrono::steady_clock::now() - started;
  const json::value killed = "timed out after 300ms; the python worker running it was killed (a new one replaces it)";
  EXPECT_EQ(task_of(run, "sleeper").at("status"), "failed");
  EXPECT_EQ(task_of(run, "sleeper").at("error"), killed);
  EXPECT_EQ(task_of(run, "spinner").at("status"), "failed");
  EXPECT_EQ(task_of(run, "spinner").at("error"), killed);
  EXPECT_EQ(task_of(run, "in_libc").at("error"), killed);
  EXPECT_EQ(task_of(run, "after_sleeper").at("status"), "skipped");
  EXPECT_EQ(task_of(run, "next").at("output"), 10);  // on a worker that replaced a killed one, or a fresh one
  // Generous: the point is that neither loop runs on until some far larger limit.
  EXPECT_LT(elapsed, std::chrono::seconds(30));
}

TEST(PythonRun, ExceptionIsTheTasksErrorAndItsTracebackIsInTheLogs) {
  TempDir dir;
  prepare(dir, "tasks:\n  bad: {executor: python, file: runtime.py, function: fails, inputs: {row: 3}}\n");
  json::object run = run_json(dir, 1);
  EXPECT_EQ(task_of(run, "bad").at("error").as_string(),
            "ValueError: bad row 3 (at " + (dir.path() / "runtime.py").string() + ":55 in fails)");
  std::string logs = logs_after_worker_line(dir, std::string(run.at("run_id").as_string()), "bad");
  EXPECT_EQ(logs.rfind("! Traceback (most recent call last):\n", 0), 0u) << logs;
  EXPECT_NE(logs.find("! ValueError: bad row 3\n"), std::string::npos) << logs;
}

TEST(PythonRun, SixteenMebibyteReturnValueReachesTheNextTask) {
  TempDir dir;
  prepare(dir, R"(defaults: {executor: python}
tasks:
  big: {file: runtime.py, function: big, inputs: {mebibytes: 16}}
  length: {file: runtime.py, function: length, depends_on: [big]}
)");
  json::object run = run_json(dir, 0);
  const json::value& big = task_of(run, "big").at("output");
  ASSERT_TRUE(big.is_string());
  EXPECT_EQ(big.as_string().size(), std::size_t{16} << 20);
  EXPECT_EQ(task_of(run, "length").at("output"), 16 << 20);
}

TEST(PythonRun, BytesThatAreNotUtf8AreKeptInTheStore) {
  TempDir dir;
  prepare(dir, "tasks:\n  prints: {executor: python, file: runtime.py, function: binary_prints}\n");
  json::object run = run_json(dir, 0);
  EXPECT_EQ(task_of(run, "prints").at("output"), "printed");
  std::string run_id(run.at("run_id").as_string());
  // Stream 1 is stdout; the bytes are stored as the task wrote them.
  EXPECT_EQ(sqlite_rows(dir.path() / ".ork/ork.db",
                        "SELECT hex(line) FROM logs WHERE stream = 1 AND run_id = '" + run_id + "' ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"72617720FFFE206279746573"},                // raw \xff\xfe bytes
                {"68616C6620C328206120636861726163746572"},  // half \xc3( a character
                {"636166C3A9"}}));                           // café
  // `ork logs` prints text: each byte that is not UTF-8 shows as U+FFFD.
  EXPECT_EQ(logs_after_worker_line(dir, run_id, "prints"),
            "raw \xEF\xBF\xBD\xEF\xBF\xBD bytes\nhalf \xEF\xBF\xBD( a character\ncaf\xC3\xA9\n");
}

TEST(PythonRun, AFileEditedBetweenTwoRunsIsImportedAgain) {
  TempDir dir;
  prepare(dir, R"(tasks:
  value: {executor: python, file: edited.py, function: value}
  scale: {executor: python, file: cross.py, function: scale, inputs: {n: {from: value}}}
)");
  dir.write("edited.py", "def value() -> int:\n    return 1\n");
  EXPECT_EQ(task_of(run_json(dir, 0), "scale").at("output"), 10);

  dir.write("edited.py", "def value() -> int:\n    return 42\n");
  EXPECT_EQ(task_of(run_json(dir, 0), "scale").at("output"), 420);

  // The new signature is checked too, not only the new body.
  dir.write("edited.py", "def value() -> str:\n    return 'forty-two'\n");
  CommandResult refused = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.err,
            "wf.yaml:3:81: task \"scale\" input \"n\": the output of value is str, but parameter \"n\" expects int\n"
            "ork: workflow refused (1 error); nothing was run or recorded\n");
}

TEST(PythonRun, AFileEditedDuringTheRunIsImportedAgainBeforeItsTaskRuns) {
  TempDir dir;
  // Compiling imports edited.py (returning 1); `rewrite` then changes it, and
  // `value` runs after that, in a worker that may have imported the old file.
  prepare(dir, R"(tasks:
  rewrite: {executor: python, file: runtime.py, function: rewrite, inputs: {path: edited.py, value: 1234}}
  value: {executor: python, file: edited.py, function: value, depends_on: [rewrite]}
)");
  dir.write("edited.py", "def value() -> int:\n    return 1\n");
  EXPECT_EQ(task_of(run_json(dir, 0, {"--concurrency", "1"}), "value").at("output"), 1234);
}

// ---- edges between python and process tasks -------------------------------------------

const char* const python_into_process = R"(tasks:
  numbers: {executor: python, file: cross.py, function: numbers}
  show:
    executor: process
    command: cat
    input_type: {values: "list[%s]", label: str}
    inputs:
      values: {from: numbers.values}
      label: {from: numbers.label}
)";

std::string with_item_type(const char* format, const std::string& item) {
  std::string text(format);
  text.replace(text.find("%s"), 2, item);
  return text;
}

TEST(PythonCrossExecutor, PythonOutputFeedsAProcessInputType) {
  TempDir dir;
  prepare(dir, with_item_type(python_into_process, "int"));
  json::object run = run_json(dir, 0);
  CommandResult logs = run_ork({"logs", std::string(run.at("run_id").as_string()), "show"}, dir.path());
  EXPECT_EQ(logs.out,
            "{\"values\":[1,2,3],\"label\":\"small\",\"upstream\":{\"numbers\":{\"values\":[1,2,3],\"label\":\"small\"}}}"
            "\n");
  CommandResult validate = run_ork({"validate", "wf.yaml", "--json"}, dir.path());
  EXPECT_EQ(parse_json(validate.out).at("tasks").at("numbers").at("output"), "{values: list[int], label: str}");
  EXPECT_EQ(parse_json(validate.out).at("tasks").at("show").at("inputs"),
            parse_json(R"({"values": "list[int]", "label": "str"})"));

  expect_refused(with_item_type(python_into_process, "str"),
                 {"wf.yaml:8:22: task \"show\" input \"values\": numbers.values is list[int], but parameter \"values\" "
                  "expects list[str]"});
}

const char* const process_into_python = R"(tasks:
  count:
    executor: process
    command: echo 'ORK_OUTPUT:{"n":4}'
    output_type: {n: %s}
  scaled:
    executor: python
    file: cross.py
    function: scale
    inputs: {n: {from: count.n}}
)";

TEST(PythonCrossExecutor, ProcessOutputTypeFeedsAPythonParameter) {
  TempDir dir;
  prepare(dir, with_item_type(process_into_python, "int"));
  EXPECT_EQ(task_of(run_json(dir, 0), "scaled").at("output"), 40);

  expect_refused(with_item_type(process_into_python, "float"),
                 {"wf.yaml:10:24: task \"scaled\" input \"n\": count.n is float, but parameter \"n\" expects int"});
}

}  // namespace
}  // namespace ork::test::python
