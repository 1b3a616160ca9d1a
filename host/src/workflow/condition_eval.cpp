// Evaluation of `when:` conditions (condition.hpp) over the JSON values of
// upstream outputs and workflow inputs, by the scheduler.
#include <boost/json.hpp>

#include <algorithm>

#include "workflow/condition.hpp"
#include "workflow/condition_node.hpp"

namespace ork::host {

namespace {

boost::json::value evaluate(const ConditionNode& node, const ConditionPathValue& value_of);
bool truthy(const boost::json::value& value);
bool equal(const boost::json::value& a, const boost::json::value& b);
std::optional<int> order(const boost::json::value& a, const boost::json::value& b);

}  // namespace

bool evaluate_condition(const Condition& condition, const ConditionPathValue& value_of) {
  return condition.root && truthy(evaluate(*condition.root, value_of));
}

namespace {

boost::json::value evaluate(const ConditionNode& node, const ConditionPathValue& value_of) {
  switch (node.kind) {
    case ConditionNode::Kind::literal:
      return node.literal;
    case ConditionNode::Kind::path:
      return value_of(node.path);
    case ConditionNode::Kind::list: {
      boost::json::array items;
      for (const ConditionNode& child : node.children) items.push_back(child.literal);
      return items;
    }
    case ConditionNode::Kind::negation:
      return !truthy(evaluate(node.children[0], value_of));
    case ConditionNode::Kind::conjunction:
      return truthy(evaluate(node.children[0], value_of)) && truthy(evaluate(node.children[1], value_of));
    case ConditionNode::Kind::disjunction:
      return truthy(evaluate(node.children[0], value_of)) || truthy(evaluate(node.children[1], value_of));
    case ConditionNode::Kind::comparison: {
      boost::json::value left = evaluate(node.children[0], value_of);
      boost::json::value right = evaluate(node.children[1], value_of);
      if (node.op == "==") return equal(left, right);
      if (node.op == "!=") return !equal(left, right);
      std::optional<int> sign = order(left, right);
      if (!sign) return false;  // null (an upstream that did not succeed) or mismatched kinds
      if (node.op == "<") return *sign < 0;
      if (node.op == "<=") return *sign <= 0;
      if (node.op == ">") return *sign > 0;
      return *sign >= 0;
    }
    case ConditionNode::Kind::membership: {
      boost::json::value element = evaluate(node.children[0], value_of);
      boost::json::value container = evaluate(node.children[1], value_of);
      bool found = false;
      if (container.is_array()) {
        const auto& items = container.get_array();
        found = std::any_of(items.begin(), items.end(), [&](const boost::json::value& v) { return equal(element, v); });
      }
      return node.op == "in" ? found : !found;
    }
  }
  return false;
}

// Only `true` is true: a null (an upstream that did not succeed) is not.
bool truthy(const boost::json::value& value) {
  return value.is_bool() && value.get_bool();
}

std::optional<double> as_number(const boost::json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double()) return value.get_double();
  return std::nullopt;
}

bool equal(const boost::json::value& a, const boost::json::value& b) {
  std::optional<double> x = as_number(a);
  std::optional<double> y = as_number(b);
  if (x && y) return *x == *y;
  return a == b;
}

// Dates and datetimes arrive as ISO 8601 strings, which order as text.
std::optional<int> order(const boost::json::value& a, const boost::json::value& b) {
  std::optional<double> x = as_number(a);
  std::optional<double> y = as_number(b);
  if (x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  if (a.is_string() && b.is_string()) {
    int c = a.get_string().compare(b.get_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

}  // namespace

}  // namespace ork::host
