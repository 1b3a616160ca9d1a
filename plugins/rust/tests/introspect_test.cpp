// introspect through the plugin's C ABI: signatures read from Rust source and
// every refused form with its FILE:LINE:COL, as the host receives them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstring>

#include "language_harness.hpp"

namespace ork::plugins::rust::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Answer introspect(const std::string& file, const std::string& function) {
  return RustPlugin::get().introspect(fixture(file, function));
}

boost::json::value signature_of(const std::string& function) {
  Answer answer = introspect("score.rs", function);
  EXPECT_TRUE(answer.errors.empty()) << answer.errors.front().second;
  if (!answer.signature) return nullptr;
  return boost::json::parse(*answer.signature);
}

// The single error refused.rs's `function` gets.
std::pair<std::string, std::string> refusal_of(const std::string& file, const std::string& function) {
  Answer answer = introspect(file, function);
  EXPECT_FALSE(answer.signature.has_value());
  EXPECT_EQ(answer.errors.size(), 1u);
  if (answer.errors.empty()) return {};
  return answer.errors.front();
}

TEST(Descriptor, DeclaresTheRustLanguageRunOnTheLibraryExecutor) {
  const ork_plugin_descriptor& descriptor = RustPlugin::get().descriptor();
  ASSERT_NE(descriptor.language, nullptr);
  EXPECT_EQ(descriptor.executor, nullptr);
  EXPECT_STREQ(descriptor.name, "rust");
  EXPECT_STREQ(descriptor.language->name, "rust");
  EXPECT_STREQ(descriptor.language->extensions[0], ".rs");
  EXPECT_EQ(descriptor.language->extensions[1], nullptr);
  EXPECT_STREQ(descriptor.language->task_keys[0], "isolate");
  EXPECT_STREQ(descriptor.language->executors[0], "library");
}

