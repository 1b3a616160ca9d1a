// Reading yaml-cpp nodes the way the workflow compiler needs: 1-based source
// locations, mapping entries in file order with duplicate keys reported (a
// plain yaml-cpp lookup would silently keep one), and YAML values converted to
// JSON with YAML 1.2 core-schema scalars (quoted scalars stay strings).
#pragma once

#include <boost/json/value.hpp>
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace ork::host {

// The node's position (1-based), or line 0 when yaml-cpp has none.
SourceLocation location_of(const YAML::Node& node, const std::string& file);

struct MapEntry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
  SourceLocation key_where;
  SourceLocation value_where;  // the key's position when the value is empty
};

// The entries of mapping `map` in file order. A repeated key is reported
// (`<context>duplicate <noun> "x" (first at line 3)`) and only its first
// entry is returned; a non-scalar key is reported and skipped.
std::vector<MapEntry> map_entries(const YAML::Node& map, const std::string& file, std::vector<Diagnostic>& errors,
                                  std::string_view context, std::string_view noun = "key");

// int64, double, bool, null or string for scalars; arrays; objects.
boost::json::value yaml_to_json(const YAML::Node& node);

// A scalar that YAML reads as a string (quoted, or plain but not a number,
// bool or null).
bool is_string_scalar(const YAML::Node& node);

// "a mapping", "a list", "a string", "a number", "true/false", "empty": for
// "expected X, not Y" messages.
std::string describe_node(const YAML::Node& node);

}  // namespace ork::host
