// Type checking of task bindings by the workflow compiler: each binding kind
// (explicit reference, implicit upstream by name, `upstream`, constant,
// workflow input), Optional into non-Optional, missing fields, the
// whole-input form, and `input_type`/`output_type` overrides.
#include <gtest/gtest.h>

#include "fake_catalog.hpp"
#include "workflow/compiler.hpp"

namespace ork::host {
namespace {

using testing::FakeCatalog;
using Errors = std::vector<std::string>;

// `extract` outputs `output`; `load` has the signature inputs `params` and is
// bound with `bindings` (YAML flow mappings, "" for none).
std::string two_tasks(const std::string& output, const std::string& params, const std::string& bindings,
                      const std::string& extra = "") {
  return "tasks:\n"
         "  extract:\n"
         "    executor: typed\n"
         "    sig: {inputs: {}, output: " + output + "}\n"
         "  load:\n"
         "    executor: typed\n"
         "    sig: {inputs: " + params + ", output: \"null\"" + extra + "}\n" +
         (bindings.empty() ? "" : "    inputs: " + bindings + "\n");
}

Errors errors_of(const std::string& source) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(source, "wf.yaml", catalog);
  Errors out;
  for (const Diagnostic& diagnostic : result.errors) out.push_back(diagnostic.to_string());
  EXPECT_EQ(result.workflow.has_value(), out.empty());
  return out;
}

TEST(CompilerTypes, ExplicitReferenceMismatch) {
  EXPECT_EQ(errors_of(two_tasks(R"({rows: "list[str]"})", R"({rows: "list[int]"})", "{rows: {from: extract.rows}}")),
            Errors{"wf.yaml:8:27: task \"load\" input \"rows\": extract.rows is list[str], but parameter \"rows\" "
                   "expects list[int]"});
  EXPECT_EQ(errors_of(two_tasks(R"({rows: "list[int]"})", R"({rows: "list[float]"})", "{rows: {from: extract.rows}}")),
            Errors{});
}

TEST(CompilerTypes, ReferenceIntoListsAndWholeOutputs) {
  EXPECT_EQ(errors_of(two_tasks(R"({rows: "list[{id: int}]"})", R"({id: "str"})", "{id: {from: extract.rows.0.id}}")),
            Errors{"wf.yaml:8:25: task \"load\" input \"id\": extract.rows.0.id is int, but parameter \"id\" expects str"});
  EXPECT_EQ(errors_of(two_tasks(R"("list[int]")", R"({xs: "list[str]"})", "{xs: {from: extract}}")),
            Errors{"wf.yaml:8:25: task \"load\" input \"xs\": the output of extract is list[int], but parameter \"xs\" "
                   "expects list[str]"});
}

TEST(CompilerTypes, ReferenceToAMissingOutputField) {
  EXPECT_EQ(errors_of(two_tasks(R"({rows: "list[int]", count: int})", R"({rows: "list[int]"})", "{rows: {from: extract.rowz}}")),
            Errors{"wf.yaml:8:27: task \"load\" input \"rows\": extract has no output field \"rowz\" (fields: rows, count)"});
}

TEST(CompilerTypes, OptionalIntoNonOptional) {
  EXPECT_EQ(errors_of(two_tasks(R"({user: "str | None"})", R"({user: str})", "{user: {from: extract.user}}")),
            Errors{"wf.yaml:8:27: task \"load\" input \"user\": extract.user is str | None, but parameter \"user\" "
                   "expects str: the value may be None"});
  EXPECT_EQ(errors_of(two_tasks(R"({user: str})", R"({user: "str | None"})", "{user: {from: extract.user}}")), Errors{});
}

TEST(CompilerTypes, MissingFieldInAnObject) {
  EXPECT_EQ(errors_of(two_tasks(R"({cfg: {a: int}})", R"({cfg: {a: int, b: str}})", "{cfg: {from: extract.cfg}}")),
            Errors{"wf.yaml:8:26: task \"load\" input \"cfg\": extract.cfg is {a: int}, but parameter \"cfg\" expects "
                   "{a: int, b: str}: missing field \"b\" (str)"});
}

TEST(CompilerTypes, ImplicitBindingByUpstreamName) {
  std::string source = two_tasks(R"({rows: "list[str]"})", R"({extract: {rows: "list[int]"}})", "") +
                       "    depends_on: [extract]\n";
  EXPECT_EQ(errors_of(source),
            Errors{"wf.yaml:8:18: task \"load\" parameter \"extract\": the output of extract is {rows: list[str]}, but "
                   "parameter \"extract\" expects {rows: list[int]}: field \"rows\": list[str] does not fit list[int]"});
}

TEST(CompilerTypes, UpstreamParameter) {
  std::string source = two_tasks(R"({rows: "list[str]"})", R"({upstream: "dict[str, {rows: list[int]}]"})", "") +
                       "    depends_on: extract\n";
  EXPECT_EQ(errors_of(source),
            Errors{"wf.yaml:5:3: task \"load\" parameter \"upstream\": the upstream outputs are {extract: {rows: "
                   "list[str]}}, but parameter \"upstream\" expects dict[str, {rows: list[int]}]: field "
                   "\"extract.rows\": list[str] does not fit list[int]"});
  std::string fits = two_tasks(R"({rows: "list[int]"})", R"({upstream: "dict[str, Any]"})", "") +
                     "    depends_on: extract\n";
  EXPECT_EQ(errors_of(fits), Errors{});
}

TEST(CompilerTypes, Constants) {
  EXPECT_EQ(errors_of(two_tasks("int", R"({limit: int, ratio: float, tags: "list[str]"})",
                                R"({limit: "ten", ratio: 3, tags: [a, 2]})")),
            (Errors{"wf.yaml:8:21: task \"load\" input \"limit\": the constant \"ten\" is str, but parameter \"limit\" "
                    "expects int",
                    "wf.yaml:8:44: task \"load\" input \"tags\": the constant [\"a\", 2] is list[str | int], but parameter "
                    "\"tags\" expects list[str]"}));
}

TEST(CompilerTypes, UnboundParametersDefaultsAndUnknownInputs) {
  EXPECT_EQ(errors_of(two_tasks("int", R"({x: int, y: str})", "{z: 1}", R"(, defaults: [y])")),
            (Errors{"wf.yaml:5:3: task \"load\": parameter \"x\" (int) is not bound: no input, no upstream task named "
                    "\"x\", no default",
                    "wf.yaml:8:17: task \"load\" has no parameter \"z\" (did you mean \"x\"?); parameters: x, y"}));
}

TEST(CompilerTypes, WorkflowInputs) {
  std::string source = "inputs:\n  n: {type: int}\n  label: hello\n" +
                       two_tasks("int", R"({n: str, label: str})", "{n: {input: n}, label: {input: label}}");
  EXPECT_EQ(errors_of(source), Errors{"wf.yaml:11:17: task \"load\" input \"n\": workflow input \"n\" is int, but "
                                      "parameter \"n\" expects str"});
}

TEST(CompilerTypes, WholeInputForm) {
  std::string source = two_tasks(R"({rows: "list[str]"})",
                                 R"({input: {"$name": LoadInput, fields: {extract: {rows: "list[int]"}, "limit?": int, mode: str, level: int}}})",
                                 "{mode: 3, nope: 1}", R"(, whole_input: input)") +
                       "    depends_on: extract\n";
  EXPECT_EQ(errors_of(source),
            (Errors{"wf.yaml:5:3: task \"load\": field \"level\" of parameter \"input\" (int) is not bound: "
                    "no input, no upstream task named \"level\", no default",
                    "wf.yaml:8:20: task \"load\" input \"mode\": the constant 3 is int, but field \"mode\" of parameter "
                    "\"input\" expects str",
                    "wf.yaml:8:29: task \"load\" has no parameter \"nope\" (did you mean \"mode\"?); parameters: extract, limit, mode, level",
                    "wf.yaml:9:17: task \"load\" field \"extract\" of parameter \"input\": the output of "
                    "extract is {rows: list[str]}, but field \"extract\" of parameter \"input\" expects "
                    "{rows: list[int]}: field \"rows\": list[str] does not fit list[int]"}));
}

TEST(CompilerTypes, WholeInputBoundByNameIsAnOrdinaryParameter) {
  EXPECT_EQ(errors_of(two_tasks("int", R"({input: {x: int}})", "{input: {x: 1}}", R"(, whole_input: input)")), Errors{});
}

TEST(CompilerTypes, UndeclaredSignaturesAreAny) {
  EXPECT_EQ(errors_of(R"(tasks:
  a: {executor: process, command: x}
  b:
    executor: typed
    sig: {inputs: {rows: "list[int]"}, output: "null"}
    inputs: {rows: {from: a.whatever.0}}
  c:
    executor: process
    command: x
    inputs: {anything: {from: b}, more: 1}
)"),
            Errors{});
}

TEST(CompilerTypes, InputTypeAndOutputTypeOverrides) {
  std::string source = R"(types:
  Numbers: {numbers: "list[int]"}
tasks:
  crunch:
    executor: process
    command: ./crunch
    input_type: {values: "list[int]", "scale?": float}
    output_type: Numbers
    inputs: {values: [1, 2]}
  wrong:
    executor: process
    command: ./crunch
    input_type: {values: "list[int]"}
    inputs: {values: {from: crunch.numbers}, extra: 1}
  sum:
    executor: typed
    sig: {inputs: {numbers: "list[str]"}, output: int}
    input_type: {numbers: "list[int]"}
    output_type: str
    inputs: {numbers: {from: crunch.numbers}}
  last:
    executor: typed
    sig: {inputs: {total: int}, output: int}
    inputs: {total: {from: sum}}
)";
  EXPECT_EQ(errors_of(source),
            (Errors{"wf.yaml:14:53: task \"wrong\" has no parameter \"extra\"; parameters: values",
                    "wf.yaml:24:28: task \"last\" input \"total\": the output of sum is str, but parameter \"total\" "
                    "expects int"}));

  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(source, "/w/wf.yaml", catalog);
  ASSERT_FALSE(result.workflow.has_value());
}

