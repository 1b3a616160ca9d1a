// Compile-time behaviour of the python executor: the signature JSON reported
// for every annotation form, and every refusal with its key and message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_harness.hpp"

namespace ork::plugins::python::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

boost::json::object file_task(const std::string& file, const std::string& function) {
  return boost::json::object{{"file", file}, {"function", function}};
}

// The signature of annotations.py's `function`, failing the test on errors.
boost::json::value signature_of(const std::string& function) {
  CheckOutcome outcome = check(fixtures(), file_task("annotations.py", function));
  EXPECT_EQ(outcome.status, ORK_STATUS_OK) << outcome.executor_error;
  EXPECT_TRUE(outcome.errors.empty()) << (outcome.errors.empty() ? "" : outcome.errors.front().second);
  EXPECT_EQ(outcome.signature_calls, 1);
  return outcome.signature.value_or(nullptr);
}

// The single error `check` reports for refused.py's `function`.
std::pair<std::string, std::string> refusal_of(const std::string& file, const std::string& function) {
  CheckOutcome outcome = check(fixtures(), file_task(file, function));
  EXPECT_EQ(outcome.status, ORK_STATUS_OK) << outcome.executor_error;
  EXPECT_FALSE(outcome.signature.has_value());
  EXPECT_EQ(outcome.errors.size(), 1u);
  return outcome.errors.empty() ? std::pair<std::string, std::string>{} : outcome.errors.front();
}

TEST(Signature, Primitives) {
  EXPECT_EQ(signature_of("primitives"),
            boost::json::parse(R"({"inputs": {"a": "int", "b": "float", "c": "str", "d": "bool"}, "output": "null"})"));
}

TEST(Signature, DatesAndDatetimes) {
  EXPECT_EQ(signature_of("dates"),
            boost::json::parse(R"({"inputs": {"day": "date", "at": "datetime"}, "output": "datetime"})"));
}

TEST(Signature, ListsDictsAndTuples) {
  EXPECT_EQ(signature_of("containers"), boost::json::parse(R"({
    "inputs": {"xs": "list[int]", "m": "dict[str, float]", "pair": "tuple[int, str]", "many": "tuple[int, ...]",
               "bare_list": "list[Any]", "bare_dict": "dict[str, Any]", "old_list": "list[dict[str, int]]"},
    "output": "list[dict[str, int]]"})"));
}

TEST(Signature, OptionalsUnionsLiteralsAndEnums) {
  EXPECT_EQ(signature_of("optionals"), boost::json::parse(R"({
    "inputs": {"a": "int | None", "b": "int | None", "c": "int | str", "d": "str", "e": "int", "f": "str"},
    "output": "str | None"})"));
}

TEST(Signature, ExplicitAny) {
  EXPECT_EQ(signature_of("anything"), boost::json::parse(R"({"inputs": {"x": "Any"}, "output": "Any"})"));
}

TEST(Signature, TypedDictTotalNotRequiredAndTotalFalse) {
  EXPECT_EQ(signature_of("typed_dicts"), boost::json::parse(R"({
    "inputs": {"row": {"$name": "Row", "fields": {"id": "int", "note?": "str"}},
               "partial": {"$name": "Partial", "fields": {"name?": "str", "size?": "int"}}},
    "output": "list[{id: int, note?: str}]"})"));
}

TEST(Signature, NestedDataclassesKeepTheirNames) {
  EXPECT_EQ(signature_of("with_dataclass"), boost::json::parse(R"({
    "inputs": {"order": {"$name": "Order", "fields": {
        "id": "int",
        "customer": {"$name": "Customer", "fields": {"name": "str", "email?": "str | None"}},
        "lines": "list[{sku: str, qty: int}]",
        "placed": "date",
        "tags?": "list[str]"}}},
    "output": {"$name": "Customer", "fields": {"name": "str", "email?": "str | None"}},
    "whole_input": "order"})"));
}

// The mapper is the Python SDK's (embedded at build time): no input can set a
// field the constructor does not take, so it is not part of the type.
TEST(Signature, DataclassFieldsWithoutInitAreLeftOut) {
  EXPECT_EQ(signature_of("with_non_init_field"), boost::json::parse(R"({
    "inputs": {"item": {"$name": "Counted", "fields": {"name": "str"}}}, "output": "int", "whole_input": "item"})"));
}

TEST(Signature, PydanticModel) {
  boost::json::value model =
      boost::json::parse(R"({"$name": "Model", "fields": {"name": "str", "score?": "float", "seen?": "datetime | None"}})");
  EXPECT_EQ(signature_of("with_pydantic"),
            (boost::json::object{{"inputs", {{"model", model}}}, {"output", model}, {"whole_input", "model"}}));
}

TEST(Signature, NamedTupleWithTwoParametersIsNotWholeInput) {
  boost::json::value point = boost::json::parse(R"({"$name": "Point", "fields": {"x": "float", "y?": "float"}})");
  EXPECT_EQ(signature_of("with_named_tuple"),
            (boost::json::object{{"inputs", {{"point", point}, {"other", point}}}, {"output", point}}));
}

