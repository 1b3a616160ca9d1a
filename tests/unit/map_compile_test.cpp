// `map:` at compile time (issue 14 item 1): the mapped parameter typed
// against the list's element type, the mapped task's output seen downstream
// as list[Out], zipped parameters, and each bad input with its
// file:line:col message (map over a non-list, an unknown parameter, a
// parameter both mapped and bound, an element that does not fit).
#include <gtest/gtest.h>

#include "fake_catalog.hpp"
#include "workflow/compiler.hpp"

namespace ork::host {
namespace {

using testing::FakeCatalog;
using Errors = std::vector<std::string>;

std::string yaml(const char* text) { return text[0] == '\n' ? text + 1 : text; }

CompileResult compile(const std::string& source) {
  FakeCatalog catalog;
  return compile_workflow_source(source, "wf.yaml", catalog);
}

Errors errors_of(const std::string& source) {
  CompileResult result = compile(source);
  Errors out;
  for (const Diagnostic& diagnostic : result.errors) out.push_back(diagnostic.to_string());
  EXPECT_EQ(result.workflow.has_value(), out.empty());
  return out;
}

// list_files -> list[str]; count(path: str, min_len: int) -> int; total(count: list[int]).
const char* fan = R"(
inputs:
  names: {type: "list[str]"}
  limit: {type: int}
tasks:
  list_files:
    executor: typed
    sig: {inputs: {}, output: "list[str]"}
  count:
    executor: typed
    sig: {inputs: {path: str, min_len: int}, output: int}
    map: {path: {from: list_files}}
    inputs: {min_len: 3}
  total:
    executor: typed
    sig: {inputs: {count: "list[int]"}, output: int}
    depends_on: [count]
)";

TEST(MapCompile, MappedTaskOutputIsAListDownstream) {
  CompileResult result = compile(yaml(fan));
  ASSERT_TRUE(result.workflow) << (result.errors.empty() ? "" : result.errors.front().to_string());
  const CompiledTask* count = result.workflow->find_task("count");
  ASSERT_NE(count, nullptr);
  ASSERT_EQ(count->map.size(), 1u);
  EXPECT_EQ(count->map[0].name, "path");
  EXPECT_EQ(count->map[0].task, "list_files");
  EXPECT_EQ(count->signature.output.to_string(), "list[int]");
  EXPECT_EQ(count->instance_output.to_string(), "int");
  EXPECT_EQ(count->depends_on, std::vector<std::string>{"list_files"});
  boost::json::object spec = task_spec_json(*count);
  EXPECT_EQ(boost::json::serialize(spec.at("map")), R"({"path":{"kind":"task_output","task":"list_files","path":[]}})");
}

TEST(MapCompile, DownstreamExpectingOneElementIsRefused) {
  std::string source = yaml(fan);
  source.replace(source.find(R"(count: "list[int]")"), 18, "count: int");
  EXPECT_EQ(errors_of(source),
            Errors{"wf.yaml:16:18: task \"total\" parameter \"count\": the output of count is list[int], but parameter "
                   "\"count\" expects int"});
}

TEST(MapCompile, ZipsWorkflowInputsConstantsAndFieldPaths) {
  EXPECT_EQ(errors_of(yaml(R"(
inputs:
  names: {type: "list[str]"}
tasks:
  files:
    executor: typed
    sig: {inputs: {}, output: "{paths: list[str], sizes: list[int]}"}
  a:
    executor: typed
    sig: {inputs: {path: str, size: float, name: str}, output: str}
    map: {path: {from: files.paths}, size: {ref: tasks.files.output.sizes}, name: {input: names}}
  b:
    executor: typed
    sig: {inputs: {x: int, each: str}, output: "null"}
    map: {x: [1, 2, 3], each: {from: a}}
)")),
            Errors{});
}

TEST(MapCompile, MapOverANonList) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  one:
    executor: typed
    sig: {inputs: {}, output: int}
  count:
    executor: typed
    sig: {inputs: {path: str}, output: int}
    map: {path: {from: one}}
)")),
            Errors{"wf.yaml:8:24: task \"count\" map \"path\": map over a non-list: the output of one is int; map "
                   "needs a list (list[T]) and runs the task once per element"});
}

