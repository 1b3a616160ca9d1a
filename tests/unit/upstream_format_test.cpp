// The upstream ork's workflow format (docs/workflows.md, "The upstream ork's
// spellings"): `{const: V}` and `{ref: tasks.T.output.f}` bindings,
// `types.Name`, `[T]` lists (as a string and as a YAML sequence), the
// datetime_notz / datetime_tz / datetime_utc types with their ISO-8601 text
// and assignability, and the errors each spelling gives when it is wrong.
#include <gtest/gtest.h>

#include "fake_catalog.hpp"
#include "types/assignability.hpp"
#include "types/temporal.hpp"
#include "workflow/compiler.hpp"

#include <boost/json/parse.hpp>

namespace ork::host {
namespace {

using testing::FakeCatalog;
using Errors = std::vector<std::string>;

Errors errors_of(const std::string& source) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(source, "wf.yaml", catalog);
  Errors out;
  for (const Diagnostic& diagnostic : result.errors) out.push_back(diagnostic.to_string());
  EXPECT_EQ(result.workflow.has_value(), out.empty());
  return out;
}

CompiledWorkflow compiled(const std::string& source) {
  FakeCatalog catalog;
  CompileResult result = compile_workflow_source(source, "wf.yaml", catalog);
  for (const Diagnostic& diagnostic : result.errors) ADD_FAILURE() << diagnostic.to_string();
  if (!result.workflow) throw std::runtime_error("not compiled");
  return std::move(*result.workflow);
}

const CompiledTask& task_named(const CompiledWorkflow& workflow, const std::string& name) {
  for (const CompiledTask& task : workflow.tasks) {
    if (task.name == name) return task;
  }
  throw std::runtime_error("no task " + name);
}

// ---- type spellings ------------------------------------------------------------

std::optional<Type> order_type(std::string_view name) {
  if (name == "Order") return Type::object({Field{"id", Type::integer(), false}}, "Order");
  return std::nullopt;
}

TEST(UpstreamTypes, TypesDotNameIsTheNamedType) {
  EXPECT_EQ(parse_type("types.Order", order_type), *order_type("Order"));
  EXPECT_EQ(parse_type("list[types.Order] | None", order_type).to_string(), "list[Order] | None");
}

TEST(UpstreamTypes, UnknownTypesDotNameSaysSo) {
  try {
    parse_type("list[types.Ordr]", order_type);
    FAIL() << "accepted an unknown types.Ordr";
  } catch (const TypeError& e) {
    EXPECT_EQ(e.describe(),
              "column 6: unknown type \"types.Ordr\": the workflow's `types:` defines no \"Ordr\" (types.NAME only "
              "names the workflow's own types; built-in types are written bare, e.g. int)");
  }
  EXPECT_THROW(parse_type("types.", order_type), TypeError);
  EXPECT_THROW(parse_type("types.int", order_type), TypeError);
}

TEST(UpstreamTypes, BracketListIsAList) {
  EXPECT_EQ(parse_type("[int]"), Type::list(Type::integer()));
  EXPECT_EQ(parse_type("[[str]]"), Type::list(Type::list(Type::string())));
  EXPECT_EQ(parse_type("[types.Order]", order_type), Type::list(*order_type("Order")));
  EXPECT_EQ(parse_type("{xs: [int]}").to_string(), "{xs: list[int]}");
}

TEST(UpstreamTypes, BracketListNeedsExactlyOneItemType) {
  try {
    parse_type("[int, str]");
    FAIL();
  } catch (const TypeError& e) {
    EXPECT_EQ(e.describe(), "column 5: a list type [T] has exactly one item type; for a fixed tuple write tuple[A, B]");
  }
  try {
    parse_type("[]");
    FAIL();
  } catch (const TypeError& e) {
    EXPECT_EQ(e.describe(), "column 2: expected the item type inside \"[T]\" (e.g. [int])");
  }
}

TEST(UpstreamTypes, JsonSequenceIsAList) {
  EXPECT_EQ(parse_type_json(boost::json::parse(R"(["int"])")), Type::list(Type::integer()));
  EXPECT_EQ(parse_type_json(boost::json::parse(R"({"xs": [{"id": "int"}]})")).to_string(), "{xs: list[{id: int}]}");
  try {
    parse_type_json(boost::json::parse(R"({"xs": ["int", "str"]})"));
    FAIL();
  } catch (const TypeError& e) {
    EXPECT_EQ(e.describe(), "field \"xs\": a list type written as a sequence has exactly one item type, e.g. [int]; "
                            "this one has 2 (for a fixed tuple write \"tuple[A, B]\")");
  }
}

TEST(UpstreamTypes, DatetimeKindsParseAndPrint) {
  for (const char* text : {"datetime_notz", "datetime_tz", "datetime_utc", "list[datetime_utc]", "datetime_tz | None"}) {
    EXPECT_EQ(parse_type(text).to_string(), text);
    EXPECT_EQ(parse_type_json(parse_type(text).to_json()), parse_type(text));
  }
  EXPECT_NE(parse_type("datetime_tz"), parse_type("datetime_utc"));
  EXPECT_NE(parse_type("datetime"), parse_type("datetime_notz"));
}

// ---- temporal assignability ------------------------------------------------------

struct Fit {
  const char* from;
  const char* to;
  bool ok;
};

TEST(UpstreamTypes, DatetimeAssignability) {
  for (const Fit& fit : {Fit{"datetime_utc", "datetime_tz", true}, Fit{"datetime_tz", "datetime_utc", false},
                         Fit{"datetime_notz", "datetime_tz", false}, Fit{"datetime_tz", "datetime_notz", false},
                         Fit{"datetime_utc", "datetime_notz", false}, Fit{"datetime_notz", "datetime_utc", false},
                         Fit{"datetime_notz", "datetime", true}, Fit{"datetime_tz", "datetime", true},
                         Fit{"datetime_utc", "datetime", true}, Fit{"datetime", "datetime_notz", false},
                         Fit{"datetime", "datetime_tz", false}, Fit{"date", "datetime_notz", false},
                         Fit{"datetime_notz", "date", false}, Fit{"str", "datetime_utc", false},
                         Fit{"datetime_utc", "str", false}, Fit{"datetime_utc", "datetime_tz | None", true},
                         Fit{"list[datetime_utc]", "list[datetime_tz]", true}}) {
    EXPECT_EQ(is_assignable(parse_type(fit.from), parse_type(fit.to)).ok, fit.ok) << fit.from << " -> " << fit.to;
  }
}

TEST(UpstreamTypes, AwareIntoNaiveSaysWhy) {
  EXPECT_EQ(is_assignable(Type::datetime_tz(), Type::datetime_notz()).reason,
            "datetime_tz does not fit datetime_notz: a time-zone-aware datetime does not silently become a naive "
            "one; convert it in the upstream task");
  EXPECT_EQ(is_assignable(Type::datetime(), Type::datetime_utc()).reason,
            "datetime does not fit datetime_utc: a datetime may or may not carry a time zone; declare the upstream "
            "output as datetime_utc");
}

// ---- temporal text ---------------------------------------------------------------

TEST(UpstreamTemporal, EachKindHasItsForm) {
  EXPECT_TRUE(is_iso_datetime_notz("2024-01-15T10:00:00"));
  EXPECT_TRUE(is_iso_datetime_notz("2024-01-15T10:00:00.5"));
  EXPECT_FALSE(is_iso_datetime_notz("2024-01-15T10:00:00Z"));
  EXPECT_FALSE(is_iso_datetime_notz("2024-01-15T10:00:00+02:00"));
  EXPECT_TRUE(is_iso_datetime_tz("2024-01-15T10:00:00Z"));
  EXPECT_TRUE(is_iso_datetime_tz("2024-01-15T10:00:00-05:00"));
  EXPECT_FALSE(is_iso_datetime_tz("2024-01-15T10:00:00"));
  EXPECT_TRUE(is_iso_datetime_utc("2024-01-15T10:00:00.123Z"));
  EXPECT_FALSE(is_iso_datetime_utc("2024-01-15T10:00:00+00:00"));
  EXPECT_FALSE(is_iso_datetime_utc("2024-01-15Z"));
}

GivenType given(const char* json, const char* type) { return type_of_given(boost::json::parse(json), parse_type(type)); }

TEST(UpstreamTemporal, TextIsTypedAsTheKindExpected) {
  EXPECT_EQ(given(R"("2024-01-15T10:00:00")", "datetime_notz").type, Type::datetime_notz());
  EXPECT_EQ(given(R"("2024-01-15T10:00:00+09:00")", "datetime_tz").type, Type::datetime_tz());
  EXPECT_EQ(given(R"("2024-01-15T10:00:00Z")", "datetime_utc").type, Type::datetime_utc());
  EXPECT_EQ(given(R"("2024-01-15T10:00:00Z")", "datetime_tz | None").type, Type::datetime_tz());
}

TEST(UpstreamTemporal, WrongZoneNamesTheExpectedFormat) {
  EXPECT_EQ(given(R"("2024-01-15T10:00:00Z")", "datetime_notz").problem,
            R"("2024-01-15T10:00:00Z" is not a datetime_notz: write it as YYYY-MM-DDTHH:MM:SS[.fff] (no Z, no offset))");
  EXPECT_EQ(given(R"("2024-01-15T10:00:00")", "datetime_tz").problem,
            R"("2024-01-15T10:00:00" is not a datetime_tz: write it as YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM))");
  EXPECT_EQ(given(R"("2024-01-15T10:00:00+01:00")", "datetime_utc").problem,
            R"("2024-01-15T10:00:00+01:00" is not a datetime_utc: write it as YYYY-MM-DDTHH:MM:SS[.fff]Z)");
}

// ---- the compiler ------------------------------------------------------------------

// Two tasks in the upstream format; `b_inputs` are b's bindings (YAML lines
// indented by 6) and `b_type` its input_type (indented by 6).
std::string upstream_workflow(const std::string& b_type, const std::string& b_inputs) {
  return "name: upstream_demo\n"                // 1
         "types:\n"                             // 2
         "  Batch:\n"                           // 3
         "    ids: [int]\n"                     // 4
         "    at: datetime_utc\n"               // 5
         "    day: date\n"                      // 6
         "tasks:\n"                             // 7
         "  a:\n"                               // 8
         "    executor: process\n"              // 9
         "    command: ./a\n"                   // 10
         "    input_type: {}\n"                 // 11
         "    output_type: types.Batch\n"       // 12
         "    inputs: {}\n"                     // 13
         "  b:\n"                               // 14
         "    executor: process\n"              // 15
         "    command: ./b\n"                   // 16
         "    depends_on: [a]\n"                // 17
         "    input_type:\n" +                  // 18
         b_type +                               // 19..
         "    output_type: \"[str]\"\n"
         "    inputs:\n" +
         b_inputs;
}

TEST(UpstreamCompiler, ConstAndRefBind) {
  CompiledWorkflow workflow = compiled(upstream_workflow("      batch: types.Batch\n"
                                                         "      first: int\n"
                                                         "      since: date\n"
                                                         "      at: datetime_tz\n"
                                                         "      label: {ref: str}\n",
                                                         "      batch: {ref: tasks.a.output}\n"
                                                         "      first: {ref: tasks.a.output.ids.0}\n"
                                                         "      since: {const: \"2024-01-15\"}\n"
                                                         "      at:\n"
                                                         "        ref: tasks.a.output.at\n"
                                                         "      label:\n"
                                                         "        const: {ref: not a reference}\n"));
  const CompiledTask& b = task_named(workflow, "b");
  ASSERT_EQ(b.inputs.size(), 5u);
  EXPECT_EQ(b.inputs[0].kind, InputBinding::Kind::task_output);
  EXPECT_EQ(b.inputs[0].task, "a");
  EXPECT_TRUE(b.inputs[0].path.empty());
  EXPECT_EQ(b.inputs[1].path, (std::vector<std::string>{"ids", "0"}));
  EXPECT_EQ(b.inputs[2].kind, InputBinding::Kind::constant);
  EXPECT_EQ(b.inputs[2].constant, boost::json::value("2024-01-15"));
  EXPECT_EQ(b.inputs[4].kind, InputBinding::Kind::constant);  // {const: mapping} is the mapping, whatever its keys
  EXPECT_EQ(b.inputs[4].constant, boost::json::parse(R"({"ref": "not a reference"})"));
  EXPECT_EQ(b.signature.output.to_string(), "list[str]");
  EXPECT_EQ(task_named(workflow, "a").signature.output.to_structural_string(),
            "{ids: list[int], at: datetime_utc, day: date}");
}

TEST(UpstreamCompiler, SameTypedDagAsOrksOwnSpellings) {
  const std::string upstream = upstream_workflow("      ids: [int]\n      n: int\n",
                                                 "      ids: {ref: tasks.a.output.ids}\n      n: {const: 3}\n");
  const std::string own = upstream_workflow("      ids: \"list[int]\"\n      n: int\n",
                                            "      ids: {from: a.ids}\n      n: 3\n");
  EXPECT_EQ(boost::json::serialize(compiled(upstream).spec_json()), boost::json::serialize(compiled(own).spec_json()));
}

TEST(UpstreamCompiler, BadRefPaths) {
  const std::string usage =
      "write tasks.<task>.output for a task's whole output, or tasks.<task>.output.<field>... for a part of it "
      "(list indexes as numbers: tasks.extract.output.rows.0.id)";
  for (const char* path : {"a.output", "tasks.a", "tasks.a.outputs.ids", "tasks..output", "tasks.a.output.", "inputs.x"}) {
    EXPECT_EQ(errors_of(upstream_workflow("      ids: [int]\n", std::string("      ids: {ref: \"") + path + "\"}\n")),
              Errors{"wf.yaml:22:18: task \"b\" input \"ids\": reference \"" + std::string(path) +
                     "\" is not valid: " + usage})
        << path;
  }
}

TEST(UpstreamCompiler, RefToAMissingFieldOrTask) {
  EXPECT_EQ(errors_of(upstream_workflow("      ids: [int]\n", "      ids: {ref: tasks.a.output.idz}\n")),
            Errors{"wf.yaml:22:18: task \"b\" input \"ids\": a has no output field \"idz\" (fields: ids, at, day)"});
  Errors unknown = errors_of(upstream_workflow("      ids: [int]\n", "      ids: {ref: tasks.z.output.ids}\n"));
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_NE(unknown[0].find("wf.yaml:22:18: task \"b\""), std::string::npos) << unknown[0];
  EXPECT_NE(unknown[0].find("\"z\""), std::string::npos) << unknown[0];
}

TEST(UpstreamCompiler, MappingsWithMoreKeysStayConstants) {
  CompiledWorkflow workflow = compiled(upstream_workflow("      git: {ref: str, repo: str}\n      n: {const: int, unit: str}\n",
                                                         "      git: {ref: main, repo: ork}\n"
                                                         "      n: {const: 3, unit: s}\n"));
  const CompiledTask& b = task_named(workflow, "b");
  ASSERT_EQ(b.inputs.size(), 2u);
  EXPECT_EQ(b.inputs[0].kind, InputBinding::Kind::constant);
  EXPECT_EQ(b.inputs[0].constant, boost::json::parse(R"({"ref": "main", "repo": "ork"})"));
  EXPECT_EQ(b.inputs[1].constant, boost::json::parse(R"({"const": 3, "unit": "s"})"));
  EXPECT_EQ(errors_of(upstream_workflow("      ids: [int]\n", "      ids: {ref: [tasks, a]}\n")),
            Errors{"wf.yaml:22:18: task \"b\" input \"ids\": \"ref\" must be a path such as tasks.extract.output.rows, "
                   "not a list; write tasks.<task>.output for a task's whole output, or "
                   "tasks.<task>.output.<field>... for a part of it"});
}

TEST(UpstreamCompiler, RefTypeMismatchIsReported) {
  EXPECT_EQ(errors_of(upstream_workflow("      at: datetime_notz\n", "      at: {ref: tasks.a.output.at}\n")),
            Errors{"wf.yaml:22:17: task \"b\" input \"at\": a.at is datetime_utc, but parameter \"at\" expects "
                   "datetime_notz: a time-zone-aware datetime does not silently become a naive one; convert it in "
                   "the upstream task"});
}

TEST(UpstreamCompiler, MalformedDateConstantsNameTheFormat) {
  EXPECT_EQ(errors_of(upstream_workflow("      day: date\n", "      day: {const: \"2024-1-15\"}\n")),
            Errors{"wf.yaml:22:12: task \"b\" input \"day\": the constant \"2024-1-15\" is not a date: write it as "
                   "YYYY-MM-DD (parameter \"day\" is date)"});
  EXPECT_EQ(errors_of(upstream_workflow("      at: datetime_utc\n", "      at: {const: \"2024-01-15T10:00:00\"}\n")),
            Errors{"wf.yaml:22:11: task \"b\" input \"at\": the constant \"2024-01-15T10:00:00\" is not a "
                   "datetime_utc: write it as YYYY-MM-DDTHH:MM:SS[.fff]Z (parameter \"at\" is datetime_utc)"});
  // ork's own spelling of a constant: the same rule.
  EXPECT_EQ(errors_of(upstream_workflow("      at: datetime_notz\n", "      at: \"2024-01-15T10:00:00+01:00\"\n")),
            Errors{"wf.yaml:22:11: task \"b\" input \"at\": the constant \"2024-01-15T10:00:00+01:00\" is not a "
                   "datetime_notz: write it as YYYY-MM-DDTHH:MM:SS[.fff] (no Z, no offset) (parameter \"at\" is "
                   "datetime_notz)"});
  EXPECT_EQ(errors_of(upstream_workflow("      at: datetime_tz\n      day: date\n",
                                        "      at: \"2024-01-15T10:00:00+01:00\"\n      day: 2024-01-15\n")),
            Errors{});
}

TEST(UpstreamCompiler, UnknownTypesDotNameInADeclaration) {
  Errors errors = errors_of(upstream_workflow("      batch: types.Bacth\n", "      batch: {ref: tasks.a.output}\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "wf.yaml:19:7: task \"b\": input_type: field \"batch\": column 1: unknown type \"types.Bacth\": the "
            "workflow's `types:` defines no \"Bacth\" (types.NAME only names the workflow's own types; built-in types "
            "are written bare, e.g. int)");
}

TEST(UpstreamCompiler, TypeNamesMayNotHideTheNewBuiltins) {
  Errors errors = errors_of("types:\n  datetime_utc: {at: str}\ntasks:\n  a: {executor: process, command: ./a}\n");
  EXPECT_EQ(errors, Errors{"wf.yaml:2:3: type \"datetime_utc\" would hide the built-in type of that name; choose "
                           "another name"});
}

TEST(UpstreamCompiler, SequenceTypesInTypesAndDeclarations) {
  CompiledWorkflow workflow = compiled(
      "types:\n  Ids: [int]\n  Rows: [{id: int, tags: [str]}]\ntasks:\n"
      "  a: {executor: process, command: ./a, output_type: [types.Rows]}\n"
      "  b: {executor: process, command: ./b, input_type: {ids: types.Ids}, inputs: {ids: {const: [1, 2]}}}\n");
  EXPECT_EQ(task_named(workflow, "a").signature.output.to_string(), "list[list[{id: int, tags: list[str]}]]");
  EXPECT_EQ(errors_of("tasks:\n  a: {executor: process, command: ./a, output_type: [int, str]}\n"),
            Errors{"wf.yaml:2:53: task \"a\": output_type: a list type written as a sequence has exactly one item "
                   "type, e.g. [int]; this one has 2 (for a fixed tuple write \"tuple[A, B]\")"});
}

}  // namespace
}  // namespace ork::host
