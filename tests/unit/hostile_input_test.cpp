// Hostile workflow files and types (issue 10, findings 1 and 3): aliases that
// contain themselves, alias bombs, nesting deep enough to overflow the stack
// and named types that stand for huge trees are compile errors with a
// file:line:col, never a crash. Each limit of ork/limits.h that the compiler
// enforces is tested at the limit (accepted) and one past it (refused).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "fake_catalog.hpp"
#include "ork/limits.h"
#include "types/assignability.hpp"
#include "types/type.hpp"
#include "workflow/compiler.hpp"
#include "workflow/yaml_nodes.hpp"

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

std::string repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// `depth` lists inside each other around a 1: [[[1]]] is 3.
std::string nested_lists(int depth) {
  return repeat("[", depth) + "1" + repeat("]", depth);
}

// A type string of `depth` lists inside each other: list[list[int]] is 2.
std::string nested_list_type(int depth) {
  return repeat("list[", depth) + "int" + repeat("]", depth);
}

// ---- YAML values -------------------------------------------------------------

TEST(HostileYaml, AnAliasInsideItsOwnAnchorIsAnErrorNotACrash) {
  EXPECT_EQ(errors_of("inputs: {x: &a [*a]}\ntasks:\n  t: {executor: process, command: x}\n"),
            Errors{"wf.yaml:1:13: this value contains itself: an alias inside it refers back to it (or to a value "
                   "around it); an alias must refer to a value defined before it, outside it"});
  // The same through a mapping, in a task setting and in a constant input.
  Errors in_config = errors_of("tasks:\n  t: {executor: process, command: &c {a: [*c]}}\n");
  ASSERT_EQ(in_config.size(), 1u);
  EXPECT_EQ(in_config[0].substr(0, 40), "wf.yaml:2:35: this value contains itself");
  Errors in_constant = errors_of("tasks:\n  t:\n    executor: process\n    command: x\n    inputs: {v: &v [1, *v]}\n");
  ASSERT_EQ(in_constant.size(), 1u);
  EXPECT_EQ(in_constant[0].substr(0, 40), "wf.yaml:5:17: this value contains itself");
}

TEST(HostileYaml, ValuesNestUpToTheDepthLimit) {
  std::string task = "tasks:\n  t: {executor: process, command: x}\n";
  EXPECT_EQ(errors_of("inputs:\n  x: " + nested_lists(ORK_MAX_YAML_DEPTH) + "\n" + task), Errors{});
  EXPECT_EQ(errors_of("inputs:\n  x: " + nested_lists(ORK_MAX_YAML_DEPTH + 1) + "\n" + task),
            Errors{"wf.yaml:2:" + std::to_string(ORK_MAX_YAML_DEPTH + 6) + ": this value nests more than " +
                   std::to_string(ORK_MAX_YAML_DEPTH) +
                   " lists and mappings deep, the limit (ORK_MAX_YAML_DEPTH); flatten it"});
  // Far deeper than the stack allows, as long as yaml-cpp's own guard lets it
  // through: still one error.
  EXPECT_EQ(errors_of("inputs:\n  x: " + nested_lists(1500) + "\n" + task).size(), 1u);
}

TEST(HostileYaml, ADocumentDeeperThanYamlCppAcceptsIsASyntaxError) {
  Errors errors =
      errors_of("inputs:\n  x: " + nested_lists(20000) + "\ntasks:\n  t: {executor: process, command: x}\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("wf.yaml:2:"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("YAML syntax error"), std::string::npos) << errors[0];
}

// The 616-byte bomb of the issue: 9 levels, each repeating the previous 10
// times, stand for 10^9 nodes. It is refused by counting, not by timing.
std::string alias_bomb() {
  std::string text = "inputs:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    std::string previous = "*a" + std::to_string(level - 1);
    text += "  a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + previous;
    for (int i = 1; i < 10; ++i) text += ", " + previous;
    text += "]\n";
  }
  return text + "tasks:\n  t: {executor: process, command: x}\n";
}

TEST(HostileYaml, AnAliasBombIsRefusedWithTheNodeBudget) {
  Errors errors = errors_of(alias_bomb());
  ASSERT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  EXPECT_EQ(errors[0], "wf.yaml:6:7: the values of this workflow file expand to more than " +
                           std::to_string(ORK_MAX_YAML_NODES) + " YAML nodes beyond one per byte of the file (" +
                           std::to_string(alias_bomb().size()) +
                           " bytes; each use of an alias counts every node it refers to), the limit "
                           "(ORK_MAX_YAML_NODES); use large anchors less often or write the value out");
}

