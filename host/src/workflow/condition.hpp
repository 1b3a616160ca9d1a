// `when:` conditions (issue 14): the small expression language that decides
// whether a task runs — paths into upstream outputs and workflow inputs
// (`check.rows`, `inputs.region`), literals (int, float, string, bool, null),
// `== != < <= > >=`, `and or not`, `in` over a list, parentheses. The
// compiler parses a condition (`parse_condition`), types it against the
// upstream signatures (`check_condition_types`, errors naming both types)
// and makes every task it reads upstream; the scheduler evaluates it
// (`evaluate_condition`) once the task's upstream tasks are done, with a
// null for an upstream that did not succeed. A mapped task (a later `map:`)
// is read like any other task: its output is a list.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "types/type.hpp"

namespace ork::host {

// `check.rows.0` or `inputs.region`: `root` is a task name or "inputs".
struct ConditionPath {
  std::string root;
  std::vector<std::string> fields;
  std::size_t offset = 0;  // where it starts in the condition's text

  std::string to_string() const;
};

struct ConditionNode;

// A parsed condition. Copies share the parsed tree.
struct Condition {
  std::string text;
  std::shared_ptr<const ConditionNode> root;

  // Every path the condition reads, in the order written.
  std::vector<ConditionPath> paths() const;
};

// A problem at `offset` (0-based) in the condition's text.
struct ConditionError {
  std::size_t offset = 0;
  std::string message;
};

// The longest condition text the compiler reads (docs/reliability.md, Limits).
inline constexpr std::size_t max_condition_bytes = 4096;

// Parses `text`; on a syntax error `error` says where and what was expected.
std::optional<Condition> parse_condition(std::string_view text, ConditionError& error);

// The type of a path, or nullopt with `error` set (unknown task, no such field).
using ConditionPathTyper = std::function<std::optional<Type>(const ConditionPath& path, std::string& error)>;

// Every type error of the condition: operands that cannot be compared (the
// message names both types), non-boolean operands of and/or/not, `in` over
// a non-list, and a condition that is not boolean as a whole.
std::vector<ConditionError> check_condition_types(const Condition& condition, const ConditionPathTyper& type_of);

// The value of a path at run time (null when absent or when its task did not succeed).
using ConditionPathValue = std::function<boost::json::value(const ConditionPath& path)>;

// The condition's truth. Comparisons with null are false except == / !=;
// numbers compare by value whatever their JSON type.
bool evaluate_condition(const Condition& condition, const ConditionPathValue& value_of);

}  // namespace ork::host