TEST(MapCompile, MapOfAnUnknownParameterSuggestsOne) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  list_files:
    executor: typed
    sig: {inputs: {}, output: "list[str]"}
  count:
    executor: typed
    sig: {inputs: {path: str}, output: int}
    map: {pth: {from: list_files}}
)")),
            (Errors{"wf.yaml:5:3: task \"count\": parameter \"path\" (str) is not bound: no input, no upstream task "
                    "named \"path\", no default",
                    "wf.yaml:8:11: task \"count\" map \"pth\": task \"count\" has no parameter \"pth\" (did you mean "
                    "\"path\"?); parameters: path"}));
}

TEST(MapCompile, ParameterBothMappedAndBound) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  list_files:
    executor: typed
    sig: {inputs: {}, output: "list[str]"}
  count:
    executor: typed
    sig: {inputs: {path: str}, output: int}
    map: {path: {from: list_files}}
    inputs: {path: a.txt}
)")),
            Errors{"wf.yaml:9:20: task \"count\": parameter \"path\" is both mapped (map:) and bound in inputs:; "
                   "keep one (a mapped parameter receives one element of the list per instance)"});
}

TEST(MapCompile, ElementTypeMustFitTheParameterNamingBothTypes) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  list_files:
    executor: typed
    sig: {inputs: {}, output: "list[str]"}
  count:
    executor: typed
    sig: {inputs: {n: int}, output: int}
    map: {n: {from: list_files}}
)")),
            Errors{"wf.yaml:8:21: task \"count\" map \"n\": the elements of the output of list_files (list[str]) are "
                   "str, but parameter \"n\" expects int"});
}

TEST(MapCompile, IntElementsFitAFloatParameterAndConstantsAreTyped) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  a:
    executor: typed
    sig: {inputs: {x: float}, output: int}
    map: {x: [1, 2]}
  b:
    executor: typed
    sig: {inputs: {x: int}, output: int}
    map: {x: ["one"]}
)")),
            Errors{"wf.yaml:9:14: task \"b\" map \"x\": the elements of the constant [\"one\"] (list[str]) are str, "
                   "but parameter \"x\" expects int"});
}

TEST(MapCompile, UnknownSourcesAndMalformedMaps) {
  EXPECT_EQ(errors_of(yaml(R"(
tasks:
  list_files:
    executor: typed
    sig: {inputs: {}, output: "list[str]"}
  a:
    executor: typed
    sig: {inputs: {path: str}, output: int}
    map: {path: {from: list_file}}
  b:
    executor: typed
    sig: {inputs: {path: str}, output: int}
    map: {path: {input: files}}
  c:
    executor: typed
    sig: {inputs: {path: str}, output: int}
    map: [path]
)")),
            (Errors{"wf.yaml:8:24: task \"a\" map \"path\": {from: ...} names an unknown task \"list_file\" (did "
                    "you mean \"list_files\"?); tasks: a, b, c, list_files",
                    "wf.yaml:12:17: task \"b\" map \"path\": {input: files} names no workflow input \"files\"; the "
                    "workflow declares no inputs: block",
                    "wf.yaml:13:3: task \"c\": parameter \"path\" (str) is not bound: no input, no upstream task "
                    "named \"path\", no default",
                    "wf.yaml:16:10: task \"c\": \"map\" must be a mapping of parameter -> list, such as {path: {from: "
                    "list_files}}, not a list"}));
}

TEST(MapCompile, ATriggerRuleThatMayRunWithoutTheListIsRefused) {
  Errors errors = errors_of(yaml(R"(
tasks:
  list_files:
    executor: typed
    sig: {inputs: {}, output: "list[str]"}
  count:
    executor: typed
    sig: {inputs: {path: str}, output: int}
    map: {path: {from: list_files}}
    trigger_rule: all_done
)"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("map over a non-list: the output of list_files is list[str] | None"), std::string::npos)
      << errors[0];
  EXPECT_NE(errors[0].find("with trigger_rule: all_done"), std::string::npos) << errors[0];
}

}  // namespace
}  // namespace ork::host
