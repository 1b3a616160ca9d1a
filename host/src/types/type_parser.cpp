// Parsers for the type syntax and the JSON type encoding (declared in
// types/type.hpp). The syntax is small enough (identifiers, brackets, braces,
// `|`) that a recursive-descent parser is shorter and gives better column
// errors than any grammar library would. Each level of brackets, braces,
// parentheses or JSON objects holds a TypeNesting, so hostile nesting is a
// TypeError, not a stack overflow.
#include <boost/json.hpp>

#include <array>
#include <utility>

#include "types/type.hpp"

namespace ork::host {

namespace {

class TypeParser {
 public:
  TypeParser(std::string_view text, const TypeResolver& resolve) : text_(text), resolve_(resolve) {}

  Type parse_whole() {
    skip_space();
    if (at_end()) fail("empty type: expected a type such as int, list[str] or {id: int}");
    Type type = parse_union();
    skip_space();
    if (!at_end()) fail("unexpected \"" + std::string(1, text_[pos_]) + "\" after the type " + type.to_string());
    return type;
  }

 private:
  Type parse_union() {
    std::vector<Type> members{parse_atom()};
    skip_space();
    while (accept('|')) {
      skip_space();
      if (at_end()) fail("expected a type after \"|\"");
      members.push_back(parse_atom());
      skip_space();
    }
    return Type::union_of(std::move(members));
  }

  Type parse_atom() {
    skip_space();
    if (at_end()) fail("expected a type");
    char c = text_[pos_];
    if (c == '{') return parse_object();
    if (c == '[') return parse_bracket_list();
    if (c == '(') {
      TypeNesting level;
      check_nesting(level);
      ++pos_;
      Type inner = parse_union();
      expect(')', "to close \"(\"");
      return inner;
    }
    if (!is_identifier_start(c)) fail("expected a type, found \"" + std::string(1, c) + "\"");
    std::size_t start = pos_;
    std::string name = parse_identifier();
    if (name == "types" && peek('.')) return parse_qualified_name(start);
    return parse_named(name, start);
  }

  // `types.Name`, the upstream ork's way to name a type of the workflow's
  // `types:` block; the same type as a bare `Name`.
  Type parse_qualified_name(std::size_t start) {
    ++pos_;  // the "."
    if (at_end() || !is_identifier_start(text_[pos_])) fail("expected a type name after \"types.\"");
    std::string name = parse_identifier();
    if (resolve_) {
      if (std::optional<Type> resolved = resolve_(name)) return *resolved;
    }
    fail_at(start, "unknown type \"types." + name + "\": the workflow's `types:` defines no \"" + name +
                       "\" (types.NAME only names the workflow's own types; built-in types are written bare, e.g. int)");
  }

  // `[T]`, the upstream ork's spelling of list[T].
  Type parse_bracket_list() {
    TypeNesting level;
    check_nesting(level);
    expect('[', "");
    skip_space();
    if (peek(']')) fail("expected the item type inside \"[T]\" (e.g. [int])");
    Type item = parse_union();
    skip_space();
    if (peek(',')) fail("a list type [T] has exactly one item type; for a fixed tuple write tuple[A, B]");
    expect(']', "to close \"[\"");
    return Type::list(std::move(item));
  }

  Type parse_named(const std::string& name, std::size_t start) {
    skip_space();
    bool has_args = peek('[');
    if (name == "list") return has_args ? parse_list() : Type::list(Type::any());
    if (name == "dict") return has_args ? parse_dict() : Type::dict(Type::string(), Type::any());
    if (name == "tuple") return has_args ? parse_tuple() : Type::variadic_tuple(Type::any());
    if (has_args) {
      std::optional<std::string> hint = spelling_hint(name);
      fail_at(start, hint ? *hint : "\"" + name + "\" takes no type arguments (only list, dict and tuple do)");
    }
    if (std::optional<Type> primitive = primitive_named(name)) return *primitive;
    if (resolve_) {
      if (std::optional<Type> resolved = resolve_(name)) return *resolved;
    }
    std::optional<std::string> hint = spelling_hint(name);
    fail_at(start, hint ? *hint : "unknown type \"" + name + "\" (not a built-in type and not defined in the workflow's `types:`)");
  }

  static std::optional<Type> primitive_named(std::string_view name) {
    if (name == "int") return Type::integer();
    if (name == "float") return Type::number();
    if (name == "str") return Type::string();
    if (name == "bool") return Type::boolean();
    if (name == "null" || name == "None") return Type::null();
    if (name == "date") return Type::date();
    if (name == "datetime") return Type::datetime();
    if (name == "datetime_notz") return Type::datetime_notz();
    if (name == "datetime_tz") return Type::datetime_tz();
    if (name == "datetime_utc") return Type::datetime_utc();
    if (name == "Any") return Type::any();
    return std::nullopt;
  }

