// Run-time behaviour of the python executor for one task at a time: argument
// binding and conversion, return value serialisation, errors and logs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_harness.hpp"

namespace ork::plugins::python::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

RunOutcome run_task(const std::string& function, const std::string& input_json = "{}") {
  RunOptions options;
  options.input_json = input_json;
  return run(fixtures(), boost::json::object{{"file", "tasks.py"}, {"function", function}}, options);
}

// The output of a task that must succeed, parsed.
boost::json::value output_of(const std::string& function, const std::string& input_json = "{}") {
  RunOutcome outcome = run_task(function, input_json);
  EXPECT_EQ(outcome.status, ORK_STATUS_OK) << outcome.executor_error;
  EXPECT_EQ(outcome.finish_calls, 1);
  EXPECT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.log_text();
  return outcome.output.empty() ? boost::json::value(nullptr) : boost::json::parse(outcome.output);
}

// The output of `function` in a file of its own, run by a fresh worker (one per workflow directory).
std::string output_in_own_worker(const std::string& source, const std::string& function, const std::string& input) {
  TempDir dir;
  dir.write("plain.py", source);
  RunOptions options;
  options.input_json = input;
  RunOutcome outcome = run(dir.path(), boost::json::object{{"file", "plain.py"}, {"function", function}}, options);
  EXPECT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.error << "\n" << outcome.log_text();
  return outcome.output;
}

// ---- binding ------------------------------------------------------------------

TEST(Binding, ExplicitInputs) { EXPECT_EQ(output_of("add", R"({"a": 2, "b": 3, "upstream": {}})"), 5); }

TEST(Binding, ParameterNamedLikeAnUpstreamTaskGetsItsWholeOutput) {
  EXPECT_EQ(output_of("by_upstream", R"({"factor": 3, "upstream": {"extract": {"n": 2}}})"), 6);
}

TEST(Binding, ExplicitInputWinsOverUpstreamOfTheSameName) {
  EXPECT_EQ(output_of("by_upstream", R"({"extract": {"n": 5}, "factor": 1, "upstream": {"extract": {"n": 2}}})"), 5);
}

TEST(Binding, UpstreamParameterGetsAllUpstreamOutputs) {
  EXPECT_EQ(output_of("all_upstream", R"({"upstream": {"b": 1, "a": null}})"), boost::json::parse(R"(["a", "b"])"));
}

TEST(Binding, DefaultWhenNothingBindsAParameter) {
  EXPECT_EQ(output_of("with_default", R"({"upstream": {}})"), 5);
  EXPECT_EQ(output_of("with_default", R"({"x": 7})"), 7);
}

TEST(Binding, AsyncFunctionsAreAwaited) { EXPECT_EQ(output_of("async_add", R"({"a": 2, "b": 5})"), 7); }

TEST(Binding, WholeInputIntoADataclass) {
  EXPECT_EQ(output_of("whole_dataclass", R"({"name": "n", "count": 2, "upstream": {"other": 1}})"), "Job:n:2");
}

TEST(Binding, WholeInputIntoAPydanticModelWithAFieldFromUpstream) {
  EXPECT_EQ(output_of("whole_pydantic", R"({"name": "n", "count": 2, "upstream": {"extract": {"n": 1}}})"),
            "JobModel:n:2:{'n': 1}");
}

TEST(Binding, UnboundParameterFailsTheTask) {
  RunOutcome outcome = run_task("add", R"({"a": 1})");
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(outcome.error, HasSubstr("function 'add' parameter(s) 'b' are not bound"));
}

TEST(Binding, ConversionsIntoAnnotatedTypes) {
  EXPECT_EQ(output_of("conversions", R"({
      "day": "2024-01-02", "at": "2024-01-02T03:04:05",
      "item": {"sku": "a", "day": "2024-05-06", "extra": true},
      "items": [{"sku": "b", "day": "2024-05-07"}, {"sku": "c", "day": "2024-05-08"}],
      "pair": [1, "x"]})"),
            "date 2024-01-02 datetime 3 Item date Item tuple");
}

TEST(Binding, UnconvertibleInputNamesTheParameter) {
  RunOutcome outcome = run_task("conversions", R"({"day": "yesterday", "at": "2024-01-02T03:04:05",
      "item": {"sku": "a", "day": "2024-05-06"}, "items": [], "pair": [1, "x"]})");
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(outcome.error, StartsWith("cannot convert input 'day' to datetime.date: ValueError:"));
}

