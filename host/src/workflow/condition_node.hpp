// The parsed tree of a `when:` condition (condition.hpp), shared by the files
// that parse it (condition.cpp), type it (condition_check.cpp) and evaluate
// it (condition_eval.cpp). Included only by them.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <vector>

#include "workflow/condition.hpp"

namespace ork::host {

struct ConditionNode {
  enum class Kind { literal, path, list, negation, conjunction, disjunction, comparison, membership };
  Kind kind = Kind::literal;
  std::string op;  // comparison: "==" ...; membership: "in" or "not in"
  boost::json::value literal;
  ConditionPath path;
  std::vector<ConditionNode> children;
  std::size_t offset = 0;     // where the node starts
  std::size_t op_offset = 0;  // where its operator is (comparison, membership, and/or)
  std::size_t end = 0;        // just past its last character, to quote it in messages
};

}  // namespace ork::host
