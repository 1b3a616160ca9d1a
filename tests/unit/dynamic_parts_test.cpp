// The parts of dynamic workflows (issue 14) that need no executor: run
// timeout durations read back, trigger rule verdicts, and the `when:`
// condition language — its parser (with error offsets), its typing (errors
// naming both types) and its evaluation over JSON values.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>

#include "workflow/condition.hpp"
#include "workflow/duration.hpp"
#include "workflow/trigger_rules.hpp"

namespace ork::host {
namespace {

using std::chrono::milliseconds;

TEST(FormatDuration, ReadsBackAsTheSameDuration) {
  EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
  EXPECT_EQ(format_duration(milliseconds(2'000)), "2s");
  EXPECT_EQ(format_duration(milliseconds(5'400'000)), "1h30m");
  EXPECT_EQ(format_duration(milliseconds(86'400'000 + 1'000)), "1d1s");
  for (long long ms : {1LL, 999LL, 61'000LL, 3'600'000LL, 90'061'000LL}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
}

UpstreamOutcomes outcomes(int succeeded, int failed, int cancelled, int skipped) {
  UpstreamOutcomes o{succeeded, failed, cancelled, skipped, "up", failed ? "failed" : "was skipped"};
  return o;
}

TEST(TriggerRules, VerdictsFollowTheRule) {
  // all_succeeded: only when everything succeeded.
  EXPECT_FALSE(trigger_rule_verdict(TriggerRule::all_succeeded, outcomes(2, 0, 0, 0)));
  EXPECT_EQ(trigger_rule_verdict(TriggerRule::all_succeeded, outcomes(1, 1, 0, 0)), "upstream task 'up' failed");
  EXPECT_TRUE(trigger_rule_verdict(TriggerRule::all_succeeded, outcomes(1, 0, 0, 1)));
  // all_done: whatever happened.
  EXPECT_FALSE(trigger_rule_verdict(TriggerRule::all_done, outcomes(0, 1, 1, 1)));
  // none_failed: skipped is fine, failed or cancelled is not.
  EXPECT_FALSE(trigger_rule_verdict(TriggerRule::none_failed, outcomes(1, 0, 0, 2)));
  EXPECT_TRUE(trigger_rule_verdict(TriggerRule::none_failed, outcomes(1, 1, 0, 0)));
  EXPECT_TRUE(trigger_rule_verdict(TriggerRule::none_failed, outcomes(1, 0, 1, 0)));
  // any_failed: only after a failure.
  EXPECT_FALSE(trigger_rule_verdict(TriggerRule::any_failed, outcomes(1, 1, 0, 0)));
  EXPECT_EQ(trigger_rule_verdict(TriggerRule::any_failed, outcomes(2, 0, 0, 1)),
            "no upstream task failed (trigger_rule: any_failed)");
}

TEST(TriggerRules, NamesRoundTripAndOnlyTheDefaultNeedsEverySuccess) {
  for (const std::string& name : trigger_rule_names()) {
    std::optional<TriggerRule> rule = parse_trigger_rule(name);
    ASSERT_TRUE(rule) << name;
    EXPECT_EQ(trigger_rule_name(*rule), name);
    EXPECT_EQ(may_run_without_every_upstream(*rule), name != "all_succeeded");
  }
  EXPECT_FALSE(parse_trigger_rule("always"));
}

Condition parsed(const std::string& text) {
  ConditionError error;
  std::optional<Condition> condition = parse_condition(text, error);
  EXPECT_TRUE(condition) << text << ": " << error.message;
  return condition.value_or(Condition{});
}

ConditionError parse_error(const std::string& text) {
  ConditionError error;
  EXPECT_FALSE(parse_condition(text, error)) << text;
  return error;
}

TEST(Condition, ParsesPathsLiteralsAndOperatorsWithPrecedence) {
  Condition c = parsed("check.rows > 0 and not check.has_nulls or inputs.region in [\"eu\", 'us']");
  std::vector<ConditionPath> paths = c.paths();
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths[0].to_string(), "check.rows");
  EXPECT_EQ(paths[0].offset, 0u);
  EXPECT_EQ(paths[1].to_string(), "check.has_nulls");
  EXPECT_EQ(paths[2].root, "inputs");
  EXPECT_EQ(paths[2].offset, 42u);
  parsed("(a.x == 1.5) != false");
  parsed("a.items.0.id not in [1, 2, -3]");
  parsed("a.x == null");
  parsed("my-task.count >= 10");
}

TEST(Condition, SyntaxErrorsSayWhereAndWhat) {
  ConditionError unclosed = parse_error("(a.x > 1");
  EXPECT_EQ(unclosed.offset, 8u);
  EXPECT_EQ(unclosed.message, "expected \")\", found the end");
  ConditionError single_equals = parse_error("a.x = 1");
  EXPECT_EQ(single_equals.offset, 4u);
  EXPECT_EQ(single_equals.message, "unexpected character '=' (compare with ==)");
  ConditionError bare = parse_error("a.x == eu");
  EXPECT_EQ(bare.offset, 7u);
  EXPECT_NE(bare.message.find("\"eu\" alone is not a value"), std::string::npos) << bare.message;
  EXPECT_EQ(parse_error("a.x >").message,
            "expected a value (a task.field path, inputs.NAME or a literal), found the end");
  EXPECT_EQ(parse_error("a.x > 1 b.y").message, "expected and, or, or the end of the condition, found \"b\"");
  EXPECT_EQ(parse_error("a.s == \"open").message, "unterminated string: it has no closing \"");
  EXPECT_EQ(parse_error("   ").message, "the condition is empty");
  EXPECT_EQ(parse_error(std::string(200, '(') + "a.x" + std::string(200, ')')).message,
            "the condition nests too deeply, found \"(\"");
}

// A long and-chain: at the limit it parses; one byte past it is refused at once.
TEST(Condition, TextPastTheLimitIsRefused) {
  std::string chain = "a.x > 1";
  while (chain.size() + 12 <= max_condition_bytes) chain += " and a.x > 1";
  chain += std::string(max_condition_bytes - chain.size(), ' ');
  ASSERT_EQ(chain.size(), max_condition_bytes);
  ConditionError error;
  EXPECT_TRUE(parse_condition(chain, error).has_value()) << error.message;
  chain += " ";
  EXPECT_FALSE(parse_condition(chain, error).has_value());
  EXPECT_EQ(error.message, "the condition is longer than 4096 bytes; split the decision into a task that computes it");
}

// Types of the paths of the tests below.
std::vector<ConditionError> type_errors(const std::string& text) {
  const std::map<std::string, Type> types{{"check.rows", Type::integer()},
                                          {"check.name", Type::string()},
                                          {"check.ok", Type::boolean()},
                                          {"check.maybe", Type::optional(Type::integer())},
                                          {"check.tags", Type::list(Type::string())},
                                          {"inputs.ratio", Type::number()}};
  ConditionPathTyper type_of = [&](const ConditionPath& path, std::string& error) -> std::optional<Type> {
    auto found = types.find(path.to_string());
    if (found != types.end()) return found->second;
    error = "no " + path.to_string();
    return std::nullopt;
  };
  return check_condition_types(parsed(text), type_of);
}

TEST(Condition, WellTypedConditionsPass) {
  for (const char* text : {"check.rows > 0", "check.rows >= inputs.ratio", "check.name == \"x\"", "check.ok",
                           "not check.ok and check.rows < 3", "check.maybe == null", "check.maybe > 2",
                           "\"a\" in check.tags", "check.name not in [\"a\", \"b\"]", "check.rows in [1, 2.5]"}) {
    EXPECT_TRUE(type_errors(text).empty()) << text << ": " << type_errors(text).front().message;
  }
}

TEST(Condition, TypeErrorsNameBothTypesAtTheOperator) {
  auto errors = type_errors("check.ok and check.name > 3");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].offset, 24u);
  EXPECT_EQ(errors[0].message,
            "cannot compare check.name (str) with 3 (int) using >: < <= > >= compare numbers with numbers, strings "
            "with strings, dates with dates");
  EXPECT_EQ(type_errors("check.rows == \"3\"")[0].message,
            "cannot compare check.rows (int) with \"3\" (str) using ==: the two sides can never be equal");
  EXPECT_EQ(type_errors("check.rows")[0].message,
            "the condition is int (check.rows), not bool: compare it, e.g. check.rows > 0 or check.rows == \"x\"");
  EXPECT_EQ(type_errors("check.rows and check.ok")[0].message, "\"and\" needs bool operands, but check.rows is int");
  EXPECT_EQ(type_errors("check.rows == null")[0].message,
            "cannot compare check.rows (int) with null (null) using ==: the two sides can never be equal");
  EXPECT_EQ(type_errors("\"a\" in check.name")[0].message, "\"in\" needs a list on its right, but check.name is str");
  EXPECT_EQ(type_errors("3 in check.tags")[0].message,
            "cannot look for 3 (int) in check.tags (list[str]): its elements are str");
  EXPECT_EQ(type_errors("check.nope > 1")[0].message, "no check.nope");
  EXPECT_EQ(type_errors("check.ok or [1, 2] and check.ok")[0].message,
            "\"and\" needs bool operands, but [1, 2] is list[int]");
}

bool holds(const std::string& text, const boost::json::object& values) {
  ConditionPathValue value_of = [&](const ConditionPath& path) -> boost::json::value {
    const boost::json::value* v = values.if_contains(path.to_string());
    return v ? *v : boost::json::value(nullptr);
  };
  return evaluate_condition(parsed(text), value_of);
}

TEST(Condition, EvaluatesOverJsonValues) {
  boost::json::object values{{"check.rows", 3},
                             {"check.name", "b"},
                             {"check.ok", false},
                             {"check.ratio", 0.5},
                             {"check.tags", boost::json::array{"x", "y"}}};
  EXPECT_TRUE(holds("check.rows > 0 and not check.ok", values));
  EXPECT_FALSE(holds("check.rows > 3", values));
  EXPECT_TRUE(holds("check.rows >= 3.0 and check.rows == 3.0", values));
  EXPECT_TRUE(holds("check.ratio < 1", values));
  EXPECT_TRUE(holds("check.name > \"a\"", values));
  EXPECT_TRUE(holds("\"y\" in check.tags and check.name not in check.tags", values));
  EXPECT_TRUE(holds("check.ok or (check.rows != 2 and check.name in ['a', 'b'])", values));
  // A missing value (an upstream that did not succeed) is null: only == null holds.
  EXPECT_TRUE(holds("check.missing == null", values));
  EXPECT_FALSE(holds("check.missing > 0", values));
  EXPECT_FALSE(holds("check.missing < 0", values));
  EXPECT_FALSE(holds("check.missing", values));
  EXPECT_TRUE(holds("not check.missing", values));
}

}  // namespace
}  // namespace ork::host