  static std::optional<std::string> spelling_hint(const std::string& name) {
    // Spellings people bring from Python's typing module or other languages.
    static const std::array<std::pair<std::string_view, std::string_view>, 14> hints{{
        {"string", "str"}, {"integer", "int"}, {"boolean", "bool"}, {"number", "float"}, {"double", "float"},
        {"List", "list[T]"}, {"Dict", "dict[str, T]"}, {"Tuple", "tuple[A, B]"}, {"Optional", "T | None"},
        {"Union", "A | B"}, {"NoneType", "None"}, {"any", "Any"}, {"object", "Any or {field: T}"},
        {"Mapping", "dict[str, T]"},
    }};
    for (const auto& [wrong, right] : hints) {
      if (name == wrong) return "unknown type \"" + name + "\" (write " + std::string(right) + ")";
    }
    return std::nullopt;
  }

  Type parse_list() {
    TypeNesting level;
    check_nesting(level);
    expect('[', "after list");
    Type item = parse_union();
    expect(']', "to close \"list[\"");
    return Type::list(std::move(item));
  }

  Type parse_dict() {
    TypeNesting level;
    check_nesting(level);
    expect('[', "after dict");
    Type key = parse_union();
    expect(',', "between the key and value types of dict[K, V]");
    Type value = parse_union();
    expect(']', "to close \"dict[\"");
    return Type::dict(std::move(key), std::move(value));
  }

  Type parse_tuple() {
    TypeNesting level;
    check_nesting(level);
    expect('[', "after tuple");
    skip_space();
    if (accept('(')) {  // `tuple[()]`, the empty tuple
      expect(')', "in tuple[()]");
      expect(']', "to close \"tuple[\"");
      return Type::tuple({});
    }
    std::vector<Type> items{parse_union()};
    skip_space();
    while (accept(',')) {
      skip_space();
      if (text_.substr(pos_, 3) == "...") {
        pos_ += 3;
        if (items.size() != 1) fail("\"...\" is only allowed as tuple[T, ...]");
        expect(']', "to close \"tuple[\"");
        return Type::variadic_tuple(std::move(items.front()));
      }
      items.push_back(parse_union());
      skip_space();
    }
    expect(']', "to close \"tuple[\"");
    return Type::tuple(std::move(items));
  }

  Type parse_object() {
    TypeNesting level;
    check_nesting(level);
    expect('{', "");
    std::vector<Field> fields;
    skip_space();
    while (!accept('}')) {
      if (at_end()) fail("expected \"}\" to close the object type");
      std::size_t start = pos_;
      Field field;
      field.name = parse_field_name();
      if (field.name.ends_with('?')) {
        fail_at(start, "a field name cannot end with \"?\" (write `name?: T` for an optional field)");
      }
      if (field.name == "$name") fail_at(start, "\"$name\" cannot be a field name (the JSON encoding of types uses it)");
      for (const Field& other : fields) {
        if (other.name == field.name) fail_at(start, "duplicate field \"" + field.name + "\"");
      }
      skip_space();
      field.optional = accept('?');
      expect(':', "after field name \"" + field.name + "\"");
      field.type = parse_union();
      fields.push_back(std::move(field));
      skip_space();
      if (accept('}')) break;
      expect(',', "or \"}\" after a field");
      skip_space();
    }
    return Type::object(std::move(fields));
  }

  void check_nesting(const TypeNesting& level) const {
    if (level.too_deep()) {
      fail("the type nests more than " + std::to_string(ORK_MAX_TYPE_DEPTH) +
           " levels deep (brackets, braces, parentheses and named types; the limit is ORK_MAX_TYPE_DEPTH)");
    }
  }

  std::string parse_field_name() {
    skip_space();
    if (peek('"')) return parse_quoted();
    if (at_end() || !is_identifier_start(text_[pos_])) fail("expected a field name");
    return parse_identifier();
  }