// Values written out are never too many, only what aliases expand to: a
// file of 100 000 tasks has more nodes than ORK_MAX_YAML_NODES on its own
// (here one constant of as many elements stands for them).
TEST(HostileYaml, ValuesWrittenOutAreNotLimitedByTheNodeBudget) {
  std::string text = "tasks:\n  t:\n    executor: process\n    command: x\n    inputs: {v: [" +
                     repeat("0, ", ORK_MAX_YAML_NODES) + "0]}\n";
  EXPECT_EQ(errors_of(text), Errors{});
}

// A document whose "value" is a list of exactly `nodes` nodes (itself
// included) built from anchors of 10, 101, 1011, ... nodes, so the test text
// stays small.
YamlDocument list_of_exactly(std::size_t nodes) {
  std::string defs = "defs:\n  - &l0 [0, 0, 0, 0, 0, 0, 0, 0, 0]\n";
  std::vector<std::size_t> sizes{10};
  for (int level = 1; level <= 5; ++level) {
    std::string previous = "*l" + std::to_string(level - 1);
    defs += "  - &l" + std::to_string(level) + " [" + previous + repeat(", " + previous, 9) + "]\n";
    sizes.push_back(1 + 10 * sizes.back());
  }
  std::string items;
  std::size_t left = nodes - 1;
  for (int level = 5; level >= 0; --level) {
    for (; left >= sizes[level]; left -= sizes[level]) items += "*l" + std::to_string(level) + ", ";
  }
  for (; left > 0; --left) items += "0, ";
  items.resize(items.size() - 2);
  return YamlDocument::parse(defs + "value: [" + items + "]\n");
}

