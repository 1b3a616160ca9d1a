// The assignability table of DESIGN §4 (every rule, both directions), the
// reasons given when a type does not fit, and reference-path lookups.
#include <gtest/gtest.h>

#include "types/assignability.hpp"

namespace ork::host {
namespace {

Type order_type() {
  return Type::object({Field{"id", Type::integer(), false}, Field{"note", Type::string(), true}}, "Order");
}

Type parse(const std::string& text) {
  return parse_type(text, [](std::string_view name) -> std::optional<Type> {
    if (name == "Order") return order_type();
    return std::nullopt;
  });
}

struct Case {
  const char* from;
  const char* to;
  bool fits;
};

class AssignabilityTable : public ::testing::TestWithParam<Case> {};

TEST_P(AssignabilityTable, FollowsTheRules) {
  const Case& c = GetParam();
  Assignability result = is_assignable(parse(c.from), parse(c.to));
  EXPECT_EQ(result.ok, c.fits) << c.from << " -> " << c.to << ": " << result.reason;
  EXPECT_EQ(result.reason.empty(), c.fits) << c.from << " -> " << c.to;
}

INSTANTIATE_TEST_SUITE_P(
    Primitives, AssignabilityTable,
    ::testing::Values(Case{"int", "int", true}, Case{"int", "float", true}, Case{"float", "int", false},
                      Case{"str", "int", false}, Case{"int", "str", false}, Case{"bool", "int", false},
                      Case{"int", "bool", false}, Case{"date", "str", false}, Case{"str", "date", false},
                      Case{"datetime", "date", false}, Case{"date", "datetime", false}, Case{"null", "null", true},
                      Case{"null", "int", false}, Case{"int", "null", false}));

INSTANTIATE_TEST_SUITE_P(
    Containers, AssignabilityTable,
    ::testing::Values(Case{"list[int]", "list[float]", true}, Case{"list[float]", "list[int]", false},
                      Case{"list[int]", "list[str]", false}, Case{"dict[str, int]", "dict[str, float]", true},
                      Case{"dict[str, float]", "dict[str, int]", false}, Case{"list[int]", "dict[str, int]", false},
                      Case{"list[int | None]", "list[int]", false}, Case{"list[int]", "list[int | None]", true},
                      Case{"{a: int}", "dict[str, int]", true}, Case{"{a: str}", "dict[str, int]", false},
                      Case{"dict[str, int]", "{a: int}", false}));

INSTANTIATE_TEST_SUITE_P(
    Objects, AssignabilityTable,
    ::testing::Values(Case{"{a: int, b: str}", "{a: int}", true}, Case{"{a: int}", "{a: int, b: str}", false},
                      Case{"{a: int}", "{a: int, b?: str}", true}, Case{"{a: int, b: int}", "{a: int, b?: str}", false},
                      Case{"{a: int, b?: str}", "{a: int, b: str}", false},
                      Case{"{a: int, b?: str}", "{a: int, b?: str}", true}, Case{"{a: {b: int}}", "{a: {b: float}}", true},
                      Case{"{a: {b: float}}", "{a: {b: int}}", false}, Case{"{a: int}", "int", false},
                      Case{"int", "{a: int}", false}, Case{"{}", "{}", true}));

INSTANTIATE_TEST_SUITE_P(
    OptionalsAndUnions, AssignabilityTable,
    ::testing::Values(Case{"int", "int | None", true}, Case{"int | None", "int", false},
                      Case{"null", "int | None", true}, Case{"int | None", "float | None", true},
                      Case{"int | str", "int | str | None", true}, Case{"int | str", "int", false},
                      Case{"str", "int | str", true}, Case{"int | str", "str | int", true},
                      Case{"float", "int | str", false}, Case{"{a: int}", "{a: int} | None", true},
                      Case{"{b: int}", "{a: int} | None", false}));

INSTANTIATE_TEST_SUITE_P(
    AnyAndNamed, AssignabilityTable,
    ::testing::Values(Case{"Any", "int", true}, Case{"int", "Any", true}, Case{"list[Any]", "list[int]", true},
                      Case{"{a: Any}", "{a: {b: int}}", true}, Case{"Order", "{id: int}", true},
                      Case{"{id: int, note: str, extra: bool}", "Order", true}, Case{"{note: str}", "Order", false},
                      Case{"Order", "{id: int, note: str}", false}, Case{"list[Order]", "list[{id: float}]", true}));

INSTANTIATE_TEST_SUITE_P(
    Tuples, AssignabilityTable,
    ::testing::Values(Case{"tuple[int, str]", "tuple[int, str]", true}, Case{"tuple[int, str]", "tuple[str, int]", false},
                      Case{"tuple[int]", "tuple[int, int]", false}, Case{"tuple[int, int]", "tuple[float, float]", true},
                      Case{"tuple[int, int]", "list[int]", true}, Case{"tuple[int, str]", "list[int]", false},
                      Case{"tuple[int, ...]", "list[int]", true}, Case{"list[int]", "tuple[int, ...]", true},
                      Case{"list[int]", "tuple[int, int]", false}, Case{"tuple[int, int]", "tuple[float, ...]", true},
                      Case{"tuple[int, ...]", "tuple[int, int]", false}));

TEST(Assignability, ReasonsNameThePathAndBothTypes) {
  auto reason = [](const char* from, const char* to) { return is_assignable(parse(from), parse(to)).reason; };
  EXPECT_EQ(reason("{rows: list[str]}", "{rows: list[int]}"), "field \"rows\": list[str] does not fit list[int]");
  EXPECT_EQ(reason("int | None", "int"), "int | None does not fit int: the value may be None");
  EXPECT_EQ(reason("{a: int}", "{a: int, b: str}"), "missing field \"b\" (str)");
  EXPECT_EQ(reason("{o: {a: int}}", "{o: {a: int, b: str}}"), "field \"o\": missing field \"b\" (str)");
  EXPECT_EQ(reason("{rows: list[{id: str}]}", "{rows: list[{id: int}]}"), "field \"rows[].id\": str does not fit int");
  EXPECT_EQ(reason("list[{a: int}]", "list[{a: str}]"), "at \"[].a\": int does not fit str");
  EXPECT_EQ(reason("{a: int, b?: str}", "{a: int, b: str}"),
            "field \"b\": may be missing (optional in {a: int, b?: str}, required in {a: int, b: str})");
  EXPECT_EQ(reason("{b: int}", "{a: int} | None"), "missing field \"a\" (int)");
  EXPECT_EQ(reason("{note: str}", "Order"), "missing field \"id\" (int)");
  EXPECT_EQ(reason("{u: str | None}", "{u: str}"), "field \"u\": str | None does not fit str: the value may be None");
}

TEST(Assignability, PlainMarksReasonsThatOnlyRepeatTheTypes) {
  Assignability plain = is_assignable(parse("list[str]"), parse("list[int]"));
  EXPECT_TRUE(plain.plain);
  EXPECT_EQ(plain.reason, "list[str] does not fit list[int]");
  EXPECT_FALSE(is_assignable(parse("{a: int}"), parse("{b: int}")).plain);
  EXPECT_FALSE(is_assignable(parse("int | None"), parse("int")).plain);
}

TEST(TypeAtPath, WalksFieldsIndexesAndKeys) {
  Type output = parse("{rows: list[{id: int}], count: int, by_key: dict[str, float], pair: tuple[int, str], "
                      "maybe?: str, anything: Any}");
  auto at = [&](std::vector<std::string> path) { return type_at_path(output, path, "extract"); };
  EXPECT_EQ(at({}).type->to_string(), output.to_string());
  EXPECT_EQ(at({"rows"}).type->to_string(), "list[{id: int}]");
  EXPECT_EQ(at({"rows", "0", "id"}).type->to_string(), "int");
  EXPECT_EQ(at({"by_key", "whatever"}).type->to_string(), "float");
  EXPECT_EQ(at({"pair", "1"}).type->to_string(), "str");
  EXPECT_EQ(at({"maybe"}).type->to_string(), "str | None");
  EXPECT_EQ(at({"anything", "x", "3"}).type->to_string(), "Any");
}

TEST(TypeAtPath, ExplainsWhatIsNotThere) {
  Type output = parse("{rows: list[{id: int}], count: int, pair: tuple[int, str], user: {id: int} | None}");
  auto error = [&](std::vector<std::string> path) { return type_at_path(output, path, "extract").error; };
  EXPECT_EQ(error({"rowz"}), "extract has no output field \"rowz\" (fields: rows, count, pair, user)");
  EXPECT_EQ(error({"rows", "x"}), "extract.rows is list[{id: int}], so \"x\" must be an index such as 0");
  EXPECT_EQ(error({"rows", "0", "name"}), "extract.rows.0 has no field \"name\" (fields: id)");
  EXPECT_EQ(error({"count", "x"}), "extract.count is int, which has no field \"x\"");
  EXPECT_EQ(error({"pair", "2"}), "extract.pair is tuple[int, str] with 2 elements; index 2 is out of range");
  EXPECT_EQ(error({"user", "id"}),
            "extract.user may be None (its type is {id: int} | None), so \"id\" cannot be looked up in it");
  EXPECT_EQ(type_at_path(Type::integer(), {"x"}, "extract").error,
            "the output of extract is int, which has no field \"x\"");
  EXPECT_EQ(type_at_path(Type::any(), {"x"}, "extract").type->to_string(), "Any");
}

TEST(TypeAtPath, UnionsOfObjectsWhenEveryMemberHasTheField) {
  Type output = parse("{a: int, b: str} | {a: float}");
  EXPECT_EQ(type_at_path(output, {"a"}, "t").type->to_string(), "int | float");
  EXPECT_FALSE(type_at_path(output, {"b"}, "t").type.has_value());
}

}  // namespace
}  // namespace ork::host
