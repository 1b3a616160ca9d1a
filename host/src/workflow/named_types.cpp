#include "workflow/named_types.hpp"

#include <algorithm>

#include "workflow/yaml_nodes.hpp"

namespace ork::host {

namespace {

bool is_builtin_type_name(std::string_view name);

// Resolves definitions on demand, depth first, so they may appear in any order.
class Resolution {
 public:
  Resolution(YamlValueReader& values, std::vector<Diagnostic>& errors) : values_(values), errors_(errors) {}

  void add(MapEntry entry) {
    if (is_builtin_type_name(entry.key)) {
      errors_.push_back({entry.key_where, "type \"" + entry.key + "\" would hide the built-in type of that name; choose another name"});
      return;
    }
    std::string name = entry.key;
    definitions_.emplace(std::move(name), Definition{std::move(entry), State::pending, Type::any()});
  }

  std::map<std::string, Type, std::less<>> resolve_all() {
    std::map<std::string, Type, std::less<>> types;
    for (auto& [name, definition] : definitions_) types.emplace(name, resolve(name).value_or(Type::any()));
    return types;
  }

 private:
  enum class State { pending, resolving, done, failed };
  struct Definition {
    MapEntry entry;
    State state = State::pending;
    Type type;
  };

  std::optional<Type> resolve(std::string_view name) {
    auto found = definitions_.find(name);
    if (found == definitions_.end()) return std::nullopt;
    Definition& definition = found->second;
    if (definition.state == State::done) return definition.type;
    if (definition.state == State::failed) return Type::any();
    if (definition.state == State::resolving) {
      report_cycle(std::string(name));
      return Type::any();
    }
    // A chain of definitions referring to each other (A: B, B: C, ...) is
    // resolved by recursion: it counts against the type depth like brackets.
    TypeNesting level;
    if (level.too_deep()) {
      fail(definition, "type \"" + std::string(name) + "\" is defined through more than " +
                           std::to_string(ORK_MAX_TYPE_DEPTH) +
                           " levels of nested types and named types (the "
                           "limit, ORK_MAX_TYPE_DEPTH); define it with fewer levels");
      return Type::any();
    }
    definition.state = State::resolving;
    stack_.push_back(std::string(name));
    Type type = parse_definition(definition);
    stack_.pop_back();
    if (definition.state == State::resolving) {
      definition.state = State::done;
      definition.type = type;
    }
    return definition.state == State::done ? definition.type : Type::any();
  }

  Type parse_definition(Definition& definition) {
    const MapEntry& entry = definition.entry;
    if (!entry.value.is_map() && !entry.value.is_sequence() && !is_string_scalar(entry.value)) {
      fail(definition, "type \"" + entry.key + "\" must be a type string such as \"list[int]\", a mapping of field -> type or a one-item list [T], not " +
                           describe_node(entry.value));
      return Type::any();
    }
    std::optional<boost::json::value> json = values_.to_json(entry.value);
    if (!json) {
      definition.state = State::failed;  // already reported
      return Type::any();
    }
    try {
      Type type = parse_type_json(*json, [this](std::string_view other) { return resolve(other); });
      if (type.kind() == TypeKind::object) return Type::object(type.fields(), entry.key);
      return type;  // an alias of a non-object type is transparent (`Id: "int"` is int)
    } catch (const TypeError& e) {
      fail(definition, "type \"" + entry.key + "\": " + e.describe());
      return Type::any();
    }
  }

  void report_cycle(const std::string& name) {
    auto start = std::find(stack_.begin(), stack_.end(), name);
    std::string path;
    for (auto it = start; it != stack_.end(); ++it) path += *it + " -> ";
    path += name;
    Definition& definition = definitions_.find(name)->second;
    fail(definition, "type \"" + name + "\" refers to itself (" + path + "); recursive types are not supported");
    for (auto it = start; it != stack_.end(); ++it) definitions_.find(*it)->second.state = State::failed;
  }

  void fail(Definition& definition, std::string message) {
    if (definition.state == State::failed) return;
    definition.state = State::failed;
    errors_.push_back({definition.entry.value_where, std::move(message)});
  }

  YamlValueReader& values_;
  std::vector<Diagnostic>& errors_;
  std::map<std::string, Definition, std::less<>> definitions_;
  std::vector<std::string> stack_;
};

}  // namespace

NamedTypes NamedTypes::from_yaml(const YamlNode& types, const std::string& file, YamlValueReader& values,
                                 std::vector<Diagnostic>& errors) {
  NamedTypes result;
  if (!types || types.is_null()) return result;
  if (!types.is_map()) {
    errors.push_back({location_of(types, file), "\"types\" must be a mapping of type name -> type, not " + describe_node(types)});
    return result;
  }
  Resolution resolution(values, errors);
  for (MapEntry& entry : map_entries(types, file, errors, "types: ", "type")) resolution.add(std::move(entry));
  result.types_ = resolution.resolve_all();
  return result;
}

std::optional<Type> NamedTypes::find(std::string_view name) const {
  auto found = types_.find(name);
  if (found == types_.end()) return std::nullopt;
  return found->second;
}

TypeResolver NamedTypes::resolver() const {
  return [this](std::string_view name) { return find(name); };
}

namespace {

bool is_builtin_type_name(std::string_view name) {
  static const std::vector<std::string_view> builtins{"int",  "float",    "str", "bool", "null", "None",
                                                      "date", "datetime", "Any", "list", "dict", "tuple",
                                                      "datetime_notz", "datetime_tz", "datetime_utc"};
  return std::find(builtins.begin(), builtins.end(), name) != builtins.end();
}

}  // namespace

}  // namespace ork::host