TEST(Signature, DefaultsAreListed) {
  EXPECT_EQ(signature_of("with_defaults"), boost::json::parse(R"({
    "inputs": {"a": "int", "b": "int", "c": "str | None"}, "output": "int", "defaults": ["b", "c"]})"));
}

TEST(Signature, ForwardReferencesResolve) {
  boost::json::value later = boost::json::parse(R"({"$name": "Later", "fields": {"value": "int"}})");
  EXPECT_EQ(signature_of("forward_reference"),
            (boost::json::object{{"inputs", {{"later", later}}}, {"output", later}, {"whole_input", "later"}}));
}

TEST(Signature, EagerAnnotationsWithoutFutureImport) {
  CheckOutcome outcome = check(fixtures(), file_task("tasks.py", "by_upstream"));
  ASSERT_TRUE(outcome.signature.has_value()) << (outcome.errors.empty() ? "" : outcome.errors.front().second);
  EXPECT_EQ(*outcome.signature,
            boost::json::parse(R"({"inputs": {"extract": "dict[str, int]", "factor": "int"}, "output": "int"})"));
}

TEST(Signature, ModuleTask) {
  CheckOutcome outcome = check(fixtures(), boost::json::object{{"module", "pkg.etl"}});
  ASSERT_TRUE(outcome.signature.has_value()) << (outcome.errors.empty() ? "" : outcome.errors.front().second);
  EXPECT_EQ(*outcome.signature, boost::json::parse(R"({"inputs": {"n": "int"}, "output": "int"})"));
}

// Introspecting a plain function (int, str, bool, float, None annotations)
// in a file that imports nothing needs no standard module the interpreter did
// not load at start (ork_bind.plain_signature, ork_code_files._may_import):
// `ork run` of a fresh workflow waits for it, and inspect, typing, dataclasses
// and modulefinder cost a worker ~20 ms more. The task then runs on the worker
// that introspected it (ork_code_files is imported by introspection only) and
// reports what that worker has imported. The source spells out no `import`,
// not even inside a name or a string: any would send its code files to modulefinder.
TEST(Signature, APlainTaskIsDescribedWithoutImportingHeavyStandardModules) {
  TempDir dir;
  dir.write("plain.py",
            "sys = getattr(print.__self__, '__imp' 'ort__')('sys')  # builtins' hook, spelt in two\n"
            "HEAVY = ['json', 're', 'enum', 'typing', 'inspect', 'dataclasses', 'datetime', 'imp' 'ortlib.util',\n"
            "         'collections', 'modulefinder', 'dis', 'ast', 'tokenize', 'ork_introspect', 'ork_convert']\n"
            "def main(n: int, ratio: float, label: 'str' = 'x', *, flag: bool = False, none: None = None) -> str:\n"
            "    heavy = [name for name in HEAVY if name in sys.modules]\n"
            "    return f'heavy: {heavy}; introspected here: {\"ork_code_files\" in sys.modules}'\n");
  boost::json::object task{{"file", "plain.py"}, {"function", "main"}};
  CheckOutcome checked = check(dir.path(), task);
  ASSERT_TRUE(checked.signature.has_value()) << (checked.errors.empty() ? "" : checked.errors.front().second);
  EXPECT_EQ(*checked.signature, boost::json::parse(R"({
    "inputs": {"n": "int", "ratio": "float", "label": "str", "flag": "bool", "none": "null"},
    "output": "str", "defaults": ["label", "flag", "none"]})"));
  EXPECT_EQ(checked.code_files.value_or(std::vector<std::string>{}),
            std::vector<std::string>{std::filesystem::canonical(dir.path() / "plain.py").string()});
  RunOptions options;
  options.input_json = R"({"n": 3, "ratio": 2})";
  RunOutcome ran = run(dir.path(), task, options);
  EXPECT_EQ(ran.outcome, ORK_TASK_SUCCEEDED) << ran.error << "\n" << ran.log_text();
  EXPECT_EQ(ran.output, R"("heavy: []; introspected here: True")");
}

TEST(Signature, RepeatedChecksGiveTheSameSignature) {
  EXPECT_EQ(signature_of("with_dataclass"), signature_of("with_dataclass"));
}

// ---- refusals -------------------------------------------------------------------

TEST(Refusal, UntypedParameterNamesFileLineFunctionAndParameter) {
  auto [key, message] = refusal_of("refused.py", "untyped_param");
  EXPECT_EQ(key, "function");
  EXPECT_EQ(message, "refused.py:10: function 'untyped_param' parameter 'rows' has no type annotation");
}

TEST(Refusal, UntypedReturn) {
  auto [key, message] = refusal_of("refused.py", "untyped_return");
  EXPECT_EQ(key, "function");
  EXPECT_EQ(message,
            "refused.py:14: function 'untyped_return' has no return type annotation: add one, e.g. "
            "'-> dict[str, Any]' or a TypedDict of the fields it returns (those of the task's output_type, if the "
            "workflow declares one), or '-> None' if it returns nothing");
}

