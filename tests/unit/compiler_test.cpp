// The workflow compiler: one test per kind of error, asserting the exact
// `file:line:col: message`, errors collected together, and a valid workflow
// compiled into the expected structure.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fake_catalog.hpp"
#include "workflow/compiler.hpp"
#include "workflow/content_hash.hpp"

namespace ork::host {
namespace {

using testing::FakeCatalog;

// YAML text from a raw string literal that starts with a newline.
std::string yaml(const char* text) { return text[0] == '\n' ? text + 1 : text; }

std::vector<std::string> errors_of(const std::string& source) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(source, "wf.yaml", catalog);
  std::vector<std::string> out;
  for (const Diagnostic& diagnostic : result.errors) out.push_back(diagnostic.to_string());
  EXPECT_EQ(result.workflow.has_value(), out.empty());
  return out;
}

using Errors = std::vector<std::string>;

TEST(CompilerErrors, YamlSyntaxError) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a: {executor: process, command: [x, y}
)")),
            Errors{"wf.yaml:2:40: YAML syntax error: illegal flow end"});
}

TEST(CompilerErrors, MissingFile) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow("does/not/exist.yaml", catalog);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].to_string(), "does/not/exist.yaml: workflow file not found");
  EXPECT_FALSE(result.workflow.has_value());
}

TEST(CompilerErrors, DirectoryInsteadOfFile) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow(ORK_UNIT_FIXTURES, catalog);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].message, "is a directory, not a workflow file");
}

TEST(CompilerErrors, RootIsNotAMapping) {
  EXPECT_EQ(errors_of("- a\n- b\n"), Errors{"wf.yaml:1:1: a workflow file must be a mapping with a \"tasks:\" key, not a list"});
}

TEST(CompilerErrors, EmptyWorkflow) {
  EXPECT_EQ(errors_of(""),
            Errors{"wf.yaml:1:1: the workflow file is empty: it needs a \"tasks:\" mapping of task name -> task"});
  EXPECT_EQ(errors_of("name: x\n"), Errors{"wf.yaml:1:1: the workflow has no \"tasks:\" (a mapping of task name -> task)"});
  EXPECT_EQ(errors_of("tasks: {}\n"), Errors{"wf.yaml:1:8: \"tasks\" is empty: a workflow needs at least one task"});
  EXPECT_EQ(errors_of("name: x\ntasks:\n"), Errors{"wf.yaml:2:1: \"tasks\" is empty: a workflow needs at least one task"});
}

TEST(CompilerErrors, TasksAsAList) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  - name: a
    executor: process
)")),
            Errors{"wf.yaml:2:3: \"tasks\" must be a mapping of task name -> task, not a list (write `extract:` "
                   "instead of `- name: extract`)"});
}

TEST(CompilerErrors, DuplicateTaskNames) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a:
    executor: process
    command: x
  a:
    executor: process
    command: y
)")),
            Errors{"wf.yaml:5:3: duplicate task \"a\" (first at line 2)"});
}

TEST(CompilerErrors, UnknownKeysWithSuggestions) {
  EXPECT_EQ(errors_of(yaml(R"(
nmae: x
defaults:
  retires: 2
tasks:
  a:
    executor: process
    comand: x
    zzz: 1
)")),
            (Errors{"wf.yaml:1:1: unknown top-level key \"nmae\" (did you mean \"name\"?)",
                    "wf.yaml:3:3: defaults: unknown key \"retires\" (did you mean \"retries\"?)",
                    "wf.yaml:5:3: task \"a\": missing \"command\"",
                    "wf.yaml:7:5: task \"a\": unknown key \"comand\" for executor \"process\" (did you mean \"command\"?)",
                    "wf.yaml:8:5: task \"a\": unknown key \"zzz\" for executor \"process\"; expected one of: executor, "
                    "inputs, input, depends_on, env, workdir, timeout, retries, retry_delay, max_concurrency, "
                    "max_retry_delay, pool, input_type, output_type, description, trigger_rule, when, map, cache, command"}));
}

TEST(CompilerErrors, WrongValueKinds) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a:
    executor: process
    command: x
    retries: "x"
    timeout: 10x
    retry_delay: [1]
    max_concurrency: 1.5
    env: [A]
    depends_on: {b: 1}
    description: {a: 1}
)")),
            (Errors{"wf.yaml:5:14: task \"a\": \"retries\" must be a whole number >= 0, not the string \"x\"",
                    "wf.yaml:6:14: task \"a\": \"timeout\" must be a duration such as 500ms, 30s, 10m, 2h, 1d or a "
                    "number of seconds, not the string \"10x\"",
                    "wf.yaml:7:18: task \"a\": \"retry_delay\" must be a duration such as 500ms, 30s, 10m, 2h, 1d or a "
                    "number of seconds, not a list",
                    "wf.yaml:8:22: task \"a\": \"max_concurrency\" must be a whole number >= 0, not the number 1.5",
                    "wf.yaml:9:10: task \"a\": \"env\" must be a mapping of NAME -> value, not a list",
                    "wf.yaml:10:17: task \"a\": depends_on must be a task name or a list of task names, not a mapping",
                    "wf.yaml:11:18: task \"a\": \"description\" must be a string, not a mapping"}));
}

