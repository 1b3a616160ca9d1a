// The compact YAML tree (workflow/yaml_document.hpp): it must read every text
// as yaml-cpp's own document tree (YAML::Load) reads it — the same kinds,
// texts, tags, positions, entries in order, aliases as their anchor's node —
// while holding a small fraction of its memory.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "workflow/yaml_document.hpp"
#include "yaml_cpp_reference.hpp"

namespace ork::host {
namespace {

using yaml_cpp_reference::column_of;
using yaml_cpp_reference::kind_of;
using yaml_cpp_reference::line_of;
using yaml_cpp_reference::refusal_text;

std::string where(const YamlNode& node) {
  return std::to_string(node.line()) + ":" + std::to_string(node.column());
}

// Walks both trees side by side; `depth` stops at a cycle (both sides have
// the same one, or the kinds would already differ).
void expect_same_tree(const YAML::Node& expected, const YamlNode& actual, int depth = 0) {
  if (depth > 8) return;
  ASSERT_EQ(kind_of(expected), actual.kind()) << "at " << where(actual);
  EXPECT_EQ(line_of(expected.Mark()), actual.line());
  EXPECT_EQ(column_of(expected.Mark()), actual.column());
  switch (expected.Type()) {
    case YAML::NodeType::Scalar:
      EXPECT_EQ(expected.Scalar(), actual.scalar());
      EXPECT_EQ(expected.Tag() == "!", actual.is_non_plain()) << expected.Scalar();
      break;
    case YAML::NodeType::Sequence: {
      ASSERT_EQ(expected.size(), actual.size()) << "at " << where(actual);
      std::size_t i = 0;
      for (const YAML::Node& item : expected) expect_same_tree(item, actual.item(i++), depth + 1);
      break;
    }
    case YAML::NodeType::Map: {
      ASSERT_EQ(expected.size(), actual.size()) << "at " << where(actual);
      std::size_t i = 0;
      for (auto it = expected.begin(); it != expected.end(); ++it, ++i) {
        expect_same_tree(it->first, actual.entry(i).key, depth + 1);
        expect_same_tree(it->second, actual.entry(i).value, depth + 1);
      }
      break;
    }
    default: EXPECT_TRUE(actual.scalar().empty()); break;
  }
}

TEST(YamlDocument, ReadsEveryTextAsYamlCppsTreeDoes) {
  const std::vector<std::string> texts{
      "",
      "# only a comment\n",
      "plain",
      "~",
      "- 1\n- \"2\"\n- '3'\n- |\n  block\n- >\n  folded\n- !!str 4\n- !tagged 5\n- null\n-\n- ~\n",
      "name: demo\ndefaults: {executor: process}\ntasks:\n  a: {command: ['true']}\n  b:\n    command: [echo, hi]\n"
      "    depends_on: [a]\n    env: {X: 1, Y: \"two\"}\n",
      "a: 1\nb:\nc: 2\na: 3\n",
      "? [x, y]\n: complex key\n? {k: v}\n: map key\nplain: value\n",
      "base: &b {x: 1, y: [2, 3]}\nuse: *b\nagain: *b\nlist: &l [*b, *b]\nmore: [*l, *l]\n",
      "&self [1, *self]\n",
      "m: &m {k: *m}\n",
      "a: &x 1\nb: &x 2\nc: *x\n",
      "first: 1\n---\nsecond: 2\n",
      "  indented:\n    - deep:\n        deeper: [[[1]], {a: {b: {c: d}}}]\n",
      "empty_map: {}\nempty_list: []\nquoted_empty: ''\n",
      "unicode: \"h\\u00e9llo \\U0001F600\"\nraw: héllo\n",
  };
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    YamlDocument document = YamlDocument::parse(text);
    expect_same_tree(YAML::Load(text), document.root());
  }
}

TEST(YamlDocument, RefusesWhatYamlCppRefusesAtTheSameMark) {
  const std::vector<std::string> texts{
      "a: [1, 2\n", "a: *missing\n", "a: b: c\n", "{a: 1\n",
      std::string(20000, '[') + std::string(20000, ']'),  // yaml-cpp's own recursion limit
  };
  for (const std::string& text : texts) {
    SCOPED_TRACE(text.substr(0, 40));
    std::string expected;
    try {
      YAML::Load(text);
      FAIL() << "yaml-cpp accepted it";
    } catch (const YAML::ParserException& e) {
      expected = refusal_text(e);
    }
    try {
      YamlDocument::parse(text);
      FAIL() << "accepted: " << text;
    } catch (const YAML::ParserException& e) {
      EXPECT_EQ(refusal_text(e), expected);
    }
  }
}

TEST(YamlDocument, AnAliasIsItsAnchorsNode) {
  YamlDocument document = YamlDocument::parse("base: &b {x: 1}\nuse: *b\nself: &s [0, *s]\n");
  YamlNode root = document.root();
  EXPECT_TRUE(root.find("base").same_node(root.find("use")));
  EXPECT_EQ(where(root.find("use")), "1:7");  // the anchor's position, as in yaml-cpp
  YamlNode self = root.find("self");
  EXPECT_TRUE(self.item(1).same_node(self));
  EXPECT_FALSE(root.find("base").same_node(self));
}

TEST(YamlDocument, FindGivesTheFirstEntryOrAnUndefinedNode) {
  YamlDocument document = YamlDocument::parse("a: 1\nb: ~\na: 2\n\"q\": 3\n");
  YamlNode root = document.root();
  EXPECT_EQ(root.find("a").scalar(), "1");
  EXPECT_TRUE(root.find("b"));  // present, though empty
  EXPECT_TRUE(root.find("b").is_null());
  EXPECT_EQ(root.find("q").scalar(), "3");
  EXPECT_FALSE(root.find("c"));
  EXPECT_FALSE(root.find("a").find("x"));  // not a mapping
  EXPECT_TRUE(YamlNode());  // the default is an empty value, as YAML::Node() is
  EXPECT_TRUE(YamlNode().is_null());
  EXPECT_EQ(YamlNode().line(), 0);
}

// The reason for the tree: a workflow of many tasks. yaml-cpp's nodes cost
// about 2 KB per task of this shape; the compact tree must stay well under
// 200 bytes (it is ~100: five 20-byte records, five child indexes, the text).
TEST(YamlDocument, HoldsAFewWordsPerNode) {
  std::string text = "name: big\ndefaults: {executor: process}\ntasks:\n";
  const std::size_t tasks = 10000;
  for (std::size_t i = 0; i < tasks; ++i) text += "  t" + std::to_string(i) + ": {command: ['true']}\n";
  YamlDocument document = YamlDocument::parse(text);
  ASSERT_EQ(document.root().find("tasks").size(), tasks);
  EXPECT_LT(document.bytes_held(), tasks * 200);
}

}  // namespace
}  // namespace ork::host