TEST(Refusal, StarArgsAndStarKwargs) {
  EXPECT_THAT(refusal_of("refused.py", "star_args").second,
              StartsWith("refused.py:18: function 'star_args' takes *values; ork passes keyword arguments only"));
  EXPECT_THAT(refusal_of("refused.py", "star_kwargs").second,
              StartsWith("refused.py:22: function 'star_kwargs' takes **values"));
}

TEST(Refusal, UnsupportedTypesNameParameterAndType) {
  EXPECT_THAT(refusal_of("refused.py", "set_param").second,
              StartsWith("refused.py:26: function 'set_param' parameter 'values': type 'set[int]' is not supported"));
  EXPECT_THAT(refusal_of("refused.py", "int_keys").second,
              HasSubstr("parameter 'values': dict keys must be str (JSON object keys are strings), not 'int'"));
  EXPECT_THAT(refusal_of("refused.py", "random_class").second,
              HasSubstr("function 'random_class' parameter 'node': type 'refused.Node' is not supported"));
}

TEST(Refusal, MissingFunctionListsTheFunctionsAndSuggests) {
  auto [key, message] = refusal_of("refused.py", "mian");
  EXPECT_EQ(key, "function");
  EXPECT_EQ(message,
            "no function 'mian' in refused.py (did you mean 'main'?); functions: untyped_param, untyped_return, "
            "star_args, star_kwargs, set_param, int_keys, random_class, main, load");
}

TEST(Refusal, SyntaxErrorReportsThePythonFilesOwnLocation) {
  auto [key, message] = refusal_of("syntax_error.py", "ok");
  EXPECT_EQ(key, "file");
  EXPECT_EQ(message, "syntax_error.py:5:26: SyntaxError: expected ':'");
}

TEST(Refusal, ImportErrorWithTracebackSummary) {
  auto [key, message] = refusal_of("import_error.py", "main");
  EXPECT_EQ(key, "file");
  EXPECT_EQ(message,
            "importing import_error.py failed: ModuleNotFoundError: No module named 'not_a_real_module_for_ork_tests' "
            "(traceback: import_error.py:5 in <module>)");
}

TEST(Refusal, FileNotFound) {
  auto [key, message] = refusal_of("nowhere/tasks.py", "main");
  EXPECT_EQ(key, "file");
  EXPECT_THAT(message, StartsWith("nowhere/tasks.py not found (looked for " + (fixtures() / "nowhere/tasks.py").string()));
}

TEST(Refusal, ModuleNotImportable) {
  CheckOutcome outcome = check(fixtures(), boost::json::object{{"module", "pkg.missing"}});
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].first, "module");
  EXPECT_THAT(outcome.errors[0].second, StartsWith("module 'pkg.missing' not found: no pkg/missing.py"));
}

TEST(Refusal, FileAndModuleTogetherOrNeither) {
  CheckOutcome both = check(fixtures(), boost::json::object{{"file", "tasks.py"}, {"module", "pkg.etl"}});
  ASSERT_EQ(both.errors.size(), 1u);
  EXPECT_EQ(both.errors[0], std::make_pair(std::string("module"),
                                           std::string("a python task takes either `file:` or `module:`, not both")));
  CheckOutcome neither = check(fixtures(), boost::json::object{{"function", "main"}});
  ASSERT_EQ(neither.errors.size(), 1u);
  EXPECT_EQ(neither.errors[0].first, "");
  EXPECT_THAT(neither.errors[0].second, StartsWith("a python task needs `file: path/to/tasks.py`"));
}

TEST(Refusal, NonStringKeys) {
  CheckOutcome outcome = check(fixtures(), boost::json::object{{"file", 3}});
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].first, "file");
  EXPECT_THAT(outcome.errors[0].second, StartsWith("`file:` must be a non-empty string"));
}

TEST(Refusal, VenvWithAnotherPythonVersion) {
  TempDir dir;
  dir.write("tasks.py", "def main() -> int:\n    return 1\n");
  dir.write("envs/py312/pyvenv.cfg", "home = /usr/bin\nversion = 3.12.1\n");
  CheckOutcome outcome = check(dir.path(), boost::json::object{{"file", "tasks.py"}, {"python", "envs/py312"}});
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].first, "python");
  EXPECT_THAT(outcome.errors[0].second,
              StartsWith((dir.path() / "envs/py312").string() + " uses Python 3.12 but ork's python worker embeds "
                                                                 "Python " ORK_TEST_PYTHON_VERSION));
  EXPECT_THAT(outcome.errors[0].second, HasSubstr("recreate the venv with python" ORK_TEST_PYTHON_VERSION));
}

TEST(Refusal, ImplicitDotVenvWithAnotherPythonVersionBlamesTheTask) {
  TempDir dir;
  dir.write("tasks.py", "def main() -> int:\n    return 1\n");
  dir.write(".venv/pyvenv.cfg", "version_info = 3.13.0\n");
  CheckOutcome outcome = check(dir.path(), boost::json::object{{"file", "tasks.py"}});
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].first, "");
  EXPECT_THAT(outcome.errors[0].second, HasSubstr(".venv uses Python 3.13 but"));
}

}  // namespace
}  // namespace ork::plugins::python::test
