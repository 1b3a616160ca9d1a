// Typing of `when:` conditions (condition.hpp): every operand gets its type
// from the signatures, and each operator says what it accepts, so that
// `check.name > 3` is refused before anything runs.
#include <boost/json.hpp>

#include <algorithm>

#include "types/assignability.hpp"
#include "workflow/condition.hpp"
#include "workflow/condition_node.hpp"

namespace ork::host {

namespace {

class ConditionTyper {
 public:
  ConditionTyper(const Condition& condition, const ConditionPathTyper& type_of)
      : text_(condition.text), type_of_(type_of) {}

  std::vector<ConditionError> run(const ConditionNode& root) {
    std::optional<Type> type = type_of(root);
    if (type && !is_boolean(*type)) {
      errors_.push_back({root.offset, "the condition is " + type->to_string() + " (" + shown(root) +
                                          "), not bool: compare it, e.g. " + shown(root) + " > 0 or " + shown(root) +
                                          " == \"x\""});
    }
    return std::move(errors_);
  }

 private:
  // nullopt when the node already has an error (reported once, not again by its parents).
  std::optional<Type> type_of(const ConditionNode& node) {
    switch (node.kind) {
      case ConditionNode::Kind::literal:
        return infer_type(node.literal);
      case ConditionNode::Kind::path:
        return path_type(node);
      case ConditionNode::Kind::list:
        return list_type(node);
      case ConditionNode::Kind::negation:
      case ConditionNode::Kind::conjunction:
      case ConditionNode::Kind::disjunction:
        return logic_type(node);
      case ConditionNode::Kind::comparison:
        return comparison_type(node);
      case ConditionNode::Kind::membership:
        return membership_type(node);
    }
    return std::nullopt;
  }

  std::optional<Type> path_type(const ConditionNode& node) {
    std::string error;
    std::optional<Type> type = type_of_(node.path, error);
    if (!type) errors_.push_back({node.offset, error});
    return type;
  }

  std::optional<Type> list_type(const ConditionNode& node) {
    std::vector<Type> items;
    for (const ConditionNode& child : node.children) items.push_back(infer_type(child.literal));
    return Type::list(items.empty() ? Type::any() : Type::union_of(std::move(items)));
  }

  std::optional<Type> logic_type(const ConditionNode& node) {
    bool fine = true;
    for (const ConditionNode& child : node.children) {
      std::optional<Type> type = type_of(child);
      if (!type) {
        fine = false;
      } else if (!is_boolean(*type)) {
        errors_.push_back(
            {child.offset,
             "\"" + node.op + "\" needs bool operands, but " + shown(child) + " is " + type->to_string() +
                 (type->is_optional() && is_boolean(type->without_null()) ? " (it may be null: compare it, == true)"
                                                                          : "")});
        fine = false;
      }
    }
    if (!fine) return std::nullopt;
    return Type::boolean();
  }

  std::optional<Type> comparison_type(const ConditionNode& node) {
    std::optional<Type> left = type_of(node.children[0]);
    std::optional<Type> right = type_of(node.children[1]);
    if (!left || !right) return std::nullopt;
    const bool ordering = node.op != "==" && node.op != "!=";
    const bool fits = ordering ? orderable(*left, *right) : equatable(*left, *right);
    if (!fits) {
      errors_.push_back({node.op_offset, "cannot compare " + shown(node.children[0]) + " (" + left->to_string() +
                                             ") with " + shown(node.children[1]) + " (" + right->to_string() +
                                             ") using " + node.op +
                                             (ordering ? ": < <= > >= compare numbers with numbers, strings with "
                                                         "strings, dates with dates"
                                                       : ": the two sides can never be equal")});
      return std::nullopt;
    }
    return Type::boolean();
  }

  std::optional<Type> membership_type(const ConditionNode& node) {
    std::optional<Type> element = type_of(node.children[0]);
    std::optional<Type> container = type_of(node.children[1]);
    if (!element || !container) return std::nullopt;
    if (container->is_any()) return Type::boolean();
    const Type list = container->without_null();
    if (list.kind() != TypeKind::list && !(list.kind() == TypeKind::tuple && list.variadic())) {
      errors_.push_back({node.children[1].offset, "\"" + node.op + "\" needs a list on its right, but " +
                                                      shown(node.children[1]) + " is " + container->to_string()});
      return std::nullopt;
    }
    if (!equatable(*element, list.item())) {
      errors_.push_back({node.op_offset, "cannot look for " + shown(node.children[0]) + " (" + element->to_string() +
                                             ") in " + shown(node.children[1]) + " (" + container->to_string() +
                                             "): its elements are " + list.item().to_string()});
      return std::nullopt;
    }
    return Type::boolean();
  }

  static bool is_boolean(const Type& type) { return type.is_any() || type.kind() == TypeKind::boolean; }

  static bool is_number(const Type& type) {
    return type.kind() == TypeKind::integer || type.kind() == TypeKind::number;
  }

  // == and != : the sides could hold the same value (null on either side
  // only when the other may be null; int and float compare by value).
  static bool equatable(const Type& a, const Type& b) {
    if (a.is_any() || b.is_any()) return true;
    if (a.kind() == TypeKind::null) return b.kind() == TypeKind::null || b.is_optional();
    if (b.kind() == TypeKind::null) return a.is_optional();
    const Type x = a.without_null();
    const Type y = b.without_null();
    if (is_number(x) && is_number(y)) return true;
    return static_cast<bool>(is_assignable(x, y)) || static_cast<bool>(is_assignable(y, x));
  }

  // < <= > >= : numbers with numbers, strings with strings, dates with dates
  // (a null side makes the comparison false at run time).
  static bool orderable(const Type& a, const Type& b) {
    if (a.is_any() || b.is_any()) return true;
    const Type x = a.without_null();
    const Type y = b.without_null();
    if (is_number(x) && is_number(y)) return true;
    const bool same_kind = x.kind() == y.kind();
    return same_kind && (x.kind() == TypeKind::string || x.kind() == TypeKind::date || x.kind() == TypeKind::datetime);
  }

  // The operand as written in the condition.
  std::string shown(const ConditionNode& node) const {
    if (node.kind == ConditionNode::Kind::path) return node.path.to_string();
    if (node.kind == ConditionNode::Kind::literal) return boost::json::serialize(node.literal);
    return text_.substr(node.offset, std::min(node.end, text_.size()) - node.offset);
  }

  const std::string& text_;
  const ConditionPathTyper& type_of_;
  std::vector<ConditionError> errors_;
};

}  // namespace

std::vector<ConditionError> check_condition_types(const Condition& condition, const ConditionPathTyper& type_of) {
  if (!condition.root) return {};
  return ConditionTyper(condition, type_of).run(*condition.root);
}

}  // namespace ork::host
