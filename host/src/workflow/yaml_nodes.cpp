#include "workflow/yaml_nodes.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <charconv>
#include <functional>
#include <optional>
#include <unordered_map>

namespace ork::host {

SourceLocation location_of(const YamlNode& node, const std::string& file) {
  return SourceLocation{file, node.line(), node.column()};
}

std::vector<MapEntry> map_entries(const YamlNode& map, const std::string& file, std::vector<Diagnostic>& errors,
                                  std::string_view context, std::string_view noun) {
  std::vector<MapEntry> entries;
  for_each_map_entry(map, file, errors, context, noun, [&](MapEntry& entry) { entries.push_back(std::move(entry)); });
  return entries;
}

void for_each_map_entry(const YamlNode& map, const std::string& file, std::vector<Diagnostic>& errors,
                        std::string_view context, std::string_view noun, const std::function<void(MapEntry&)>& use) {
  // Key -> the line of its first entry: a workflow of 10 000 tasks is one
  // mapping, and comparing each key with every earlier one cost ~50M string
  // compares. The keys are views of the document's text, which outlives the loop.
  std::unordered_map<std::string_view, int> first_line;
  for (std::size_t i = 0, n = map.size(); i < n && map.is_map(); ++i) {
    YamlEntry pair = map.entry(i);
    MapEntry entry{{}, pair.key, pair.value, location_of(pair.key, file), location_of(pair.value, file)};
    if (!entry.key_node.is_scalar()) {
      errors.push_back({entry.key_where, std::string(context) + "a " + std::string(noun) +
                                             " must be a plain name, not " + describe_node(entry.key_node)});
      continue;
    }
    entry.key = entry.key_node.scalar();
    // The parser places an empty value at the next token; point at the key instead.
    if (entry.value.is_null() && entry.value_where.line != entry.key_where.line) entry.value_where = entry.key_where;
    auto [earlier, first] = first_line.try_emplace(entry.key_node.scalar(), entry.key_where.line);
    if (!first) {
      errors.push_back({entry.key_where, std::string(context) + "duplicate " + std::string(noun) + " \"" +
                                             entry.key + "\" (first at line " + std::to_string(earlier->second) + ")"});
      continue;
    }
    use(entry);
  }
}

namespace {

std::optional<std::int64_t> parse_integer(std::string_view text);
std::optional<double> parse_float(std::string_view text);

// Unwind a conversion that went over a limit: a refused value is already
// reported; the spent budget is reported by to_json at the value it converts.
struct ValueRefused {};
struct BudgetSpent {};

static_assert(ORK_MAX_YAML_DEPTH <= ORK_MAX_TYPE_DEPTH,
              "the inferred type of a constant must stay within the type depth");

}  // namespace

YamlValueReader::YamlValueReader(std::string file, std::vector<Diagnostic>& errors, std::size_t node_budget,
                                 std::size_t text_bytes)
    : file_(std::move(file)), errors_(errors), budget_(node_budget + text_bytes), text_bytes_(text_bytes) {}

std::optional<boost::json::value> YamlValueReader::to_json(const YamlNode& node) {
  if (exhausted_) return std::nullopt;
  try {
    return convert(node);
  } catch (const ValueRefused&) {
  } catch (const BudgetSpent&) {
    const std::string beyond =
        text_bytes_ == 0 ? " (" : " beyond one per byte of the file (" + std::to_string(text_bytes_) + " bytes; ";
    errors_.push_back({location_of(node, file_), "the values of this workflow file expand to more than " +
                                                     std::to_string(budget_ - text_bytes_) + " YAML nodes" + beyond +
                                                     "each use of an alias counts every node it refers to), the "
                                                     "limit (ORK_MAX_YAML_NODES); use large anchors less often or "
                                                     "write the value out"});
  }
  path_.clear();
  refused_any_ = true;
  return std::nullopt;
}

boost::json::value YamlValueReader::convert(const YamlNode& node) {
  if (++used_ > budget_) {
    exhausted_ = true;
    throw BudgetSpent{};
  }
  switch (node.kind()) {
    case YamlKind::Scalar: return scalar_to_json(node);
    case YamlKind::Sequence: {
      enter(node);
      boost::json::array array;
      array.reserve(node.size());
      for (std::size_t i = 0, n = node.size(); i < n; ++i) array.push_back(convert(node.item(i)));
      path_.pop_back();
      return array;
    }
    case YamlKind::Map: {
      enter(node);
      boost::json::object object;
      for (std::size_t i = 0, n = node.size(); i < n; ++i) {
        YamlEntry entry = node.entry(i);
        object[entry.key.scalar()] = convert(entry.value);
      }
      path_.pop_back();
      return object;
    }
    case YamlKind::Null: return nullptr;
  }
  return nullptr;
}

// Recursion happens once per container: refuse a container that is one of
// its own ancestors (an alias inside its anchor) or nests too deep.
void YamlValueReader::enter(const YamlNode& node) {
  for (const YamlNode& ancestor : path_) {
    if (ancestor.same_node(node)) {
      refuse(node,
             "this value contains itself: an alias inside it refers back to it (or to a value around it); "
             "an alias must refer to a value defined before it, outside it");
    }
  }
  if (path_.size() >= ORK_MAX_YAML_DEPTH) {
    refuse(node, "this value nests more than " + std::to_string(ORK_MAX_YAML_DEPTH) +
                     " lists and mappings deep, the limit (ORK_MAX_YAML_DEPTH); flatten it");
  }
  path_.push_back(node);
}

void YamlValueReader::refuse(const YamlNode& node, std::string message) {
  errors_.push_back({location_of(node, file_), std::move(message)});
  throw ValueRefused{};
}

bool is_string_scalar(const YamlNode& node) {
  return node.is_scalar() && scalar_to_json(node).is_string();
}

std::string describe_node(const YamlNode& node) {
  const std::string text(node.scalar());
  switch (node.kind()) {
    case YamlKind::Map: return "a mapping";
    case YamlKind::Sequence: return "a list";
    case YamlKind::Scalar: {
      boost::json::value value = scalar_to_json(node);
      if (value.is_string()) return "the string \"" + text + "\"";
      if (value.is_bool()) return text;
      if (value.is_null()) return "null";
      return "the number " + text;
    }
    case YamlKind::Null: return "an empty value";
  }
  return "an empty value";
}

boost::json::value scalar_to_json(const YamlNode& node) {
  std::string_view text = node.scalar();
  if (node.is_non_plain()) return boost::json::value(text);  // quoted or block scalar: always a string
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (std::optional<std::int64_t> integer = parse_integer(text)) return *integer;
  if (std::optional<double> number = parse_float(text)) return *number;
  return boost::json::value(text);
}

namespace {

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