// ---- return values -------------------------------------------------------------------

// The worker's run path imports no standard module the interpreter did not
// load at start (ork_worker.py): each of these cost a worker start, which
// `ork run` of one task waits for, ~1-6 ms. A task imports them itself when it
// needs them; a plain function binds and returns without them.
TEST(Binding, APlainTaskRunsWithoutImportingHeavyStandardModules) {
  const std::string source =
      "import sys\n"
      "HEAVY = ['json', 're', 'enum', 'typing', 'inspect', 'dataclasses', 'datetime', 'importlib.util',\n"
      "         'collections', 'modulefinder', 'ast', 'ork_introspect', 'ork_convert', 'ork_code_files']\n"
      "def main(n: int, ratio: float, label: 'str' = 'x', *, flag: bool = False) -> list:\n"
      "    return [name for name in HEAVY if name in sys.modules] + [n * ratio, label, flag]\n";
  EXPECT_EQ(output_in_own_worker(source, "main", R"({"n": 3, "ratio": 2})"), R"([6.0,"x",false])");
}

// Functions planned without inspect and typing (plain annotations) bind as
// those planned with them: defaults, keyword-only parameters, int -> float,
// string annotations, and a module that shadows a builtin's name.
TEST(Binding, PlainAnnotationsBindLikeResolvedOnes) {
  const std::string source =
      "from __future__ import annotations\n"
      "def scaled(n: int, ratio: float = 0.5, *, label: str = 'x', none: None = None) -> str:\n"
      "    return f'{n * ratio!r}:{type(ratio).__name__}:{label}:{none}'\n";
  EXPECT_EQ(output_in_own_worker(source, "scaled", R"({"n": 3})"), R"("1.5:float:x:None")");
  EXPECT_EQ(output_in_own_worker(source, "scaled", R"({"n": 3, "ratio": 2, "label": "y"})"), R"("6.0:float:y:None")");
  const std::string shadowing =
      "from __future__ import annotations\n"
      "from dataclasses import dataclass\n"
      "@dataclass\n"
      "class str:\n"
      "    text: object\n"
      "def main(value: str) -> object:\n"
      "    return type(value).__name__\n";
  EXPECT_EQ(output_in_own_worker(shadowing, "main", R"({"value": {"text": 1}})"), R"("str")");
}

TEST(Serialise, EveryForm) {
  EXPECT_EQ(output_of("return_dataclass"), boost::json::parse(R"({"sku": "a-1", "day": "2024-05-06"})"));
  EXPECT_EQ(output_of("return_pydantic"), boost::json::parse(R"({"name": "j", "count": 2, "extract": null})"));
  EXPECT_EQ(output_of("return_typeddict"), boost::json::parse(R"({"id": 7})"));
  EXPECT_EQ(output_of("return_named_tuple"), boost::json::parse(R"({"x": 1.5, "y": -2.0})"));
  EXPECT_EQ(output_of("return_tuple"), boost::json::parse(R"([1, "a"])"));
  EXPECT_EQ(output_of("return_times"), boost::json::parse(R"({"day": "2024-01-02", "at": "2024-01-02T03:04:05"})"));
  EXPECT_EQ(output_of("return_enum"), "red");
  EXPECT_EQ(output_of("return_nested"), boost::json::parse(R"({"points": [{"x": 0.0, "y": 1.0}],
      "jobs": {"first": {"name": "x", "count": 1}}, "float": 0.5, "text": "é\n"})"));
}

TEST(Serialise, NoneIsNullAndFloatsKeepTheirPythonSpelling) {
  RunOutcome none = run_task("return_none");
  EXPECT_EQ(none.outcome, ORK_TASK_SUCCEEDED) << none.log_text();
  EXPECT_EQ(none.output, "null");
  RunOutcome point = run_task("return_named_tuple");
  EXPECT_EQ(point.output, R"({"x":1.5,"y":-2.0})");
}

TEST(Serialise, UnserialisableValueNamesTypeAndPath) {
  RunOutcome outcome = run_task("return_unserialisable");
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(outcome.error,
              StartsWith("cannot serialise return value of type 'Opaque' (tasks.Opaque) at path rows[3]"));
}

TEST(Serialise, NanFailsClearly) {
  RunOutcome outcome = run_task("return_nan");
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(outcome.error, StartsWith("cannot serialise return value nan at path ratio: JSON has no NaN"));
}