TEST(Descriptor, DescribeNamesTheToolchainAndItsVersion) {
  boost::json::object described = boost::json::parse(RustPlugin::get().describe()).as_object();
  EXPECT_EQ(described.at("toolchain"), "rustc");
  ASSERT_TRUE(described.at("found").as_bool()) << "the tests need cargo and rustc";
  EXPECT_THAT(std::string(described.at("version").as_string()), ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+.*"));
}

TEST(Signature, TheIssuesExample) {
  EXPECT_EQ(signature_of("score"), boost::json::parse(R"({
    "inputs": {"name": "str", "points": "list[int]"},
    "output": {"$name": "Scored", "fields": {"name": "str", "total": "int", "ratio": "float"}},
    "defaults": [], "whole_input": null})"));
}

TEST(Signature, EveryMappedType) {
  EXPECT_EQ(signature_of("every_type"), boost::json::parse(R"({
    "inputs": {"small": "int", "big": "int", "size": "int", "real": "float", "label": "str", "flag": "bool",
               "rows": "list[{id: int, note?: str | None}]", "maybe": "int | None",
               "by_name": "dict[str, float]", "sorted": "dict[str, list[str]]", "pair": "tuple[int, str]",
               "anything": "Any"},
    "output": "list[bool | None]",
    "defaults": ["maybe"], "whole_input": null})"));
}

TEST(Signature, AnOnlyStructParameterMayReceiveTheWholeInput) {
  EXPECT_EQ(signature_of("order_total"), boost::json::parse(R"({
    "inputs": {"order": {"$name": "Order", "fields": {"id": "int", "quantities": "list[int]"}}},
    "output": "int", "defaults": [], "whole_input": "order"})"));
}

TEST(Signature, UnitIsNullAndResultIsItsOkType) {
  EXPECT_EQ(signature_of("nothing").at("output"), "null");
  EXPECT_EQ(signature_of("checked_half").at("output"), "int");
}

TEST(Refusal, NoReturnTypeIsUntyped) {
  auto [key, message] = refusal_of("refused.rs", "untyped_return");
  EXPECT_EQ(key, "file");
  EXPECT_THAT(message, StartsWith("refused.rs:4:22: function 'untyped_return' has no return type: a task's return "
                                  "value is its output; add one"));
}

TEST(Refusal, UnsupportedTypesNameTheParameterTheTypeAndWhere) {
  EXPECT_EQ(refusal_of("refused.rs", "wide").second,
            "refused.rs:8:16: function 'wide' parameter 'x': type 'u128' is not supported: ork's integers are "
            "64-bit; use i64 or u64");
  EXPECT_EQ(refusal_of("refused.rs", "int_keys").second,
            "refused.rs:12:33: function 'int_keys' parameter 'values': type 'HashMap<i64, String>' is not "
            "supported: map keys must be String (JSON object keys are strings), not 'i64'");
  EXPECT_THAT(refusal_of("refused.rs", "a_set").second,
              StartsWith("refused.rs:16:22: function 'a_set' parameter 'values': type 'HashSet<String>' is not "
                         "supported (ork reads integers"));
  EXPECT_THAT(refusal_of("refused.rs", "borrowed_vec").second,
              StartsWith("refused.rs:44:29: function 'borrowed_vec' parameter 'values': type '&Vec<i64>' is not "
                         "supported: take it by value ('Vec<i64>')"));
  EXPECT_THAT(refusal_of("refused.rs", "inferred").second,
              StartsWith("refused.rs:48:20: function 'inferred' parameter 'x': type 'impl Into<i64>' does not say"));
}

TEST(Refusal, AStructMustDeriveSerde) {
  EXPECT_EQ(refusal_of("refused.rs", "not_serde").second,
            "refused.rs:36:12: function 'not_serde' parameter 'value': struct 'Plain' does not derive Deserialize: "
            "add #[derive(serde::Deserialize)] (ork passes values as JSON through serde)");
}

TEST(Refusal, PrivateGenericAndMethodFunctions) {
  EXPECT_THAT(refusal_of("refused.rs", "private_one").second,
              StartsWith("refused.rs:20:4: function 'private_one' is not public: write 'pub fn private_one'"));
  Answer generic = introspect("refused.rs", "generic");
  ASSERT_FALSE(generic.errors.empty());
  EXPECT_THAT(generic.errors.front().second,
              StartsWith("refused.rs:24:16: function 'generic' is generic (T: Clone): ork calls it with concrete types"));
  EXPECT_EQ(refusal_of("refused.rs", "method").second,
            "refused.rs:31:12: 'method' is a method of Holder: ork calls free functions; write a top-level 'pub fn "
            "method(..)' that calls it");
}

TEST(Refusal, SelfAndAsync) {
  EXPECT_EQ(refusal_of("refused.rs", "takes_self").second,
            "refused.rs:52:19: function 'takes_self' takes self: ork calls free functions; take every input as a named "
            "parameter");
  EXPECT_EQ(refusal_of("refused.rs", "later").second,
            "refused.rs:56:5: function 'later' is async: ork calls Rust tasks synchronously; make it a plain 'pub fn'");
}

TEST(Refusal, MissingFunctionListsTheFunctionsAndSuggests) {
  auto [key, message] = refusal_of("score.rs", "scor");
  EXPECT_EQ(key, "function");
  EXPECT_EQ(message,
            "no function 'scor' in score.rs (did you mean 'score'?); functions: score, every_type, nothing, greet, "
            "count_ids, checked_half, explode, abort_process, order_total");
}

TEST(Refusal, SyntaxErrorAtItsLocation) {
  auto [key, message] = refusal_of("syntax_error.rs", "ok");
  EXPECT_EQ(key, "file");
  EXPECT_EQ(message, "syntax_error.rs:4:9: syntax error: expected expression");
}

TEST(Refusal, FileNotFound) {
  auto [key, message] = refusal_of("nowhere/task.rs", "main");
  EXPECT_EQ(key, "file");
  EXPECT_THAT(message, StartsWith("nowhere/task.rs not found (looked for " + fixtures_dir() + "/nowhere/task.rs)"));
}

TEST(Refusal, IsolateMustBeABoolean) {
  Answer answer = RustPlugin::get().introspect(fixture("score.rs", "score", R"({"isolate": "yes"})"));
  ASSERT_EQ(answer.errors.size(), 1u);
  EXPECT_EQ(answer.errors[0].first, "isolate");
  EXPECT_EQ(answer.errors[0].second, "`isolate` must be true or false, not \"yes\"");
}

}  // namespace
}  // namespace ork::plugins::rust::testing
