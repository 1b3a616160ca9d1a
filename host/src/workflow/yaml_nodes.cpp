#include "workflow/yaml_nodes.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <charconv>
#include <optional>

namespace ork::host {

SourceLocation location_of(const YAML::Node& node, const std::string& file) {
  YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

std::vector<MapEntry> map_entries(const YAML::Node& map, const std::string& file, std::vector<Diagnostic>& errors,
                                  std::string_view context, std::string_view noun) {
  std::vector<MapEntry> entries;
  for (auto it = map.begin(); it != map.end(); ++it) {
    MapEntry entry{{}, it->first, it->second, location_of(it->first, file), location_of(it->second, file)};
    if (!entry.key_node.IsScalar()) {
      errors.push_back({entry.key_where, std::string(context) + "a " + std::string(noun) +
                                             " must be a plain name, not " + describe_node(entry.key_node)});
      continue;
    }
    entry.key = entry.key_node.Scalar();
    // yaml-cpp places an empty value at the next token; point at the key instead.
    if (entry.value.IsNull() && entry.value_where.line != entry.key_where.line) entry.value_where = entry.key_where;
    bool duplicate = false;
    for (const MapEntry& earlier : entries) {
      if (earlier.key == entry.key) {
        errors.push_back({entry.key_where, std::string(context) + "duplicate " + std::string(noun) + " \"" +
                                               entry.key + "\" (first at line " +
                                               std::to_string(earlier.key_where.line) + ")"});
        duplicate = true;
        break;
      }
    }
    if (!duplicate) entries.push_back(std::move(entry));
  }
  return entries;
}

namespace {

boost::json::value scalar_to_json(const YAML::Node& node);
std::optional<std::int64_t> parse_integer(std::string_view text);
std::optional<double> parse_float(std::string_view text);

}  // namespace

boost::json::value yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      boost::json::array array;
      for (const YAML::Node& item : node) array.push_back(yaml_to_json(item));
      return array;
    }
    case YAML::NodeType::Map: {
      boost::json::object object;
      for (auto it = node.begin(); it != node.end(); ++it) object[it->first.Scalar()] = yaml_to_json(it->second);
      return object;
    }
    default: return nullptr;
  }
}

bool is_string_scalar(const YAML::Node& node) {
  return node.IsScalar() && scalar_to_json(node).is_string();
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: {
      boost::json::value value = scalar_to_json(node);
      if (value.is_string()) return "the string \"" + node.Scalar() + "\"";
      if (value.is_bool()) return node.Scalar();
      if (value.is_null()) return "null";
      return "the number " + node.Scalar();
    }
    default: return "an empty value";
  }
}

namespace {

boost::json::value scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return boost::json::value(text);  // quoted or block scalar: always a string
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::optional<std::int64_t> integer = parse_integer(text)) return *integer;
  if (std::optional<double> number = parse_float(text)) return *number;
  return boost::json::value(text);
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  int base = 10;
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o')) {
    base = text[1] == 'x' ? 16 : 8;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return negative ? -value : value;
}

std::optional<double> parse_float(std::string_view text) {
  // YAML 1.2 core floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  std::string_view digits = text;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) digits.remove_prefix(1);
  if (digits.empty() || !(std::isdigit(static_cast<unsigned char>(digits.front())) || digits.front() == '.')) {
    return std::nullopt;
  }
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

}  // namespace ork::host
