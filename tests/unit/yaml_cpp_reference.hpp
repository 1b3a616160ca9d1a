// What yaml-cpp's own document tree (YAML::Load) says about a text, in the
// terms of ork's compact YAML tree (workflow/yaml_document.hpp), for the tests
// that compare the two: tests/unit/yaml_document_test.cpp and the fuzz target
// tests/fuzz/yaml_document_fuzz.cpp (whose include path has tests/unit).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "workflow/yaml_document.hpp"

namespace ork::host::yaml_cpp_reference {

// The kind of YamlNode that must stand where yaml-cpp has `node`.
inline YamlKind kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return YamlKind::Scalar;
    case YAML::NodeType::Sequence: return YamlKind::Sequence;
    case YAML::NodeType::Map: return YamlKind::Map;
    default: return YamlKind::Null;
  }
}

// yaml-cpp's 0-based mark as YamlNode's 1-based line and column (0 where
// yaml-cpp has no mark).
inline int line_of(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.line + 1; }
inline int column_of(const YAML::Mark& mark) { return mark.is_null() ? 0 : mark.column + 1; }

// A refusal as "line:column message", the same for both parsers or not.
inline std::string refusal_text(const YAML::ParserException& e) {
  return std::to_string(e.mark.line) + ":" + std::to_string(e.mark.column) + " " + e.msg;
}

}  // namespace ork::host::yaml_cpp_reference
