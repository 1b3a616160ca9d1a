// Reading the nodes of a YamlDocument the way the workflow compiler needs: 1-based source
// locations, mapping entries in file order with duplicate keys reported (a
// plain yaml-cpp lookup would silently keep one), and YAML values converted to
// JSON with YAML 1.2 core-schema scalars (quoted scalars stay strings) under
// the limits of ork/limits.h, because a workflow file may be hostile: an
// alias can contain itself or repeat a large node many times.
#pragma once

#include <boost/json/value.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "ork/limits.h"
#include "workflow/yaml_document.hpp"

namespace ork::host {

// The node's position (1-based), or line 0 when it has none.
SourceLocation location_of(const YamlNode& node, const std::string& file);

struct MapEntry {
  std::string key;
  YamlNode key_node;
  YamlNode value;
  SourceLocation key_where;
  SourceLocation value_where;  // the key's position when the value is empty
};

// The entries of mapping `map` in file order. A repeated key is reported
// (`<context>duplicate <noun> "x" (first at line 3)`) and only its first
// entry is returned; a non-scalar key is reported and skipped.
std::vector<MapEntry> map_entries(const YamlNode& map, const std::string& file, std::vector<Diagnostic>& errors,
                                  std::string_view context, std::string_view noun = "key");

// The same entries, handed to `use` one at a time: the tasks of a large
// workflow are read without a vector of every task's entry.
void for_each_map_entry(const YamlNode& map, const std::string& file, std::vector<Diagnostic>& errors,
                        std::string_view context, std::string_view noun, const std::function<void(MapEntry&)>& use);

// Converts the YAML values of one workflow file to JSON: int64, double, bool,
// null or string for scalars; arrays; objects. All conversions of one file
// share one budget of expanded nodes (each use of an alias counts every node
// it reaches; a workflow file gets ORK_MAX_YAML_NODES plus one per byte of
// its text, so a file that writes its values out is never refused however
// many tasks it has), and a value may nest at most ORK_MAX_YAML_DEPTH levels, so
// neither an alias bomb nor an alias that contains itself can exhaust memory
// or the stack. A value over a limit is reported into `errors` at its
// file:line:col and converts to nullopt; once the budget is spent, every
// later conversion is nullopt too (reported once).
class YamlValueReader {
 public:
  // `text_bytes`: the size of the workflow file's text, added to the budget.
  // Written out, a node takes at least a byte, so only aliases can go over
  // it, and what they may expand to stays linear in the file's size
  // (100 000 tasks of `command: [true]` are 200 000 nodes; a 600-byte alias
  // bomb is 10^9).

  YamlValueReader(std::string file, std::vector<Diagnostic>& errors, std::size_t node_budget = ORK_MAX_YAML_NODES,
                  std::size_t text_bytes = 0);

  std::optional<boost::json::value> to_json(const YamlNode& node);
  // Nodes converted so far (for tests of the budget).
  std::size_t nodes_used() const { return used_; }
  // Whether some value was refused (then the file does not compile).
  bool refused_any() const { return refused_any_; }

 private:
  boost::json::value convert(const YamlNode& node);
  void enter(const YamlNode& node);
  [[noreturn]] void refuse(const YamlNode& node, std::string message);

  std::string file_;
  std::vector<Diagnostic>& errors_;
  std::size_t budget_;
  std::size_t text_bytes_;
  std::size_t used_ = 0;
  bool exhausted_ = false;
  bool refused_any_ = false;
  std::vector<YamlNode> path_;  // the containers being converted, outermost first
};

// A scalar as YAML 1.2 reads it: int64, double, bool, null or string. Needs
// no budget: it does not recurse.
boost::json::value scalar_to_json(const YamlNode& node);

// A scalar that YAML reads as a string (quoted, or plain but not a number,
// bool or null).
bool is_string_scalar(const YamlNode& node);

// "a mapping", "a list", "a string", "a number", "true/false", "empty": for
// "expected X, not Y" messages.
std::string describe_node(const YamlNode& node);

}  // namespace ork::host
