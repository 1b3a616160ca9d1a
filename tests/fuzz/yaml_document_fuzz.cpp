// Fuzz target: the compact YAML tree against yaml-cpp's own document tree.
// YamlDocument::parse must read every text as YAML::Load does: both refuse it
// with the same mark and message, or both give the same tree (kinds, texts,
// "!" tags, marks, items and entries in order, aliases as the same node).
#include "fuzz_support.hpp"
#include "workflow/yaml_document.hpp"
#include "yaml_cpp_reference.hpp"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using ork::host::YamlNode;
using ork::host::yaml_cpp_reference::column_of;
using ork::host::yaml_cpp_reference::kind_of;
using ork::host::yaml_cpp_reference::line_of;
using ork::host::yaml_cpp_reference::refusal_text;

// Nodes compared per input: a text of 8 KB writes out fewer; only aliases
// (an alias bomb repeats a node 10^9 times) reach it, and their nodes are
// compared once already.
constexpr std::size_t compare_budget = 20000;

struct Walk {
  std::vector<std::pair<YAML::Node, YamlNode>> path;  // the containers being compared
  std::size_t compared = 0;
};

// An alias that contains itself is compared once: it must be the same
// ancestor on both sides.
void check_same(const YAML::Node& expected, const YamlNode& actual, Walk& walk) {
  if (++walk.compared > compare_budget) return;
  ORK_FUZZ_CHECK(kind_of(expected) == actual.kind());
  ORK_FUZZ_CHECK(line_of(expected.Mark()) == actual.line());
  ORK_FUZZ_CHECK(column_of(expected.Mark()) == actual.column());
  if (expected.IsScalar()) {
    ORK_FUZZ_CHECK(expected.Scalar() == actual.scalar());
    ORK_FUZZ_CHECK((expected.Tag() == "!") == actual.is_non_plain());
    return;
  }
  if (!expected.IsSequence() && !expected.IsMap()) return;
  for (const auto& [yaml_cpp, ours] : walk.path) {
    ORK_FUZZ_CHECK(yaml_cpp.is(expected) == ours.same_node(actual));
    if (ours.same_node(actual)) return;
  }
  ORK_FUZZ_CHECK(expected.size() == actual.size());
  walk.path.emplace_back(expected, actual);
  std::size_t i = 0;
  if (expected.IsSequence()) {
    for (const YAML::Node& item : expected) check_same(item, actual.item(i++), walk);
  } else {
    for (auto it = expected.begin(); it != expected.end(); ++it, ++i) {
      check_same(it->first, actual.entry(i).key, walk);
      check_same(it->second, actual.entry(i).value, walk);
    }
  }
  walk.path.pop_back();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(ork::fuzz::as_text(data, size));
  YAML::Node expected;
  std::optional<std::string> expected_refusal;
  try {
    expected = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    expected_refusal = refusal_text(e);
  }
  std::optional<std::string> actual_refusal;
  try {
    ork::host::YamlDocument document = ork::host::YamlDocument::parse(text);
    ORK_FUZZ_CHECK(!expected_refusal);
    Walk walk;
    check_same(expected, document.root(), walk);
  } catch (const YAML::ParserException& e) {
    actual_refusal = refusal_text(e);
  }
  ORK_FUZZ_CHECK(expected_refusal == actual_refusal);
  return 0;
}
