// The python executor through the real `ork` binary: the three examples, every
// way a workflow of typed Python functions is refused (with the exact message
// and exit code 2), and what happens when a task misbehaves at run time —
// crashes, endless loops, huge or binary output — and edges between Python and
// `process` tasks. Task files live in fixtures/python/ and are copied into a
// temporary workflow directory for each test.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace ork::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

fs::path source_path(const std::string& relative) { return fs::path(ORK_SOURCE_DIR) / relative; }

// Copies the python fixtures into `dir` and writes `yaml` as dir/wf.yaml.
void prepare(const TempDir& dir, const std::string& yaml) {
  fs::copy(source_path("tests/e2e/fixtures/python"), dir.path(), fs::copy_options::recursive);
  dir.write("wf.yaml", yaml);
}

// Runs `ork run wf.yaml --json ARGS...` and returns the run object; the exit
// code must be `expected_exit`.
json::object run_json(const TempDir& dir, int expected_exit, const std::vector<std::string>& extra_args = {}) {
  std::vector<std::string> args{"run", "wf.yaml", "--json"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  CommandResult r = run_ork(args, dir.path());
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  if (r.out.empty()) ADD_FAILURE() << "no JSON on stdout; stderr:\n" << r.err;
  return r.out.empty() ? json::object{} : parse_json(r.out).as_object();
}

const json::object& task_of(const json::object& run, const std::string& name) {
  return run.at("tasks").at(name).as_object();
}

// A refused workflow: exit 2, exactly `errors` (each `file:line:col: message`;
// `{dir}` stands for the workflow's directory) then the summary line on
// stderr, nothing on stdout, nothing recorded.
void expect_refused(const std::string& yaml, const std::vector<std::string>& errors) {
  TempDir dir;
  prepare(dir, yaml);
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string expected;
  for (std::string e : errors) {
    if (std::size_t at = e.find("{dir}"); at != std::string::npos) e.replace(at, 5, dir.path().string());
    expected += e + "\n";
  }
  expected += "ork: workflow refused (" + std::to_string(errors.size()) +
              (errors.size() == 1 ? " error" : " errors") + "); nothing was run or recorded\n";
  EXPECT_EQ(r.err, expected);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(dir.path() / ".ork")) << "a refused workflow must record nothing";
}