TEST(HostileYaml, TheNodeBudgetIsExact) {
  std::vector<Diagnostic> errors;
  YamlValueReader at_limit("f.yaml", errors);
  ASSERT_TRUE(at_limit.to_json(list_of_exactly(ORK_MAX_YAML_NODES).root().find("value")));
  EXPECT_EQ(at_limit.nodes_used(), std::size_t{ORK_MAX_YAML_NODES});
  EXPECT_TRUE(errors.empty());

  YamlValueReader past("f.yaml", errors);
  EXPECT_FALSE(past.to_json(list_of_exactly(ORK_MAX_YAML_NODES + 1).root().find("value")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("ORK_MAX_YAML_NODES"), std::string::npos);
  // Once spent, the budget stays spent (and is reported once).
  EXPECT_FALSE(past.to_json(YamlDocument::parse("1").root()));
  EXPECT_EQ(errors.size(), 1u);
}

TEST(HostileYaml, TheBudgetIsSharedByTheWholeFile) {
  // Each task alone is well under the budget; together they are not.
  std::string text = "defs:\n  - &big [" + repeat("0, ", 999) + "0]\n";
  std::vector<Diagnostic> errors;
  YamlValueReader values("f.yaml", errors, 5000);
  YamlDocument document = YamlDocument::parse(text);
  YamlNode big = document.root().find("defs").item(0);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(values.to_json(big));
  EXPECT_FALSE(values.to_json(big));
  EXPECT_EQ(errors.size(), 1u);
}

// ---- types -------------------------------------------------------------------

TEST(HostileTypes, TypeStringsNestUpToTheDepthLimit) {
  EXPECT_EQ(parse_type(nested_list_type(ORK_MAX_TYPE_DEPTH)).depth(), ORK_MAX_TYPE_DEPTH);
  try {
    parse_type(nested_list_type(ORK_MAX_TYPE_DEPTH + 1));
    FAIL() << "a type one level past the limit was accepted";
  } catch (const TypeError& e) {
    EXPECT_EQ(e.column(), 5 * ORK_MAX_TYPE_DEPTH + 5);  // at the "[" that goes past it
    EXPECT_NE(std::string(e.what()).find("ORK_MAX_TYPE_DEPTH"), std::string::npos);
  }
  // The crash of the issue: 20 000 levels.
  EXPECT_THROW(parse_type(nested_list_type(20000)), TypeError);
  EXPECT_THROW(parse_type(repeat("(", 20000) + "int" + repeat(")", 20000)), TypeError);
  EXPECT_THROW(parse_type(repeat("{a: ", 20000) + "int" + repeat("}", 20000)), TypeError);
}

TEST(HostileTypes, ADeepTypeStringInAWorkflowIsAnErrorWithItsPlace) {
  Errors errors = errors_of("tasks:\n  t:\n    executor: process\n    command: x\n    output_type: \"" +
                            nested_list_type(20000) + "\"\n");
  EXPECT_EQ(errors,
            Errors{"wf.yaml:5:18: task \"t\": output_type: column " + std::to_string(5 * ORK_MAX_TYPE_DEPTH + 5) +
                   ": the type nests more than " + std::to_string(ORK_MAX_TYPE_DEPTH) +
                   " levels deep (brackets, braces, parentheses and named types; the limit is "
                   "ORK_MAX_TYPE_DEPTH)"});
}

TEST(HostileTypes, JsonTypesNestUpToTheDepthLimit) {
  auto nested_objects = [](int depth) {
    boost::json::value type = "int";
    for (int i = 0; i < depth; ++i) type = boost::json::object{{"a", type}};
    return type;
  };
  EXPECT_EQ(parse_type_json(nested_objects(ORK_MAX_TYPE_DEPTH)).depth(), ORK_MAX_TYPE_DEPTH);
  EXPECT_THROW(parse_type_json(nested_objects(ORK_MAX_TYPE_DEPTH + 1)), TypeError);
}

TEST(HostileTypes, AChainOfNamedTypesIsBounded) {
  std::string types = "types:\n";
  for (int i = 0; i < 20000; ++i) types += "  T" + std::to_string(i) + ": T" + std::to_string(i + 1) + "\n";
  types += "  T20000: int\n";
  Errors errors = errors_of(types + "tasks:\n  t: {executor: process, command: x, output_type: T0}\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("levels of nested types and named types"), std::string::npos) << errors[0];
}

TEST(HostileTypes, NamedTypesThatStandForAHugeTreeAreRefused) {
  // Each definition uses the previous one twice: T40 written out has 2^40 parts.
  std::string types = "types:\n  T0: int\n";
  for (int i = 1; i <= 40; ++i) {
    std::string previous = "T" + std::to_string(i - 1);
    types += "  T" + std::to_string(i) + ": \"list[" + previous + "] | tuple[" + previous + ", ...]\"\n";
  }
  Errors errors = errors_of(types + "tasks:\n  t: {executor: process, command: x, output_type: T40}\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("ORK_MAX_TYPE_NODES"), std::string::npos) << errors[0];
}

TEST(HostileTypes, TypesGrowUpToTheSizeLimit) {
  // A tuple of n ints has n + 1 parts.
  auto tuple_of = [](int parts) {
    std::vector<Type> items(static_cast<std::size_t>(parts - 1), Type::integer());
    return Type::tuple(std::move(items));
  };
  EXPECT_EQ(tuple_of(ORK_MAX_TYPE_NODES).size(), std::size_t{ORK_MAX_TYPE_NODES});
  EXPECT_THROW(tuple_of(ORK_MAX_TYPE_NODES + 1), TypeError);
}

TEST(HostileTypes, CheckingNestedOptionalsIsNotExponential) {
  // to = list[list[... str ...] | None] | None, 60 levels; from = list of ints
  // as deep. Checking each level twice would take 2^60 steps.
  Type to = Type::string();
  Type from = Type::integer();
  for (int i = 0; i < 60; ++i) {
    to = Type::optional(Type::list(to));
    from = Type::list(from);
  }
  Assignability fits = is_assignable(from, to);
  EXPECT_FALSE(fits);
  EXPECT_TRUE(fits.reason.starts_with("list[list[")) << fits.reason;
}

TEST(HostileTypes, ConstantsTooDeepOrTooLargeGetACoarserType) {
  boost::json::value deep = 1;
  for (int i = 0; i < ORK_MAX_TYPE_DEPTH + 10; ++i) deep = boost::json::array{deep};
  Type type = infer_type(deep);
  EXPECT_EQ(type.depth(), ORK_MAX_TYPE_DEPTH);

  boost::json::object wide;
  for (int i = 0; i < ORK_MAX_TYPE_NODES + 1; ++i) wide["k" + std::to_string(i)] = i;
  EXPECT_EQ(infer_type(wide).to_string(), "dict[str, Any]");

  boost::json::array distinct;
  for (int i = 0; i < ORK_MAX_TYPE_NODES; ++i) distinct.push_back(boost::json::object{{"k" + std::to_string(i), 1}});
  EXPECT_EQ(infer_type(distinct).to_string(), "list[Any]");
  EXPECT_EQ(infer_type(boost::json::array{1, "a", 2}).to_string(), "list[int | str]");
}

}  // namespace
}  // namespace ork::host