TEST(Serialise, SixteenMebibyteReturnValue) {
  RunOutcome outcome = run_task("return_big", R"({"mebibytes": 16})");
  ASSERT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.error;
  ASSERT_EQ(outcome.output.size(), (std::size_t{16} << 20) + 2);
  EXPECT_EQ(outcome.output.front(), '"');
  EXPECT_EQ(outcome.output.find_first_not_of('x', 1), outcome.output.size() - 1);
}

// ---- errors and logs -------------------------------------------------------------------

TEST(Failure, ExceptionGivesMessageInErrorAndTracebackInLogs) {
  RunOutcome outcome = run_task("fails", R"({"row": 3})");
  EXPECT_EQ(outcome.status, ORK_STATUS_OK);
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(outcome.error, StartsWith("ValueError: bad row 3 (at " + (fixtures() / "tasks.py").string()));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDERR, "Traceback (most recent call last):")) << outcome.log_text();
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDERR, "ValueError: bad row 3")) << outcome.log_text();
  EXPECT_THAT(outcome.log_text(), HasSubstr("in fails"));
  EXPECT_THAT(outcome.log_text(), ::testing::Not(HasSubstr("<ork-runtime>")));
}

TEST(Failure, SysExitFailsTheTaskOnly) {
  RunOutcome outcome = run_task("exits");
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_EQ(outcome.error, "function 'exits' called sys.exit(4)");
}

TEST(Failure, MissingFunctionAtRunTime) {
  RunOutcome outcome = run_task("nope");
  EXPECT_EQ(outcome.outcome, ORK_TASK_FAILED);
  EXPECT_THAT(outcome.error, StartsWith("no function 'nope' in tasks.py"));
}

TEST(Logs, PrintsLoggingCLevelWritesAndChildProcessesLineByLine) {
  RunOutcome outcome = run_task("prints");
  ASSERT_EQ(outcome.outcome, ORK_TASK_SUCCEEDED) << outcome.log_text();
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "first line")) << outcome.log_text();
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "second line"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDERR, "WARNING:root:a warning from logging"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "raw \xff\xfe bytes"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "escaped \xff byte"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "lone \\ud800 surrogate"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "from fd 1"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDERR, "from fd 2"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "from a child process"));
  EXPECT_TRUE(outcome.logged(ORK_LOG_STDOUT, "no newline at the end"));
  // Lines of one stream keep their order.
  std::vector<std::string> stdout_lines;
  for (const auto& line : outcome.logs) {
    if (line.stream == ORK_LOG_STDOUT) stdout_lines.push_back(line.text);
  }
  ASSERT_GE(stdout_lines.size(), 2u);
  EXPECT_EQ(stdout_lines[0], "first line");
  EXPECT_EQ(stdout_lines[1], "second line");
}

// The worker's output still in its pipes when the reply arrives (here ~300 KB,
// several pipe-fuls, and a C printf without newline) belongs to the task.
TEST(Logs, OutputWrittenJustBeforeTheReplyIsAllTheTasks) {
  RunOutcome flood = run_task("floods_then_returns", R"({"lines": 300})");
  ASSERT_EQ(flood.outcome, ORK_TASK_SUCCEEDED) << flood.error;
  std::vector<std::string> stdout_lines;
  for (const auto& line : flood.logs) {
    if (line.stream == ORK_LOG_STDOUT) stdout_lines.push_back(line.text);
  }
  ASSERT_EQ(stdout_lines.size(), 301u);
  EXPECT_EQ(stdout_lines[299], "line 299 " + std::string(1000, 'x'));
  EXPECT_EQ(stdout_lines[300], "from printf, no newline");
  RunOutcome quiet = run_task("add", R"({"a": 1, "b": 1})");
  for (const auto& line : quiet.logs) EXPECT_EQ(line.stream, ORK_LOG_SYSTEM) << line.text;
}

TEST(Logs, NextTaskOnTheSameWorkerGetsNoneOfThePreviousLines) {
  run_task("prints");
  RunOutcome quiet = run_task("add", R"({"a": 1, "b": 1})");
  for (const auto& line : quiet.logs) EXPECT_EQ(line.stream, ORK_LOG_SYSTEM) << line.text;
}

}  // namespace
}  // namespace ork::plugins::python::test