// `ork logs RUN TASK` without the first line, the executor's note naming the
// worker (its pid changes from run to run).
std::string logs_after_worker_line(const TempDir& dir, const std::string& run_id, const std::string& task) {
  CommandResult r = run_ork({"logs", run_id, task}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string note = "# python worker pid ";
  EXPECT_EQ(r.out.rfind(note, 0), 0u) << r.out;
  std::size_t end_of_note = r.out.find('\n');
  return end_of_note == std::string::npos ? "" : r.out.substr(end_of_note + 1);
}

// ---- examples -----------------------------------------------------------------

// Copies examples/<name> into dir/<name>.
void copy_example(const TempDir& dir, const std::string& name) {
  fs::copy(source_path("examples/" + name), dir.path() / name, fs::copy_options::recursive);
}

TEST(PythonExamples, SimpleArgsBindsConstantsADefaultAndAnUpstreamByName) {
  TempDir dir;
  copy_example(dir, "simple_args");
  CommandResult r = run_ork({"run", "simple_args/simple_args.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object run = parse_json(r.out).as_object();
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(task_of(run, "add_math").at("output"), 15);
  EXPECT_EQ(task_of(run, "greet").at("output"), "HELLO, ORK! THE SUM IS 15.");
  EXPECT_EQ(logs_after_worker_line(dir, std::string(run.at("run_id").as_string()), "add_math"), "5 + 10 = 15\n");
}

TEST(PythonExamples, SimpleArgsValidateJsonShowsEachTasksTypes) {
  TempDir dir;
  copy_example(dir, "simple_args");
  CommandResult r = run_ork({"validate", "simple_args/simple_args.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_json(r.out), parse_json(R"({
    "ok": true, "errors": [], "workflow": "simple_args",
    "tasks": {
      "add_math": {"executor": "python", "depends_on": [], "inputs": {"a": "int", "b": "int"}, "defaults": ["b"],
                   "output": "int", "typed": true},
      "greet": {"executor": "python", "depends_on": ["add_math"],
                "inputs": {"name": "str", "add_math": "int", "shout": "bool"}, "defaults": ["shout"],
                "output": "str", "typed": true}}})"));
}

TEST(PythonExamples, QuickstartFillsTheWarehouseUnderItsOwnDotOrk) {
  TempDir dir;
  copy_example(dir, "quickstart");
  CommandResult r = run_ork({"run", "quickstart/elt_pipeline.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object run = parse_json(r.out).as_object();
  EXPECT_EQ(run.at("status"), "succeeded");
  EXPECT_EQ(run.at("inputs"), parse_json(R"({"warehouse": ".ork/warehouse.db", "top": 3})"));
  EXPECT_EQ(task_of(run, "bronze_comments").at("output"), parse_json(R"({"table": "bronze_comments", "rows": 9})"));
  EXPECT_EQ(task_of(run, "silver_posts").at("output"),
            parse_json(R"({"table": "silver_posts", "rows": 4, "dropped": 1})"));
  EXPECT_EQ(task_of(run, "silver_comments").at("output"),
            parse_json(R"({"table": "silver_comments", "rows": 8, "dropped": 1})"));
  EXPECT_EQ(task_of(run, "gold_analytics").at("output"), parse_json(R"({
    "top_posts": [
      {"post_id": 1, "title": "Notes on the analytical engine", "author": "Ada Lovelace", "comments": 3},
      {"post_id": 3, "title": "Go to considered harmful", "author": "Edsger Dijkstra", "comments": 2},
      {"post_id": 2, "title": "Finding the first bug", "author": "Grace Hopper", "comments": 1}],
    "user_engagement": [
      {"user_id": 1, "name": "Ada Lovelace", "posts": 1, "comments_received": 3, "comments_written": 2},
      {"user_id": 2, "name": "Grace Hopper", "posts": 2, "comments_received": 2, "comments_written": 2},
      {"user_id": 3, "name": "Edsger Dijkstra", "posts": 1, "comments_received": 2, "comments_written": 2}]})"));

  // Tasks run in the workflow's directory, so the default warehouse is there.
  fs::path warehouse = dir.path() / "quickstart" / ".ork" / "warehouse.db";
  ASSERT_TRUE(fs::exists(warehouse));
  EXPECT_EQ(sqlite_rows(warehouse, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
            (std::vector<std::vector<std::string>>{{"bronze_comments"}, {"bronze_posts"}, {"bronze_users"},
                                                   {"gold_top_posts"}, {"gold_user_engagement"}, {"silver_comments"},
                                                   {"silver_posts"}, {"silver_users"}}));
  EXPECT_EQ(sqlite_rows(warehouse, "SELECT email, city FROM silver_users ORDER BY id"),
            (std::vector<std::vector<std::string>>{
                {"ada@example.org", "London"}, {"grace@example.org", "Arlington"}, {"ewd@example.nl", "Nuenen"}}));

  // A second run rebuilds the same tables; a workflow input moves the warehouse.
  CommandResult again = run_ork({"run", "quickstart/elt_pipeline.yaml", "--json", "--input",
                                 "warehouse=" + (dir.path() / "elsewhere.db").string(), "--input", "top=1"},
                                dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(sqlite_rows(dir.path() / "elsewhere.db", "SELECT post_id, comments FROM gold_top_posts"),
            (std::vector<std::vector<std::string>>{{"1", "3"}}));
  EXPECT_EQ(sqlite_rows(warehouse, "SELECT count(*) FROM silver_comments"),
            (std::vector<std::vector<std::string>>{{"8"}}));
}

TEST(PythonExamples, QuickstartValidateJsonShowsTypedDictsAndDataclasses) {
  TempDir dir;
  copy_example(dir, "quickstart");
  CommandResult r = run_ork({"validate", "quickstart/elt_pipeline.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object tasks = parse_json(r.out).at("tasks").as_object();
  ASSERT_EQ(tasks.size(), 7u);
  EXPECT_EQ(tasks.at("bronze_users"), parse_json(R"({"executor": "python", "depends_on": [],
    "inputs": {"source": "str", "warehouse": "str"}, "defaults": [], "output": "{table: str, rows: int}",
    "typed": true})"));
  EXPECT_EQ(tasks.at("silver_posts"), parse_json(R"({"executor": "python", "depends_on": ["bronze_posts"],
    "inputs": {"bronze_posts": "{table: str, rows: int}", "warehouse": "str"}, "defaults": [],
    "output": "{table: str, rows: int, dropped: int}", "typed": true})"));
  EXPECT_EQ(tasks.at("gold_analytics"), parse_json(R"({"executor": "python",
    "depends_on": ["silver_comments", "silver_posts", "silver_users"],
    "inputs": {"silver_posts": "{table: str, rows: int, dropped: int}",
               "silver_comments": "{table: str, rows: int, dropped: int}",
               "silver_users": "{table: str, rows: int, dropped: int}", "warehouse": "str", "top": "int"},
    "defaults": ["top"],
    "output": "{top_posts: list[{post_id: int, title: str, author: str, comments: int}], user_engagement: list[{user_id: int, name: str, posts: int, comments_received: int, comments_written: int}]}",
    "typed": true})"));
}

TEST(PythonExamples, FastChainAndFan) {
  TempDir dir;
  copy_example(dir, "fast");
  CommandResult validate = run_ork({"validate", "fast/fan.yaml", "--json"}, dir.path());
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  json::value fan_tasks = parse_json(validate.out).at("tasks");
  EXPECT_EQ(fan_tasks.at("leaf200"), parse_json(R"({"executor": "python", "depends_on": ["start"],
    "inputs": {"start": "int", "i": "int"}, "defaults": [], "output": "int", "typed": true})"));
  EXPECT_EQ(fan_tasks.at("total").at("inputs"), parse_json(R"({"upstream": "dict[str, int]"})"));
  EXPECT_EQ(fan_tasks.at("total").at("depends_on").as_array().size(), 200u);

  CommandResult chain = run_ork({"run", "fast/chain.yaml", "--json"}, dir.path());
  ASSERT_EQ(chain.exit_code, 0) << chain.err;
  json::object chain_run = parse_json(chain.out).as_object();
  EXPECT_EQ(chain_run.at("tasks").as_object().size(), 40u);
  EXPECT_EQ(task_of(chain_run, "t40").at("output"), 40);

  CommandResult fan = run_ork({"run", "fast/fan.yaml", "--json", "--concurrency", "2"}, dir.path());
  ASSERT_EQ(fan.exit_code, 0) << fan.err;
  json::object fan_run = parse_json(fan.out).as_object();
  EXPECT_EQ(fan_run.at("tasks").as_object().size(), 202u);
  EXPECT_EQ(task_of(fan_run, "leaf007").at("output"), 7);
  EXPECT_EQ(task_of(fan_run, "total").at("output"), 20100);  // 1 + 2 + ... + 200
  std::string run_id(fan_run.at("run_id").as_string());
  EXPECT_EQ(sqlite_rows(dir.path() / ".ork/ork.db",
                        "SELECT count(*) FROM attempts WHERE status = 'succeeded' AND run_id = '" + run_id + "'"),
            (std::vector<std::vector<std::string>>{{"202"}}));
}

// ---- refusals: signatures ---------------------------------------------------------

TEST(PythonRefusals, UntypedParameter) {
  expect_refused(R"(tasks:
  a:
    executor: python
    file: signatures.py
    function: untyped_param
    inputs: {n: 1}
)",
                 {"wf.yaml:5:5: task \"a\": signatures.py:9: function 'untyped_param' parameter 'rows' has no type "
                  "annotation"});
}

TEST(PythonRefusals, UntypedReturn) {
  expect_refused(R"(tasks:
  a:
    executor: python
    file: signatures.py
    function: untyped_return
    inputs: {n: 1}
)",
                 {"wf.yaml:5:5: task \"a\": signatures.py:13: function 'untyped_return' has no return type annotation "
                  "(write '-> None' if it returns nothing)"});
}

// ---- refusals: each binding kind ---------------------------------------------------

TEST(PythonRefusals, MismatchOnAnExplicitReference) {
  expect_refused(R"(tasks:
  strings: {executor: python, file: signatures.py, function: strings}
  count:
    executor: python
    file: signatures.py
    function: count_ints
    inputs:
      strings: {from: strings}
)",
                 {"wf.yaml:8:23: task \"count\" input \"strings\": the output of strings is list[str], but parameter "
                  "\"strings\" expects list[int]"});
}

TEST(PythonRefusals, MismatchOnAnImplicitBindingByUpstreamName) {
  expect_refused(R"(tasks:
  strings: {executor: python, file: signatures.py, function: strings}
  count:
    executor: python
    file: signatures.py
    function: count_ints
    depends_on: [strings]
)",
                 {"wf.yaml:7:18: task \"count\" parameter \"strings\": the output of strings is list[str], but "
                  "parameter \"strings\" expects list[int]"});
}

TEST(PythonRefusals, MismatchOnTheUpstreamParameter) {
  expect_refused(R"(tasks:
  text: {executor: python, file: signatures.py, function: text}
  maybe: {executor: python, file: signatures.py, function: maybe}
  total:
    executor: python
    file: signatures.py
    function: sum_upstream
    depends_on: [text, maybe]
)",
                 {"wf.yaml:4:3: task \"total\" parameter \"upstream\": the upstream outputs are {maybe: int | None, text: "
                  "str}, but parameter \"upstream\" expects dict[str, int]: field \"maybe\": int | None does not fit "
                  "int: the value may be None"});
}

TEST(PythonRefusals, MismatchOnAConstant) {
  expect_refused(R"(tasks:
  a:
    executor: python
    file: signatures.py
    function: needs_int
    inputs:
      maybe: "five"
)",
                 {"wf.yaml:7:14: task \"a\" input \"maybe\": the constant \"five\" is str, but parameter \"maybe\" "
                  "expects int"});
}

TEST(PythonRefusals, OptionalIntoNonOptional) {
  expect_refused(R"(tasks:
  maybe: {executor: python, file: signatures.py, function: maybe}
  a:
    executor: python
    file: signatures.py
    function: needs_int
    depends_on: [maybe]
)",
                 {"wf.yaml:7:18: task \"a\" parameter \"maybe\": the output of maybe is int | None, but parameter "
                  "\"maybe\" expects int: the value may be None"});
}

TEST(PythonRefusals, MissingFieldInAnObject) {
  expect_refused(R"(tasks:
  partial: {executor: python, file: signatures.py, function: partial}
  a:
    executor: python
    file: signatures.py
    function: needs_full
    inputs:
      cfg: {from: partial}
)",
                 {"wf.yaml:8:19: task \"a\" input \"cfg\": the output of partial is Partial, but parameter \"cfg\" "
                  "expects Full: missing field \"b\" (str)"});
}

TEST(PythonRefusals, AllErrorsOfOneWorkflowAtOnceAndInValidateJson) {
  const std::string yaml = R"(tasks:
  a: {executor: python, file: signatures.py, function: untyped_return}
  b: {executor: python, file: signatures.py, function: needs_int, inputs: {maybe: [1]}}
)";
  const std::string untyped = "task \"a\": signatures.py:13: function 'untyped_return' has no return type annotation "
                              "(write '-> None' if it returns nothing)";
  expect_refused(yaml, {"wf.yaml:2:46: " + untyped,
                        "wf.yaml:3:83: task \"b\" input \"maybe\": the constant [1] is list[int], but parameter "
                        "\"maybe\" expects int"});
  TempDir dir;
  prepare(dir, yaml);
  CommandResult r = run_ork({"validate", "wf.yaml", "--json"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  json::value doc = parse_json(r.out);
  EXPECT_EQ(doc.at("ok"), false);
  EXPECT_TRUE(doc.at("tasks").as_object().empty());
  ASSERT_EQ(doc.at("errors").as_array().size(), 2u);
  EXPECT_EQ(doc.at("errors").at(0),
            (json::object{{"file", "wf.yaml"}, {"line", 2}, {"col", 46}, {"message", untyped}}));
}

TEST(PythonRefusals, AFloatConstantIsQuotedAsWritten) {
  expect_refused(R"(tasks:
  a:
    executor: python
    file: signatures.py
    function: needs_int
    inputs:
      maybe: 1.5
)",
                 {"wf.yaml:7:14: task \"a\" input \"maybe\": the constant 1.5 is float, but parameter \"maybe\" "
                  "expects int"});
}

// ---- refusals: task files that do not import ------------------------------------------

TEST(PythonRefusals, SyntaxErrorsGiveThePythonFilesLineAndColumn) {
  expect_refused(R"(tasks:
  by_file: {executor: python, file: syntax_error.py, function: ok}
  by_module: {executor: python, module: mods.unclosed}
)",
                 {"wf.yaml:2:31: task \"by_file\": syntax_error.py:5:30: SyntaxError: invalid syntax",
                  "wf.yaml:3:33: task \"by_module\": mods/unclosed.py:2:12: SyntaxError: '(' was never closed"});
}

TEST(PythonRefusals, ImportErrorsGiveTheLineThatFailed) {
  expect_refused(R"(tasks:
  by_file: {executor: python, file: import_error.py}
  by_module: {executor: python, module: mods.broken}
  missing: {executor: python, module: mods.absent}
)",
                 {"wf.yaml:2:31: task \"by_file\": importing import_error.py failed: ImportError: cannot import name "
                  "'no_such_name_for_ork_e2e' from 'os' (/usr/lib/python3.11/os.py) (traceback: import_error.py:4 in "
                  "<module>)",
                  "wf.yaml:3:33: task \"by_module\": importing module 'mods.broken' failed: ModuleNotFoundError: No "
                  "module named 'no_such_module_for_ork_e2e' (traceback: "
                  "mods/broken.py:4 in <module>)",
                  "wf.yaml:4:31: task \"missing\": module 'mods.absent' not found: no mods/absent.py or package "
                  "mods/absent/ in the workflow directory {dir} or on the worker's python path"});
}

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
}  // namespace ork::test
