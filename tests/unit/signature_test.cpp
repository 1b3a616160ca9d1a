// Parsing the signature JSON executors report (plugin.h, ork_check_sink.signature).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "types/signature.hpp"

namespace ork::host {
namespace {

std::string parse_error(const std::string& json) {
  try {
    parse_signature_json(json);
  } catch (const TypeError& e) {
    return e.what();
  }
  return "(parsed)";
}

TEST(Signature, ParsesWhatThePythonPluginEmits) {
  Signature signature = parse_signature_json(R"({
    "inputs": {"rows": "list[int]", "cfg": {"$name": "Cfg", "fields": {"a": "int", "b?": "str"}}, "limit": "int"},
    "output": "null", "defaults": ["limit"], "whole_input": null})");
  EXPECT_TRUE(signature.declared);
  ASSERT_EQ(signature.inputs.size(), 3u);
  EXPECT_EQ(signature.inputs[0].first, "rows");
  EXPECT_EQ(signature.inputs[1].second.to_string(), "Cfg");
  EXPECT_EQ(signature.inputs[2].first, "limit");
  EXPECT_EQ(signature.output.kind(), TypeKind::null);
  EXPECT_TRUE(signature.has_default("limit"));
  EXPECT_FALSE(signature.has_default("rows"));
  EXPECT_FALSE(signature.whole_input.has_value());
  ASSERT_NE(signature.find_input("cfg"), nullptr);
  EXPECT_EQ(signature.find_input("nope"), nullptr);
  EXPECT_EQ(boost::json::serialize(signature.to_json()),
            R"({"declared":true,"inputs":{"rows":"list[int]","cfg":"{a: int, b?: str}","limit":"int"},)"
            R"("output":"null","defaults":["limit"],"whole_input":null})");
}

TEST(Signature, WholeInputAndMissingOutput) {
  Signature signature = parse_signature_json(R"({"inputs": {"input": {"x": "int"}}, "whole_input": "input"})");
  EXPECT_EQ(signature.whole_input, "input");
  EXPECT_TRUE(signature.output.is_any());
}

TEST(Signature, RefusesMalformedSignatures) {
  EXPECT_EQ(parse_error("{"), "the signature is not valid JSON (incomplete JSON)");
  EXPECT_EQ(parse_error("[]"), "the signature must be a JSON object with \"inputs\" and \"output\"");
  EXPECT_EQ(parse_error(R"({"inputs": {"a": "lst[int]"}})"),
            "signature input \"a\": column 1: \"lst\" takes no type arguments (only list, dict and tuple do)");
  EXPECT_EQ(parse_error(R"({"inputs": {}, "output": 3})"),
            "signature output: a type must be a string such as \"list[int]\", an object of field -> type or a "
            "one-item list [T], not 3");
  EXPECT_EQ(parse_error(R"({"inputs": {"a": "int"}, "defaults": ["b"]})"),
            "signature \"defaults\" lists \"b\", which is not one of its inputs");
  EXPECT_EQ(parse_error(R"({"inputs": {"a": "int"}, "whole_input": "b"})"),
            "signature \"whole_input\" must name one of its inputs, not \"b\"");
  EXPECT_EQ(parse_error(R"({"inputs": {}, "outputs": "int"})"),
            "the signature has an unknown key \"outputs\" (expected inputs, output, defaults, whole_input)");
}

}  // namespace
}  // namespace ork::host
