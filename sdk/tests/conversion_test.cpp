// The C++ SDK's conversions, type texts and signatures, the process protocol
// over string streams, and the C ABI that ORK_LIBRARY_TASK_NAMED exports.
#include <gtest/gtest.h>
#include <ork/task.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace shop {

struct Line {
  std::string sku;
  int quantity;
};
BOOST_DESCRIBE_STRUCT(Line, (), (sku, quantity))

struct Order {
  static constexpr const char* ork_type_name = "PurchaseOrder";
  std::int64_t id;
  std::vector<Line> lines;
  std::optional<std::string> note;
  std::unordered_map<std::string, double> discounts;
  bool paid;
  boost::json::value extra;
};
BOOST_DESCRIBE_STRUCT(Order, (), (id, lines, note, discounts, paid, extra))

struct Total {
  double amount;
  std::optional<Line> biggest;
};
BOOST_DESCRIBE_STRUCT(Total, (), (amount, biggest))

struct TotalInput {
  Order order;
  std::optional<double> tax;
};
BOOST_DESCRIBE_STRUCT(TotalInput, (), (order, tax))

Total total(const TotalInput& input) {
  if (input.order.lines.empty()) throw std::runtime_error("order " + std::to_string(input.order.id) + " has no lines");
  Total out{0, input.order.lines.front()};
  for (const Line& line : input.order.lines) out.amount += line.quantity;
  out.amount *= 1 + input.tax.value_or(0);
  return out;
}

struct Nothing {};
BOOST_DESCRIBE_STRUCT(Nothing, (), ())

void side_effect(const Nothing&) {}

int throws_int(const Nothing&) { throw 42; }

}  // namespace shop

ORK_LIBRARY_TASK_NAMED(shop::total, shop_total)
ORK_LIBRARY_TASK_NAMED(shop::throws_int, shop_throws_int)

