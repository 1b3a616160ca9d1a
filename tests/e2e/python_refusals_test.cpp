// Every way a workflow of typed Python functions is refused by the real `ork`
// binary, with the exact message and exit code 2: signatures, each binding
// kind, and task files that do not import. Task files live in
// fixtures/python/ and are copied into a temporary workflow directory.
#include "python_support.hpp"

#include <gtest/gtest.h>

namespace ork::test::python {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

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
                 {"wf.yaml:5:5: task \"a\": signatures.py:13: function 'untyped_return' has no return type annotation: "
                  "add one, e.g. '-> dict[str, Any]' or a TypedDict of the fields it returns (those of the task's "
                  "output_type, if the workflow declares one), or '-> None' if it returns nothing"});
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
  const std::string untyped = "task \"a\": signatures.py:13: function 'untyped_return' has no return type annotation: "
                              "add one, e.g. '-> dict[str, Any]' or a TypedDict of the fields it returns (those of "
                              "the task's output_type, if the workflow declares one), or '-> None' if it returns "
                              "nothing";
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

}  // namespace
}  // namespace ork::test::python
