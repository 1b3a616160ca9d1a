// Parsing and printing of the type language: good strings round-trip, bad
// strings fail with the column of the problem, JSON types and named types.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "types/type.hpp"

namespace ork::host {
namespace {

TEST(TypeParse, CanonicalStringsRoundTrip) {
  for (const char* text : {"int", "float", "str", "bool", "null", "date", "datetime", "Any", "list[int]",
                           "dict[str, list[int | None]]", "int | None", "int | str", "{a: int, b?: str}", "{}",
                           "tuple[int, str]", "tuple[int, ...]", "tuple[()]", "{\"my key\": int}",
                           "list[{id: int}] | None", "dict[str, {x: float, y: float}]"}) {
    EXPECT_EQ(parse_type(text).to_string(), text) << text;
    EXPECT_EQ(parse_type(parse_type(text).to_string()), parse_type(text)) << text;
  }
}

// Found by the type fuzz target (tests/fuzz/regressions/type): a field name
// with a control character, a quote or a backslash printed as a JSON string
// but parsed back with other escaping rules, giving another type.
TEST(TypeParse, QuotedFieldNamesRoundTrip) {
  for (std::string name : {std::string("a\0\0\0\x03", 5), std::string("say \"hi\""), std::string("back\\slash"),
                           std::string("two\nlines"), std::string("caf\xc3\xa9")}) {
    Type type = Type::object({Field{name, Type::integer(), false}});
    Type reparsed = parse_type(type.to_string());
    EXPECT_EQ(reparsed, type) << type.to_string();
    EXPECT_EQ(reparsed.fields().at(0).name, name);
  }
  EXPECT_EQ(parse_type(R"({"a\u0041": int})").fields().at(0).name, "aA");
  EXPECT_THROW(parse_type("{\"bad \xff\": int}"), TypeError);
}

// Found by the type fuzz target: a quoted field name ending in "?" was
// encoded in JSON as an optional field, two JSON keys "a" and "a?" made two
// fields named a, and a field "$name" turned into a type name.
TEST(TypeParse, FieldNamesCannotEndWithTheOptionalMarker) {
  EXPECT_THROW(parse_type(R"({"a?": int})"), TypeError);
  EXPECT_THROW(parse_type_json(boost::json::parse(R"({"a??": "int"})")), TypeError);
  EXPECT_THROW(parse_type_json(boost::json::parse(R"({"a": "int", "a?": "str"})")), TypeError);
  Type empty_optional = parse_type_json(boost::json::parse(R"({"?": "int"})"));
  EXPECT_TRUE(empty_optional.fields().at(0).optional);
  EXPECT_EQ(parse_type(empty_optional.to_string()), empty_optional);
  // An anonymous object with a field "$name" was encoded as a named type.
  EXPECT_THROW(parse_type(R"({"$name": {}})"), TypeError);
  EXPECT_THROW(parse_type_json(boost::json::parse(R"({"$name?": "str"})")), TypeError);
}

TEST(TypeParse, NormalisesEquivalentSpellings) {
  EXPECT_EQ(parse_type("None").to_string(), "null");
  EXPECT_EQ(parse_type("int|None").to_string(), "int | None");
  EXPECT_EQ(parse_type("int | null").to_string(), "int | None");
  EXPECT_EQ(parse_type(" list [ int ] ").to_string(), "list[int]");
  EXPECT_EQ(parse_type("list").to_string(), "list[Any]");
  EXPECT_EQ(parse_type("dict").to_string(), "dict[str, Any]");
  EXPECT_EQ(parse_type("(int | str) | None").to_string(), "int | str | None");
  EXPECT_EQ(parse_type("int | int").to_string(), "int");
  EXPECT_EQ(parse_type("int | Any").to_string(), "Any");
  EXPECT_EQ(parse_type("{a: int,}").to_string(), "{a: int}");
}

TEST(TypeParse, StructureIsExposed) {
  Type type = parse_type("dict[str, list[int | None]]");
  ASSERT_EQ(type.kind(), TypeKind::dict);
  EXPECT_EQ(type.key().kind(), TypeKind::string);
  ASSERT_EQ(type.value().kind(), TypeKind::list);
  EXPECT_TRUE(type.value().item().is_optional());
  EXPECT_EQ(type.value().item().without_null(), Type::integer());
  Type object = parse_type("{a: int, b?: str}");
  ASSERT_NE(object.find_field("b"), nullptr);
  EXPECT_TRUE(object.find_field("b")->optional);
  EXPECT_FALSE(object.find_field("a")->optional);
  EXPECT_EQ(object.find_field("c"), nullptr);
}

struct BadType {
  const char* text;
  int column;
  const char* message;
};

class TypeParseErrors : public ::testing::TestWithParam<BadType> {};

TEST_P(TypeParseErrors, ReportsColumnAndMessage) {
  const BadType& bad = GetParam();
  try {
    parse_type(bad.text);
    FAIL() << "parsed " << bad.text;
  } catch (const TypeError& e) {
    EXPECT_EQ(e.column(), bad.column) << bad.text;
    EXPECT_EQ(std::string(e.what()), bad.message) << bad.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TypeParseErrors,
    ::testing::Values(
        BadType{"list[int", 9, "expected \"]\" to close \"list[\", found the end"},
        BadType{"dict[str]", 9, "expected \",\" between the key and value types of dict[K, V], found \"]\""},
        BadType{"lst[int]", 1, "\"lst\" takes no type arguments (only list, dict and tuple do)"},
        BadType{"foo", 1, "unknown type \"foo\" (not a built-in type and not defined in the workflow's `types:`)"},
        BadType{"list[string]", 6, "unknown type \"string\" (write str)"},
        BadType{"Optional[int]", 1, "unknown type \"Optional\" (write T | None)"},
        BadType{"int |", 6, "expected a type after \"|\""},
        BadType{"{a int}", 4, "expected \":\" after field name \"a\", found \"i\""},
        BadType{"{a: int, a: str}", 10, "duplicate field \"a\""},
        BadType{"int str", 5, "unexpected \"s\" after the type int"},
        BadType{"tuple[int, str, ...]", 20, "\"...\" is only allowed as tuple[T, ...]"},
        BadType{"", 1, "empty type: expected a type such as int, list[str] or {id: int}"},
        BadType{"list[]", 6, "expected a type, found \"]\""}));

TEST(TypeParse, ResolvesNamedTypes) {
  Type order = Type::object({Field{"id", Type::integer(), false}, Field{"note", Type::string(), true}}, "Order");
  TypeResolver resolve = [&](std::string_view name) -> std::optional<Type> {
    if (name == "Order") return order;
    return std::nullopt;
  };
  Type type = parse_type("list[Order] | None", resolve);
  EXPECT_EQ(type.to_string(), "list[Order] | None");
  EXPECT_EQ(type.to_structural_string(), "list[{id: int, note?: str}] | None");
  EXPECT_THROW(parse_type("Customer", resolve), TypeError);
}

TEST(TypeParse, JsonObjectsAndNamedObjects) {
  Type plain = parse_type_json(boost::json::parse(R"({"a": "int", "b?": "list[str]", "c": {"d": "bool"}})"));
  EXPECT_EQ(plain.to_string(), "{a: int, b?: list[str], c: {d: bool}}");
  Type named = parse_type_json(boost::json::parse(R"({"$name": "Order", "fields": {"id": "int", "note?": "str"}})"));
  EXPECT_EQ(named.to_string(), "Order");
  EXPECT_EQ(named.name(), "Order");
  EXPECT_EQ(named.to_structural_string(), "{id: int, note?: str}");
  EXPECT_EQ(parse_type_json(boost::json::parse(R"("dict[str, int]")")).to_string(), "dict[str, int]");
}

TEST(TypeParse, JsonErrorsNameTheField) {
  try {
    parse_type_json(boost::json::parse(R"({"a": {"b": "lst[int]"}})"));
    FAIL();
  } catch (const TypeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "field \"a\": field \"b\": column 1: \"lst\" takes no type arguments (only list, dict and tuple do)");
  }
  EXPECT_THROW(parse_type_json(boost::json::parse("3")), TypeError);
  EXPECT_THROW(parse_type_json(boost::json::parse(R"({"$name": "X"})")), TypeError);
  EXPECT_THROW(parse_type_json(boost::json::parse(R"({"$name": "X", "fields": {}, "extra": 1})")), TypeError);
}

TEST(TypeParse, ToJsonRoundTrips) {
  for (const char* json : {R"({"$name":"Order","fields":{"id":"int","note?":"str"}})", R"({"a":"int","b?":"str"})",
                           R"("list[int] | None")"}) {
    Type type = parse_type_json(boost::json::parse(json));
    EXPECT_EQ(boost::json::serialize(type.to_json()), json);
    EXPECT_EQ(parse_type_json(type.to_json()), type);
  }
}

TEST(TypeParse, InfersTheTypeOfConstants) {
  EXPECT_EQ(infer_type(boost::json::parse("1")).to_string(), "int");
  EXPECT_EQ(infer_type(boost::json::parse("1.5")).to_string(), "float");
  EXPECT_EQ(infer_type(boost::json::parse("\"x\"")).to_string(), "str");
  EXPECT_EQ(infer_type(boost::json::parse("true")).to_string(), "bool");
  EXPECT_EQ(infer_type(boost::json::parse("null")).to_string(), "null");
  EXPECT_EQ(infer_type(boost::json::parse("[]")).to_string(), "list[Any]");
  EXPECT_EQ(infer_type(boost::json::parse("[1, 2]")).to_string(), "list[int]");
  EXPECT_EQ(infer_type(boost::json::parse("[1, \"a\", null]")).to_string(), "list[int | str | None]");
  EXPECT_EQ(infer_type(boost::json::parse(R"({"a": [1], "b": {}})")).to_string(), "{a: list[int], b: {}}");
}

}  // namespace
}  // namespace ork::host