TEST(CompilerErrors, NegativeRetries) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a: {executor: process, command: x, retries: -1}
)")),
            Errors{"wf.yaml:2:47: task \"a\": \"retries\" must be a whole number >= 0, not the number -1"});
}

TEST(CompilerErrors, UnknownAndMissingExecutor) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a:
    executor: proces
    command: x
  b:
    command: x
)")),
            (Errors{"wf.yaml:3:15: task \"a\": unknown executor \"proces\" (did you mean \"process\"?); known "
                    "executors: process, typed, broken",
                    "wf.yaml:5:3: task \"b\": missing \"executor\" (one of: process, typed, broken)"}));
}

TEST(CompilerErrors, DependenciesOnMissingTasksAndSelf) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  extract:
    executor: process
    command: x
  load:
    executor: process
    command: x
    depends_on: [extrct, load]
    inputs:
      rows: {from: nothere.rows}
      self: {from: load.x}
)")),
            (Errors{"wf.yaml:8:18: task \"load\": depends_on names an unknown task \"extrct\" (did you mean "
                    "\"extract\"?); tasks: extract, load",
                    "wf.yaml:8:26: task \"load\" depends on itself",
                    "wf.yaml:10:20: task \"load\" input \"rows\": {from: ...} names an unknown task \"nothere\"; "
                    "tasks: extract, load",
                    "wf.yaml:11:20: task \"load\" input \"self\": refers to the output of its own task"}));
}

TEST(CompilerErrors, CyclesAreNamed) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a:
    executor: process
    command: x
    depends_on: c
  b:
    executor: process
    command: x
    depends_on: a
  c:
    executor: process
    command: x
    inputs: {v: {from: b.out}}
  d:
    executor: process
    command: x
    depends_on: c
)")),
            Errors{"wf.yaml:2:3: cycle: a -> b -> c -> a (each task waits for the one before it; remove one "
                   "dependency or reference)"});
}

TEST(CompilerErrors, InputsMistakes) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a:
    executor: process
    command: x
  b:
    executor: process
    command: x
    inputs:
      upstream: 1
      r: {from: a.x, other: 1}
      s: {from: a..x}
      t: {input: nope}
    input: {u: 1}
)")),
            (Errors{"wf.yaml:9:7: task \"b\": \"upstream\" is a reserved input name: it receives the outputs of all "
                    "direct upstream tasks; rename the input",
                    "wf.yaml:10:10: task \"b\" input \"r\": a reference takes only \"from\" (to pass a constant "
                    "mapping that has a \"from\" key, write {value: {...}})",
                    "wf.yaml:11:17: task \"b\" input \"s\": reference \"a..x\" is not valid: write task or "
                    "task.field.field (list indexes as numbers: extract.rows.0.id)",
                    "wf.yaml:12:10: task \"b\" input \"t\": {input: nope} names no workflow input \"nope\"; the "
                    "workflow declares no inputs: block",
                    "wf.yaml:13:5: task \"b\": \"inputs\" and its alias \"input\" are both given; keep one"}));
}

TEST(CompilerErrors, ExecutorCheckErrorsPointAtTheirKey) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a:
    executor: typed
    file: missing.py
  b:
    executor: process
  c:
    executor: broken
  d:
    executor: typed
    sig: "not json"
)")),
            (Errors{"wf.yaml:4:5: task \"a\": file \"missing.py\" not found",
                    "wf.yaml:5:3: task \"b\": missing \"command\"",
                    "wf.yaml:7:3: task \"c\": executor \"broken\" failed while checking the task: worker crashed",
                    "wf.yaml:9:3: task \"d\": executor \"typed\" reported an invalid signature: the signature is not "
                    "valid JSON (syntax error)"}));
}