TEST(CompilerTypes, SignaturesAreStoredInTheCompiledWorkflow) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(R"(types:
  Numbers: {numbers: "list[int]"}
tasks:
  crunch:
    executor: process
    command: ./crunch
    input_type: {values: "list[int]", "scale?": float}
    output_type: Numbers
    inputs: {values: [1, 2]}
  report:
    executor: process
    command: ./report
    output_type: str
)",
                                                 "/w/wf.yaml", catalog);
  ASSERT_TRUE(result.workflow.has_value()) << result.errors[0].to_string();
  const CompiledTask& crunch = result.workflow->tasks[0];
  EXPECT_TRUE(crunch.signature.declared);
  EXPECT_EQ(crunch.signature.output.to_string(), "Numbers");
  EXPECT_EQ(crunch.signature.defaults, std::vector<std::string>{"scale"});
  EXPECT_EQ(boost::json::serialize(task_spec_json(crunch).at("signature")),
            R"({"declared":true,"inputs":{"values":"list[int]","scale":"float"},"output":"{numbers: list[int]}",)"
            R"("defaults":["scale"],"whole_input":null})");
  const CompiledTask& report = result.workflow->tasks[1];
  EXPECT_FALSE(report.signature.declared);
  EXPECT_EQ(report.signature.output.to_string(), "str");
}

}  // namespace
}  // namespace ork::host
