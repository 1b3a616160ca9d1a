#include "types/type.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cassert>
#include <unordered_set>

namespace ork::host {

struct Type::Node {
  TypeKind kind = TypeKind::any;
  std::vector<Type> items;    // list/variadic tuple: [item]; dict: [key, value]; tuple/union: members
  std::vector<Field> fields;  // object
  std::string name;           // named object type
  bool variadic = false;
  int depth = 0;         // set by Type::make
  std::size_t size = 1;  // nodes of the tree written out, named types expanded; set by Type::make
};

namespace {

std::string print(const Type& type, bool structural);
bool is_identifier(std::string_view text);
Type infer(const boost::json::value& json, int depth);

}  // namespace

Type::Type() : node_(primitive(TypeKind::any)) {}
Type::Type(std::shared_ptr<const Node> node) : node_(std::move(node)) {}

Type Type::any() { return Type(); }
Type Type::null() { return Type(primitive(TypeKind::null)); }
Type Type::boolean() { return Type(primitive(TypeKind::boolean)); }
Type Type::integer() { return Type(primitive(TypeKind::integer)); }
Type Type::number() { return Type(primitive(TypeKind::number)); }
Type Type::string() { return Type(primitive(TypeKind::string)); }
Type Type::date() { return Type(primitive(TypeKind::date)); }
Type Type::datetime() { return Type(primitive(TypeKind::datetime)); }
Type Type::datetime_notz() { return Type(primitive(TypeKind::datetime_notz)); }
Type Type::datetime_tz() { return Type(primitive(TypeKind::datetime_tz)); }
Type Type::datetime_utc() { return Type(primitive(TypeKind::datetime_utc)); }

Type Type::list(Type item) {
  return make(Node{TypeKind::list, {std::move(item)}, {}, {}, false});
}

Type Type::dict(Type key, Type value) {
  return make(Node{TypeKind::dict, {std::move(key), std::move(value)}, {}, {}, false});
}

Type Type::tuple(std::vector<Type> items) {
  return make(Node{TypeKind::tuple, std::move(items), {}, {}, false});
}

Type Type::variadic_tuple(Type item) {
  return make(Node{TypeKind::tuple, {std::move(item)}, {}, {}, true});
}

Type Type::union_of(std::vector<Type> members) {
  std::vector<Type> flat;
  auto add = [&flat](const Type& member) {
    if (std::find(flat.begin(), flat.end(), member) == flat.end()) flat.push_back(member);
  };
  for (const Type& member : members) {
    if (member.is_any()) return Type::any();
    if (member.kind() == TypeKind::union_) {
      for (const Type& inner : member.items()) add(inner);
    } else {
      add(member);
    }
  }
  assert(!flat.empty() && "a union needs at least one member");
  if (flat.size() == 1) return flat.front();
  return make(Node{TypeKind::union_, std::move(flat), {}, {}, false});
}

Type Type::optional(Type type) { return union_of({std::move(type), null()}); }

Type Type::object(std::vector<Field> fields, std::string name) {
  return make(Node{TypeKind::object, {}, std::move(fields), std::move(name), false});
}

Type Type::make(Node node) {
  int depth = 0;
  std::size_t size = 1;
  for (const Type& item : node.items) {
    depth = std::max(depth, item.depth());
    size += item.node_->size;
  }
  for (const Field& field : node.fields) {
    depth = std::max(depth, field.type.depth());
    size += field.type.node_->size;
  }
  if (node.kind != TypeKind::union_) ++depth;  // a union only lists alternatives
  if (depth > ORK_MAX_TYPE_DEPTH) {
    throw TypeError("the type nests more than " + std::to_string(ORK_MAX_TYPE_DEPTH) +
                    " levels of lists, dicts, tuples and objects (the limit, ORK_MAX_TYPE_DEPTH)");
  }
  // Named types share nodes, so a few short definitions can stand for a tree
  // of exponential size (T2: "list[T1] | tuple[T1, ...]", T3: ... T1 twice):
  // printing or checking it would never end.
  if (size > ORK_MAX_TYPE_NODES) {
    throw TypeError("the type is too large: written out, with its named types expanded, it has more than " +
                    std::to_string(ORK_MAX_TYPE_NODES) + " parts (the limit, ORK_MAX_TYPE_NODES)");
  }
  node.depth = depth;
  node.size = size;
  return Type(std::make_shared<const Node>(std::move(node)));
}

TypeKind Type::kind() const { return node_->kind; }

bool Type::is_optional() const {
  if (kind() != TypeKind::union_) return false;
  return std::any_of(items().begin(), items().end(), [](const Type& t) { return t.kind() == TypeKind::null; });
}

Type Type::without_null() const {
  if (!is_optional()) return *this;
  std::vector<Type> rest;
  for (const Type& member : items()) {
    if (member.kind() != TypeKind::null) rest.push_back(member);
  }
  return union_of(std::move(rest));
}

const Type& Type::item() const { return node_->items.at(0); }
const Type& Type::key() const { return node_->items.at(0); }
const Type& Type::value() const { return node_->items.at(1); }
const std::vector<Type>& Type::items() const { return node_->items; }
bool Type::variadic() const { return node_->variadic; }
const std::vector<Field>& Type::fields() const { return node_->fields; }
const std::string& Type::name() const { return node_->name; }
int Type::depth() const {
  return node_->depth;
}
std::size_t Type::size() const {
  return node_->size;
}

const Field* Type::find_field(std::string_view name) const {
  for (const Field& field : node_->fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

std::string Type::to_string() const { return print(*this, false); }
std::string Type::to_structural_string() const { return print(*this, true); }

boost::json::value Type::to_json() const {
  if (kind() != TypeKind::object) return boost::json::value(to_structural_string());
  boost::json::object fields;
  for (const Field& field : node_->fields) {
    fields[field.optional ? field.name + "?" : field.name] = field.type.to_json();
  }
  if (node_->name.empty()) return fields;
  return boost::json::object{{"$name", node_->name}, {"fields", std::move(fields)}};
}

bool operator==(const Type& a, const Type& b) {
  if (a.node_ == b.node_) return true;
  const Type::Node& x = *a.node_;
  const Type::Node& y = *b.node_;
  if (x.kind != y.kind || x.variadic != y.variadic || x.name != y.name) return false;
  if (x.items != y.items || x.fields.size() != y.fields.size()) return false;
  for (std::size_t i = 0; i < x.fields.size(); ++i) {
    const Field& f = x.fields[i];
    const Field& g = y.fields[i];
    if (f.name != g.name || f.optional != g.optional || !(f.type == g.type)) return false;
  }
  return true;
}

Type infer_type(const boost::json::value& json) {
  return infer(json, 0);
}

namespace {

thread_local int type_nesting = 0;

}  // namespace

TypeNesting::TypeNesting() {
  ++type_nesting;
}
TypeNesting::~TypeNesting() {
  --type_nesting;
}
bool TypeNesting::too_deep() const {
  return type_nesting > ORK_MAX_TYPE_DEPTH;
}

std::string TypeError::describe() const {
  if (column_ <= 0) return what();
  return "column " + std::to_string(column_) + ": " + what();
}

const std::shared_ptr<const Type::Node>& Type::primitive(TypeKind kind) {
  // One shared node per primitive: primitives are the most common leaves.
  static const std::vector<std::shared_ptr<const Type::Node>> nodes = [] {
    std::vector<std::shared_ptr<const Type::Node>> all;
    for (int k = 0; k <= static_cast<int>(TypeKind::datetime_utc); ++k) {
      all.push_back(std::make_shared<const Type::Node>(Type::Node{static_cast<TypeKind>(k), {}, {}, {}, false}));
    }
    return all;
  }();
  return nodes.at(static_cast<std::size_t>(kind));
}

namespace {

// `depth` containers enclose `json`. A constant too deep or too large to be
// typed in detail gets a coarser type (Any, list[Any], dict[str, Any]) rather
// than an error: the constant itself is valid, only its type is summarized.
Type infer(const boost::json::value& json, int depth) {
  if ((json.is_array() || json.is_object()) && depth >= ORK_MAX_TYPE_DEPTH) return Type::any();
  switch (json.kind()) {
    case boost::json::kind::null:
      return Type::null();
    case boost::json::kind::bool_:
      return Type::boolean();
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return Type::integer();
    case boost::json::kind::double_:
      return Type::number();
    case boost::json::kind::string:
      return Type::string();
    case boost::json::kind::array: {
      // Items are deduplicated by their printed type: comparing each new one
      // with every distinct one seen would be quadratic in a long list.
      std::vector<Type> members;
      std::unordered_set<std::string> seen;
      std::size_t size = 0;
      for (const boost::json::value& item : json.get_array()) {
        Type type = infer(item, depth + 1);
        if (!seen.insert(type.to_structural_string()).second) continue;
        size += type.size();
        if (size > ORK_MAX_TYPE_NODES) return Type::list(Type::any());
        members.push_back(std::move(type));
      }
      if (members.empty()) return Type::list(Type::any());
      try {
        return Type::list(Type::union_of(std::move(members)));
      } catch (const TypeError&) {
        return Type::list(Type::any());
      }
    }
    case boost::json::kind::object: {
      std::vector<Field> fields;
      for (const auto& [key, value] : json.get_object()) {
        fields.push_back(Field{std::string(key), infer(value, depth + 1), false});
      }
      try {
        return Type::object(std::move(fields));
      } catch (const TypeError&) {
        return Type::dict(Type::string(), Type::any());
      }
    }
  }
  return Type::any();
}

std::string print_field_name(const std::string& name);

std::string print(const Type& type, bool structural) {
  switch (type.kind()) {
    case TypeKind::any: return "Any";
    case TypeKind::null: return "null";
    case TypeKind::boolean: return "bool";
    case TypeKind::integer: return "int";
    case TypeKind::number: return "float";
    case TypeKind::string: return "str";
    case TypeKind::date: return "date";
    case TypeKind::datetime: return "datetime";
    case TypeKind::datetime_notz: return "datetime_notz";
    case TypeKind::datetime_tz: return "datetime_tz";
    case TypeKind::datetime_utc: return "datetime_utc";
    case TypeKind::list: return "list[" + print(type.item(), structural) + "]";
    case TypeKind::dict: return "dict[" + print(type.key(), structural) + ", " + print(type.value(), structural) + "]";
    case TypeKind::tuple: {
      if (type.variadic()) return "tuple[" + print(type.item(), structural) + ", ...]";
      if (type.items().empty()) return "tuple[()]";
      std::string out = "tuple[";
      for (std::size_t i = 0; i < type.items().size(); ++i) {
        if (i > 0) out += ", ";
        out += print(type.items()[i], structural);
      }
      return out + "]";
    }
    case TypeKind::union_: {
      // Python spells the null member `None`; users read `int | None`.
      std::string out;
      for (const Type& member : type.items()) {
        if (!out.empty()) out += " | ";
        out += member.kind() == TypeKind::null ? "None" : print(member, structural);
      }
      return out;
    }
    case TypeKind::object: {
      if (!structural && !type.name().empty()) return type.name();
      std::string out = "{";
      for (const Field& field : type.fields()) {
        if (out.size() > 1) out += ", ";
        out += print_field_name(field.name) + (field.optional ? "?: " : ": ") + print(field.type, structural);
      }
      return out + "}";
    }
  }
  return "Any";
}

std::string print_field_name(const std::string& name) {
  if (is_identifier(name)) return name;
  return boost::json::serialize(boost::json::value(name));
}

bool is_identifier(std::string_view text) {
  if (text.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!alpha(text.front())) return false;
  return std::all_of(text.begin(), text.end(), [&](char c) { return alpha(c) || digit(c); });
}

}  // namespace

}  // namespace ork::host