TEST(CompilerErrors, ScheduleTimezoneAndNames) {
  EXPECT_EQ(errors_of(yaml(R"(
name: "my flow"
schedule: "61 * * * *"
timezone: Mars/Olympus_Mons
tasks:
  a.b: {executor: process, command: x}
)")),
            (Errors{"wf.yaml:1:7: workflow name \"my flow\" is not valid: use letters, digits, \"_\", \"-\" and \".\"",
                    "wf.yaml:2:11: schedule \"61 * * * *\" is not a valid cron expression: minute field \"61\" is "
                    "not valid: expected *, a number in 0-59, a range a-b, a step */n or a list",
                    "wf.yaml:3:11: timezone \"Mars/Olympus_Mons\" is not a known IANA time zone (e.g. UTC, "
                    "Europe/Paris)",
                    "wf.yaml:5:3: task name \"a.b\" is not valid: use letters, digits, \"_\" and \"-\", starting with "
                    "a letter or \"_\" (a \".\" would read as a path in {from: ...})"}));
}

TEST(CompilerErrors, TimezoneIsAnIanaNameNeverAPath) {
  // Issue 10, finding 15: any existing absolute path validated, a missing one
  // did not, which told a workflow author whether a file exists.
  for (const char* path : {"/etc/passwd", "/etc/no-such-file", "/usr/share/zoneinfo/UTC"}) {
    EXPECT_EQ(errors_of("timezone: " + std::string(path) + "\ntasks:\n  a: {executor: process, command: x}\n"),
              (Errors{"wf.yaml:1:11: timezone \"" + std::string(path) +
                      "\" is not a known IANA time zone (e.g. UTC, Europe/Paris)"}))
        << path;
  }
  EXPECT_EQ(errors_of("timezone: America/New_Yrok\ntasks:\n  a: {executor: process, command: x}\n"),
            (Errors{"wf.yaml:1:11: timezone \"America/New_Yrok\" is not a known IANA time zone (e.g. UTC, "
                    "Europe/Paris) (did you mean \"America/New_York\"?)"}));
  EXPECT_TRUE(errors_of("timezone: Australia/Lord_Howe\ntasks:\n  a: {executor: process, command: x}\n").empty());
}

TEST(CompilerErrors, TypesBlockAndDeclaredTypes) {
  EXPECT_EQ(errors_of(yaml(R"(
types:
  A: {b: "B"}
  B: {a: "list[A]"}
  C: "lst[int]"
  int: "str"
inputs:
  n: {type: int, default: "x"}
tasks:
  a:
    executor: process
    command: x
    input_type: "list[int]"
    output_type: {x: Nope}
)")),
            (Errors{"wf.yaml:2:6: type \"A\" refers to itself (A -> B -> A); recursive types are not supported",
                    "wf.yaml:4:6: type \"C\": column 1: \"lst\" takes no type arguments (only list, dict and tuple do)",
                    "wf.yaml:5:3: type \"int\" would hide the built-in type of that name; choose another name",
                    "wf.yaml:7:27: workflow input \"n\": the default \"x\" is str, but the input is int",
                    "wf.yaml:12:17: task \"a\": input_type must be an object type ({field: T, ...} or a named object "
                    "type), not list[int]: its fields are the task's inputs",
                    "wf.yaml:13:18: task \"a\": output_type: field \"x\": column 1: unknown type \"Nope\" (not a "
                    "built-in type and not defined in the workflow's `types:`)"}));
}

TEST(CompilerErrors, AllErrorsAreCollectedInFileOrder) {
  Errors errors = errors_of(yaml(R"(
tasks:
  a:
    executor: process
    command: x
    retries: -2
  b:
    executor: nope
  c:
    executor: process
    command: x
    depends_on: zz
)"));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].substr(0, 12), "wf.yaml:5:14");
  EXPECT_EQ(errors[1].substr(0, 12), "wf.yaml:7:15");
  EXPECT_EQ(errors[2].substr(0, 13), "wf.yaml:11:17");
}

TEST(Compiler, CompilesAFullWorkflow) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(yaml(R"(
description: Loads and refines
schedule: "0 * * * *"
timezone: UTC
defaults:
  timeout: 10m
  retries: 2
  retry_delay: 2s
  env: {STAGE: dev, LEVEL: 1}
inputs:
  limit: 100
  source: {type: str}
tasks:
  report:
    executor: process
    command: [./report, --all]
    depends_on: [transform, extract]
    env: {STAGE: prod, EXTRA: "yes"}
    workdir: out
    timeout: 30
  transform:
    executor: process
    command: ./transform
    inputs:
      rows: {from: extract.rows.0.id}
      literal: {value: {from: not-a-reference}}
      limit: {input: limit}
    retries: 0
    max_concurrency: 3
  extract:
    executor: process
    command: "echo hi"
    inputs: {source: posts, n: 1.5, flags: [true, ~]}
    retry_delay: 500ms
    workdir: /abs/dir
)"),
                                                 "/srv/flows/elt.yaml", catalog);
  ASSERT_TRUE(result.errors.empty()) << result.errors[0].to_string();
  ASSERT_TRUE(result.workflow.has_value());
  const CompiledWorkflow& workflow = *result.workflow;
  EXPECT_EQ(workflow.name, "elt");
  EXPECT_EQ(workflow.description, "Loads and refines");
  EXPECT_EQ(workflow.file, "/srv/flows/elt.yaml");
  EXPECT_EQ(workflow.dir, "/srv/flows");
  EXPECT_EQ(workflow.schedule, "0 * * * *");
  EXPECT_EQ(workflow.timezone, "UTC");
  ASSERT_EQ(workflow.inputs.size(), 2u);
  EXPECT_EQ(workflow.inputs[0].type.to_string(), "int");
  EXPECT_EQ(boost::json::serialize(*workflow.inputs[0].default_value), "100");
  EXPECT_EQ(workflow.inputs[1].type.to_string(), "str");
  EXPECT_FALSE(workflow.inputs[1].default_value.has_value());

  ASSERT_EQ(workflow.tasks.size(), 3u);
  EXPECT_EQ(workflow.tasks[0].name, "extract");
  EXPECT_EQ(workflow.tasks[1].name, "transform");
  EXPECT_EQ(workflow.tasks[2].name, "report");

  const CompiledTask& extract = workflow.tasks[0];
  EXPECT_EQ(boost::json::serialize(extract.config), R"({"command":"echo hi"})");
  EXPECT_EQ(extract.timeout, std::chrono::minutes(10));
  EXPECT_EQ(extract.retries, 2);
  EXPECT_EQ(extract.retry_delay, std::chrono::milliseconds(500));
  EXPECT_EQ(extract.workdir, "/abs/dir");
  EXPECT_TRUE(extract.depends_on.empty());
  ASSERT_EQ(extract.inputs.size(), 3u);
  EXPECT_EQ(boost::json::serialize(extract.inputs[1].constant), "1.5E0");
  EXPECT_EQ(boost::json::serialize(extract.inputs[2].constant), "[true,null]");
  EXPECT_EQ(extract.where.to_string(), "/srv/flows/elt.yaml:29:3");
  EXPECT_FALSE(extract.signature.declared);
  EXPECT_TRUE(extract.signature.output.is_any());

  const CompiledTask& transform = workflow.tasks[1];
  EXPECT_EQ(transform.depends_on, std::vector<std::string>{"extract"});
  EXPECT_EQ(transform.retries, 0);
  EXPECT_EQ(transform.retry_delay, std::chrono::seconds(2));
  EXPECT_EQ(transform.max_concurrency, 3);
  EXPECT_EQ(transform.workdir, "/srv/flows");
  ASSERT_EQ(transform.inputs.size(), 3u);
  EXPECT_EQ(transform.inputs[0].kind, InputBinding::Kind::task_output);
  EXPECT_EQ(transform.inputs[0].task, "extract");
  EXPECT_EQ(transform.inputs[0].path, (std::vector<std::string>{"rows", "0", "id"}));
  EXPECT_EQ(transform.inputs[0].where.to_string(), "/srv/flows/elt.yaml:24:20");
  EXPECT_EQ(transform.inputs[1].kind, InputBinding::Kind::constant);
  EXPECT_EQ(boost::json::serialize(transform.inputs[1].constant), R"({"from":"not-a-reference"})");
  EXPECT_EQ(transform.inputs[2].kind, InputBinding::Kind::workflow_input);
  EXPECT_EQ(transform.inputs[2].workflow_input, "limit");

  const CompiledTask& report = workflow.tasks[2];
  EXPECT_EQ(report.depends_on, (std::vector<std::string>{"extract", "transform"}));
  EXPECT_EQ(boost::json::serialize(report.config), R"({"command":["./report","--all"]})");
  EXPECT_EQ(report.env, (std::vector<std::pair<std::string, std::string>>{{"STAGE", "prod"}, {"LEVEL", "1"}, {"EXTRA", "yes"}}));
  EXPECT_EQ(report.workdir, "/srv/flows/out");
  EXPECT_EQ(report.timeout, std::chrono::seconds(30));

  EXPECT_EQ(workflow.find_task("transform"), &workflow.tasks[1]);
  EXPECT_EQ(workflow.find_task("nope"), nullptr);

  // The executor saw each task's config with absolute paths.
  ASSERT_EQ(catalog.requests.size(), 3u);
  EXPECT_EQ(catalog.requests[0].task_name, "report");
  EXPECT_EQ(catalog.requests[0].workflow_file, "/srv/flows/elt.yaml");
  EXPECT_EQ(catalog.requests[0].workflow_dir, "/srv/flows");
  EXPECT_EQ(catalog.requests[0].config_json, R"({"command":["./report","--all"]})");

  boost::json::object spec = workflow.spec_json();
  EXPECT_EQ(workflow.content_hash, sha256_hex(boost::json::serialize(spec)));
  EXPECT_EQ(workflow.content_hash.size(), 64u);
  EXPECT_EQ(boost::json::serialize(spec.at("tasks").at("transform").at("inputs")),
            R"({"rows":{"kind":"task_output","task":"extract","path":["rows","0","id"]},)"
            R"("literal":{"kind":"constant","value":{"from":"not-a-reference"}},)"
            R"("limit":{"kind":"workflow_input","input":"limit"}})");
  EXPECT_EQ(spec.at("tasks").at("report").at("timeout_ms"), 30'000);
  EXPECT_EQ(boost::json::serialize(spec.at("inputs")), R"({"limit":{"type":"int","default":100},"source":{"type":"str"}})");
}

// ork_task_spec.check_pass: one number for all the checks of a compile, a
// new one for the next, so an executor may cache lookups for one compile.
TEST(Compiler, EachCompileGivesItsChecksOneNewCheckPass) {
  FakeCatalog catalog;
  const std::string source = "tasks:\n  a: {executor: process, command: [x]}\n  b: {executor: process, command: [x]}\n";
  ASSERT_TRUE(compile_workflow_source(source, "wf.yaml", catalog).workflow);
  ASSERT_TRUE(compile_workflow_source(source, "wf.yaml", catalog).workflow);
  ASSERT_EQ(catalog.requests.size(), 4u);
  EXPECT_NE(catalog.requests[0].check_pass, 0u);
  EXPECT_EQ(catalog.requests[1].check_pass, catalog.requests[0].check_pass);
  EXPECT_NE(catalog.requests[2].check_pass, catalog.requests[0].check_pass);
  EXPECT_EQ(catalog.requests[3].check_pass, catalog.requests[2].check_pass);
}

TEST(Compiler, SameSpecSameHashAndCommentsDoNotMatter) {
  FakeCatalog catalog;
  std::string a = "tasks:\n  a: {executor: process, command: x}\n";
  std::string b = "# a comment\ntasks:\n  a:\n    executor: process\n    command: x\n";
  std::string c = "tasks:\n  a: {executor: process, command: y}\n";
  std::string hash_a = compile_workflow_source(a, "/w/f.yaml", catalog).workflow->content_hash;
  EXPECT_EQ(hash_a, compile_workflow_source(b, "/w/f.yaml", catalog).workflow->content_hash);
  EXPECT_NE(hash_a, compile_workflow_source(c, "/w/f.yaml", catalog).workflow->content_hash);
}

TEST(Compiler, TopologicalOrderIsStableInFileOrder) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(yaml(R"(
defaults:
  executor: process
tasks:
  d: {command: x, depends_on: [b, c]}
  c: {command: x}
  b: {command: x, depends_on: a}
  a: {command: x}
  e: {command: x}
)"),
                                                 "/w/f.yaml", catalog);
  ASSERT_TRUE(result.workflow.has_value()) << result.errors[0].to_string();
  std::vector<std::string> order;
  for (const CompiledTask& task : result.workflow->tasks) order.push_back(task.name);
  EXPECT_EQ(order, (std::vector<std::string>{"c", "a", "b", "d", "e"}));
}

TEST(Compiler, ReadsAFileFromDisk) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow(std::string(ORK_UNIT_FIXTURES) + "/hello.yaml", catalog);
  ASSERT_TRUE(result.errors.empty()) << result.errors[0].to_string();
  EXPECT_EQ(result.workflow->name, "hello");
  EXPECT_EQ(result.workflow->dir, std::filesystem::path(ORK_UNIT_FIXTURES));
  EXPECT_NE(result.workflow->source.find("echo"), std::string::npos);
}

}  // namespace
}  // namespace ork::host