namespace {

using ork::sdk::from_json;
using ork::sdk::InputError;
using ork::sdk::to_json;
using ork::sdk::type_text;

std::string input_error(const char* json_text, auto type_tag) {
  using T = typename decltype(type_tag)::type;
  try {
    (void)from_json<T>(boost::json::parse(json_text));
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

template <typename T>
struct tag {
  using type = T;
};

TEST(Conversion, ReadsNestedDescribedStructs) {
  auto order = from_json<shop::Order>(boost::json::parse(
      R"({"id": 7, "lines": [{"sku": "a", "quantity": 2}], "discounts": {"x": 0.5}, "paid": true, "extra": [1]})"));
  EXPECT_EQ(order.id, 7);
  ASSERT_EQ(order.lines.size(), 1u);
  EXPECT_EQ(order.lines[0].sku, "a");
  EXPECT_EQ(order.lines[0].quantity, 2);
  EXPECT_FALSE(order.note.has_value());
  EXPECT_DOUBLE_EQ(order.discounts.at("x"), 0.5);
  EXPECT_TRUE(order.paid);
  EXPECT_EQ(order.extra, boost::json::parse("[1]"));
}

TEST(Conversion, NullFillsAnOptional) {
  auto note = from_json<std::optional<std::string>>(boost::json::parse("null"));
  EXPECT_FALSE(note.has_value());
}

TEST(Conversion, IntWidensToFloat) { EXPECT_DOUBLE_EQ(from_json<double>(boost::json::parse("3")), 3.0); }

TEST(Conversion, MissingFieldNamesFieldAndType) {
  EXPECT_EQ(input_error(R"({"id": 1, "lines": [], "discounts": {}, "extra": null})", tag<shop::Order>{}),
            "field \"paid\": missing (expected bool)");
}

TEST(Conversion, WrongTypesNameThePath) {
  EXPECT_EQ(input_error(R"({"sku": 5, "quantity": 1})", tag<shop::Line>{}), "field \"sku\": expected str, got int");
  EXPECT_EQ(input_error(R"({"x": "1"})", tag<std::map<std::string, int>>{}), "field \"x\": expected int, got string");
  EXPECT_EQ(input_error(R"([1, 2.5])", tag<std::vector<int>>{}), "field \"[1]\": expected int, got float");
  EXPECT_EQ(input_error(R"({"a": 1})", tag<std::vector<int>>{}), "input: expected list[int], got object");
  EXPECT_EQ(input_error(R"([1])", tag<shop::Line>{}), "input: expected an object {sku: str, quantity: int}, got list");
}

TEST(Conversion, IntegerOutOfRangeIsRefused) {
  EXPECT_EQ(input_error("300", tag<std::int8_t>{}), "input: expected int between -128 and 127, got 300");
  EXPECT_EQ(input_error("-1", tag<unsigned>{}), "input: expected int between 0 and 4294967295, got -1");
}

TEST(Conversion, WritesJson) {
  shop::Total t{2.0, shop::Line{"a", 1}};
  EXPECT_EQ(boost::json::serialize(to_json(t)), R"({"amount":2E0,"biggest":{"sku":"a","quantity":1}})");
  shop::Total empty{1.0, std::nullopt};
  EXPECT_EQ(boost::json::serialize(to_json(empty)), R"({"amount":1E0,"biggest":null})");
  std::map<std::string, std::vector<bool>> m{{"k", {true, false}}};
  EXPECT_EQ(boost::json::serialize(to_json(m)), R"({"k":[true,false]})");
}

TEST(TypeText, SpellsOrkTypes) {
  EXPECT_EQ(type_text<long>(), "int");
  EXPECT_EQ(type_text<float>(), "float");
  EXPECT_EQ(type_text<std::optional<std::vector<std::string>>>(), "list[str] | None");
  EXPECT_EQ((type_text<std::map<std::string, std::optional<int>>>()), "dict[str, int | None]");
  EXPECT_EQ(type_text<shop::Total>(), "{amount: float, biggest?: {sku: str, quantity: int} | None}");
  EXPECT_EQ(type_text<boost::json::value>(), "Any");
}

TEST(TypeText, NamedStructsKeepTheirName) {
  EXPECT_EQ(boost::json::serialize(ork::sdk::type_of<shop::Line>()),
            R"({"$name":"Line","fields":{"sku":"str","quantity":"int"}})");
  EXPECT_EQ(boost::json::serialize(ork::sdk::type_of<shop::Order>())
                .starts_with(R"({"$name":"PurchaseOrder","fields":{"id":"int","lines":"list[{sku: str, quantity: int}]",)"
                             R"("note?":"str | None")"),
            true)
      << boost::json::serialize(ork::sdk::type_of<shop::Order>());
}

TEST(Signature, DerivedFromTheCppTypes) {
  EXPECT_EQ(ork::sdk::signature_of<decltype(&shop::side_effect)>(), R"({"inputs":{},"output":"null"})");
  boost::json::value signature = boost::json::parse(ork::sdk::signature_of<decltype(&shop::total)>());
  EXPECT_EQ(signature.at("inputs").at("tax"), "float | None");
  EXPECT_EQ(signature.at("inputs").at("order").at("$name"), "PurchaseOrder");
  EXPECT_EQ(signature.at("output").at("$name"), "Total");
  EXPECT_EQ(signature.at("defaults"), boost::json::parse(R"(["tax"])"));
}

TEST(ProcessProtocol, LambdaTaskOverStreams) {
  auto task = [](const shop::Line& line) { return line.quantity * 2; };
  std::istringstream in(R"({"sku": "a", "quantity": 21, "upstream": {"prev": 1}})");
  std::ostringstream out, err;
  EXPECT_EQ(ork::sdk::run_process_task(task, in, out, err), 0);
  EXPECT_EQ(out.str(), "ORK_OUTPUT:42\n");
  EXPECT_EQ(err.str(), "");
}

TEST(ProcessProtocol, NonObjectInputExitsTwo) {
  std::istringstream in("[1]");
  std::ostringstream out, err;
  EXPECT_EQ(ork::sdk::run_process_task(shop::side_effect, in, out, err), ork::sdk::exit_bad_input);
  EXPECT_EQ(err.str(), "ork task input: input: expected a JSON object, got list\n");
}

TEST(LibraryAbi, NamedTaskReturnsMallocedJson) {
  char* out = shop_total(R"({"order": {"id": 1, "lines": [{"sku": "a", "quantity": 3}], "discounts": {},
                              "paid": false, "extra": null}, "tax": 1})");
  ASSERT_NE(out, nullptr) << ork_task_last_error();
  EXPECT_STREQ(out, R"({"amount":6E0,"biggest":{"sku":"a","quantity":3}})");
  ork_task_free(out);
}

TEST(LibraryAbi, TaskExceptionBecomesNullAndLastError) {
  EXPECT_EQ(shop_total(R"({"order": {"id": 9, "lines": [], "discounts": {}, "paid": false, "extra": null}})"), nullptr);
  EXPECT_STREQ(ork_task_last_error(), "order 9 has no lines");
}

TEST(LibraryAbi, InputErrorBecomesNullAndLastError) {
  EXPECT_EQ(shop_total(R"({"order": {"id": "x"}})"), nullptr);
  EXPECT_STREQ(ork_task_last_error(), "ork task input: field \"order.id\": expected int, got string");
}

TEST(LibraryAbi, NonStandardExceptionDoesNotCross) {
  EXPECT_EQ(shop_throws_int("{}"), nullptr);
  EXPECT_STREQ(ork_task_last_error(), "the task threw an exception that is not a std::exception");
}

TEST(LibraryAbi, SignatureSymbolAndVersion) {
  boost::json::value signature = boost::json::parse(shop_total_signature());
  EXPECT_EQ(signature.at("output").at("$name"), "Total");
  EXPECT_EQ(shop_total_signature(), shop_total_signature()) << "the signature text must be static";
  EXPECT_EQ(ork_task_abi_version(), ORK_TASK_ABI_VERSION);
}

}  // namespace
