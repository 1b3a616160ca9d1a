// Refused workflows through `ork run` and `ork validate`: each bad input gets
// its exact `file:line:col: message`, exit code 2, and nothing recorded.
#include "e2e_support.hpp"

#include <gtest/gtest.h>

namespace ork::test {
namespace {

namespace fs = std::filesystem;

struct Refusal {
  std::string name;
  std::string yaml;
  std::vector<std::string> errors;  // exact diagnostic lines, in order
};

// Runs `ork run` on `yaml` and checks the refusal: exit 2, the exact errors,
// and no state store created.
void expect_refused(const Refusal& c) {
  TempDir dir;
  dir.write("wf.yaml", c.yaml);
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << c.name << "\n" << r.err;
  std::string expected;
  for (const auto& e : c.errors) expected += e + "\n";
  expected += "ork: workflow refused (" + std::to_string(c.errors.size()) +
              (c.errors.size() == 1 ? " error" : " errors") + "); nothing was run or recorded\n";
  EXPECT_EQ(r.err, expected) << c.name;
  EXPECT_TRUE(r.out.empty()) << c.name << ": " << r.out;
  EXPECT_FALSE(fs::exists(dir.path() / ".ork")) << c.name << ": a refused workflow must write nothing";
}

TEST(CompileErrors, YamlSyntax) {
  expect_refused({"syntax", "tasks:\n  a: {executor: process, command: [true\n",
                  {"wf.yaml:3:1: YAML syntax error: end of sequence flow not found"}});
}

TEST(CompileErrors, UnknownKeyWithSuggestion) {
  expect_refused({"unknown key", "tasks:\n  a:\n    executor: process\n    comand: \"true\"\n",
                  {"wf.yaml:2:3: task \"a\": process task needs \"command\": an argv list such as [./bin/tool, "
                   "--fast], or a string run by /bin/sh -c; or \"file\": the program to run",
                   "wf.yaml:4:5: task \"a\": unknown key \"comand\" for executor \"process\" (did you mean "
                   "\"command\"?)"}});
}

TEST(CompileErrors, UnknownTopLevelKeyAndNoTasks) {
  expect_refused({"top level", "name: multi\ntaskz:\n  a: 1\n",
                  {"wf.yaml:1:1: the workflow has no \"tasks:\" (a mapping of task name -> task)",
                   "wf.yaml:2:1: unknown top-level key \"taskz\" (did you mean \"tasks\"?)"}});
}

TEST(CompileErrors, UnknownExecutor) {
  expect_refused({"executor", "tasks:\n  a:\n    executor: proces\n    command: \"true\"\n",
                  {"wf.yaml:3:15: task \"a\": unknown executor \"proces\" (did you mean \"process\"?); known "
                   "executors: library, node, process, python, shell"}});
}

TEST(CompileErrors, MissingDependency) {
  expect_refused({"depends_on", "tasks:\n  a:\n    executor: process\n    command: \"true\"\n    depends_on: [b]\n",
                  {"wf.yaml:5:18: task \"a\": depends_on names an unknown task \"b\" (did you mean \"a\"?); tasks: a"}});
}

TEST(CompileErrors, CycleIsNamed) {
  expect_refused({"cycle",
                  "tasks:\n  a: {executor: process, command: \"true\", depends_on: [c]}\n"
                  "  b: {executor: process, command: \"true\", depends_on: [a]}\n"
                  "  c: {executor: process, command: \"true\", depends_on: [b]}\n",
                  {"wf.yaml:2:3: cycle: a -> b -> c -> a (each task waits for the one before it; remove one "
                   "dependency or reference)"}});
}

TEST(CompileErrors, ReferenceToMissingTask) {
  expect_refused({"reference task",
                  "tasks:\n  a:\n    executor: process\n    command: \"true\"\n    inputs: {x: {from: nope.rows}}\n",
                  {"wf.yaml:5:24: task \"a\" input \"x\": {from: ...} names an unknown task \"nope\"; tasks: a"}});
}

TEST(CompileErrors, ReferenceToMissingField) {
  expect_refused({"reference field",
                  "tasks:\n  a:\n    executor: process\n    command: \"true\"\n"
                  "    output_type: {rows: \"list[int]\", count: int}\n"
                  "  b:\n    executor: process\n    command: cat\n    inputs: {x: {from: a.rowz}}\n",
                  {"wf.yaml:9:24: task \"b\" input \"x\": a has no output field \"rowz\" (fields: rows, count)"}});
}

TEST(CompileErrors, TypeMismatchOnAnEdge) {
  expect_refused({"mismatch",
                  "tasks:\n  a:\n    executor: process\n    command: \"true\"\n    output_type: {rows: \"list[str]\"}\n"
                  "  b:\n    executor: process\n    command: cat\n    input_type: {rows: \"list[int]\"}\n"
                  "    inputs: {rows: {from: a.rows}}\n",
                  {"wf.yaml:10:27: task \"b\" input \"rows\": a.rows is list[str], but parameter \"rows\" expects "
                   "list[int]"}});
}

TEST(CompileErrors, DuplicateTaskNames) {
  expect_refused({"duplicate",
                  "tasks:\n  a: {executor: process, command: \"true\"}\n  a: {executor: process, command: \"false\"}\n",
                  {"wf.yaml:3:3: duplicate task \"a\" (first at line 2)"}});
}

TEST(CompileErrors, EmptyWorkflow) {
  expect_refused({"empty", "",
                  {"wf.yaml:1:1: the workflow file is empty: it needs a \"tasks:\" mapping of task name -> task"}});
}

TEST(CompileErrors, BadDuration) {
  expect_refused({"duration", "tasks:\n  a: {executor: process, command: \"true\", timeout: 5 minutes}\n",
                  {"wf.yaml:2:52: task \"a\": \"timeout\" must be a duration such as 500ms, 30s, 10m, 2h, 1d or a "
                   "number of seconds, not the string \"5 minutes\""}});
}

TEST(CompileErrors, MissingWorkflowFile) {
  TempDir dir;
  CommandResult r = run_ork({"run", "nofile.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "nofile.yaml: workflow file not found\nork: workflow refused (1 error); nothing was run or recorded\n");
  EXPECT_FALSE(fs::exists(dir.path() / ".ork"));
}

TEST(CompileErrors, RefusedWorkflowAddsNothingToAnExistingStore) {
  TempDir dir;
  dir.write("good.yaml", "tasks:\n  a: {executor: process, command: \"true\"}\n");
  dir.write("bad.yaml", "tasks:\n  a: {executor: process, command: \"true\", depends_on: [a]}\n");
  ASSERT_EQ(run_ork({"run", "good.yaml"}, dir.path()).exit_code, 0);
  auto db = dir.path() / ".ork" / "ork.db";
  auto before = sqlite_rows(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM workflow_versions), "
                                "(SELECT count(*) FROM events)");
  EXPECT_EQ(run_ork({"run", "bad.yaml"}, dir.path()).exit_code, 2);
  auto after = sqlite_rows(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM workflow_versions), "
                               "(SELECT count(*) FROM events)");
  EXPECT_EQ(before, after);
}

TEST(CompileErrors, ValidateJsonListsEveryError) {
  TempDir dir;
  dir.write("wf.yaml", "name: multi\ntaskz:\n  a: 1\n");
  CommandResult r = run_ork({"validate", "wf.yaml", "--json"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  auto doc = parse_json(r.out);
  EXPECT_EQ(doc.at("ok"), false);
  const auto& errors = doc.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].at("file").as_string(), "wf.yaml");
  EXPECT_EQ(errors[1].at("line").as_int64(), 2);
  EXPECT_EQ(errors[1].at("col").as_int64(), 1);
  EXPECT_EQ(errors[1].at("message").as_string(), "unknown top-level key \"taskz\" (did you mean \"tasks\"?)");
  EXPECT_TRUE(doc.at("tasks").as_object().empty());
}

TEST(CompileErrors, ValidateJsonShowsTypedSignatures) {
  TempDir dir;
  fs::copy(fs::path(ORK_SOURCE_DIR) / "examples" / "hello", dir.path() / "hello", fs::copy_options::recursive);
  CommandResult r = run_ork({"validate", "hello/hello.yaml", "--json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  EXPECT_EQ(doc.at("ok"), true);
  const auto& greet = doc.at("tasks").at("greet");
  EXPECT_EQ(greet.at("executor").as_string(), "process");
  EXPECT_EQ(greet.at("depends_on").as_array().size(), 1u);
  EXPECT_EQ(greet.at("inputs").at("times").as_string(), "int");
  EXPECT_EQ(greet.at("output").as_string(), "{message: str, length: int}");
}

}  // namespace
}  // namespace ork::test