  // A quoted field name is a JSON string literal, the form the printer writes
  // (types/type.cpp), so every printed type parses back.
  std::string parse_quoted() {
    std::size_t start = pos_++;
    while (!at_end() && text_[pos_] != '"') pos_ += (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ? 2 : 1;
    if (at_end()) fail_at(start, "unterminated quoted field name");
    ++pos_;
    boost::system::error_code error;
    boost::json::value name = boost::json::parse(text_.substr(start, pos_ - start), error);
    if (error || !name.is_string()) {
      fail_at(start, "a quoted field name is a JSON string: valid UTF-8, escapes such as \\\" and \\n (" +
                         error.message() + ")");
    }
    return std::string(name.get_string());
  }

  std::string parse_identifier() {
    std::size_t start = pos_;
    while (!at_end() && (is_identifier_start(text_[pos_]) || (text_[pos_] >= '0' && text_[pos_] <= '9'))) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  void expect(char c, const std::string& context) {
    skip_space();
    if (accept(c)) return;
    std::string found = at_end() ? "the end" : "\"" + std::string(1, text_[pos_]) + "\"";
    fail("expected \"" + std::string(1, c) + "\"" + (context.empty() ? "" : " " + context) + ", found " + found);
  }

  bool accept(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }

  bool peek(char c) const { return !at_end() && text_[pos_] == c; }
  bool at_end() const { return pos_ >= text_.size(); }

  void skip_space() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
  }

  static bool is_identifier_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

  [[noreturn]] void fail(const std::string& message) const { fail_at(pos_, message); }
  [[noreturn]] void fail_at(std::size_t pos, const std::string& message) const {
    throw TypeError(message, static_cast<int>(pos) + 1);
  }

  std::string_view text_;
  const TypeResolver& resolve_;
  std::size_t pos_ = 0;
};

Type parse_json_object(const boost::json::object& object, const TypeResolver& resolve);
Type parse_json_list(const boost::json::array& array, const TypeResolver& resolve);
std::vector<Field> parse_json_fields(const boost::json::object& object, const TypeResolver& resolve);

}  // namespace

Type parse_type(std::string_view text, const TypeResolver& resolve) { return TypeParser(text, resolve).parse_whole(); }

Type parse_type_json(const boost::json::value& json, const TypeResolver& resolve) {
  if (json.is_string()) {
    const boost::json::string& text = json.get_string();
    return parse_type(std::string_view(text.data(), text.size()), resolve);
  }
  if (json.is_object()) return parse_json_object(json.get_object(), resolve);
  if (json.is_array()) return parse_json_list(json.get_array(), resolve);
  throw TypeError("a type must be a string such as \"list[int]\", an object of field -> type or a one-item list [T], not " +
                  boost::json::serialize(json));
}

namespace {

Type parse_json_object(const boost::json::object& object, const TypeResolver& resolve) {
  TypeNesting level;
  if (level.too_deep()) {
    throw TypeError("the type nests more than " + std::to_string(ORK_MAX_TYPE_DEPTH) +
                    " levels of objects and named types (the limit, ORK_MAX_TYPE_DEPTH)");
  }
  const boost::json::value* name = object.if_contains("$name");
  if (name == nullptr) return Type::object(parse_json_fields(object, resolve));
  if (!name->is_string() || name->get_string().empty()) throw TypeError("\"$name\" must be a non-empty string");
  const boost::json::value* fields = object.if_contains("fields");
  if (fields == nullptr || !fields->is_object()) {
    throw TypeError("named type \"" + std::string(name->get_string()) + "\" needs \"fields\": an object of field -> type");
  }
  for (const auto& [key, value] : object) {
    if (key != "$name" && key != "fields") {
      throw TypeError("named type \"" + std::string(name->get_string()) + "\" has an unknown key \"" +
                      std::string(key) + "\" (expected \"$name\" and \"fields\")");
    }
  }
  return Type::object(parse_json_fields(fields->get_object(), resolve), std::string(name->get_string()));
}

// A one-item list `[T]` (a YAML sequence such as `numbers: [int]`) is list[T],
// the upstream ork's spelling.
Type parse_json_list(const boost::json::array& array, const TypeResolver& resolve) {
  TypeNesting level;
  if (level.too_deep()) {
    throw TypeError("the type nests more than " + std::to_string(ORK_MAX_TYPE_DEPTH) +
                    " levels of lists, objects and named types (the limit, ORK_MAX_TYPE_DEPTH)");
  }
  if (array.size() != 1) {
    throw TypeError("a list type written as a sequence has exactly one item type, e.g. [int]; this one has " +
                    std::to_string(array.size()) + " (for a fixed tuple write \"tuple[A, B]\")");
  }
  try {
    return Type::list(parse_type_json(array.front(), resolve));
  } catch (const TypeError& e) {
    throw TypeError("list item type: " + e.describe());
  }
}

std::vector<Field> parse_json_fields(const boost::json::object& object, const TypeResolver& resolve) {
  std::vector<Field> fields;
  for (const auto& [key, value] : object) {
    Field field;
    field.name = std::string(key);
    if (!field.name.empty() && field.name.back() == '?') {
      field.name.pop_back();
      field.optional = true;
    }
    // `"a??"` could only mean a field named `a?`, which the type syntax cannot
    // tell from an optional `a`: refused in both, so every type prints back.
    if (!field.name.empty() && field.name.back() == '?') {
      throw TypeError("field \"" + std::string(key) + "\": a field name cannot end with \"?\" (one \"?\" at the end marks an optional field)");
    }
    // Only an anonymous object gets here with a "$name" key, as "$name?".
    if (field.name == "$name") throw TypeError("\"$name\" cannot be a field name (it names an object type)");
    for (const Field& other : fields) {
      if (other.name == field.name) throw TypeError("duplicate field \"" + field.name + "\"");
    }
    try {
      field.type = parse_type_json(value, resolve);
    } catch (const TypeError& e) {
      throw TypeError("field \"" + field.name + "\": " + e.describe());
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

}  // namespace

}  // namespace ork::host
