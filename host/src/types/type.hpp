// ork's type language (docs/types.md): the value type `Type`, its parsers (from
// the type syntax `dict[str, list[int | None]]` and from the JSON encoding
// executor plugins report), and its printers. Every executor's signature is
// expressed in it, so the workflow compiler can check each DAG edge without
// knowing which language a task is written in. Assignability and path lookups
// live in types/assignability.hpp; signatures in types/signature.hpp.
#pragma once

#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ork/limits.h"

namespace ork::host {

enum class TypeKind {
  any,
  null,
  boolean,
  integer,
  number,  // `float`
  string,
  date,
  datetime,       // a datetime that may or may not carry a time zone (Python's `datetime`)
  datetime_notz,  // naive: no time zone or offset (`2024-01-15T10:00:00`)
  datetime_tz,    // aware: a `Z` or `±HH:MM` offset
  datetime_utc,   // aware and in UTC: a `Z` suffix
  list,
  dict,
  tuple,   // fixed `tuple[A, B]` or variadic `tuple[T, ...]`
  union_,  // `A | B`; `T | None` is a union with a null member
  object,  // `{field: T, opt?: T}`, optionally carrying a display name (`Order`)
};

struct Field;

// An immutable type tree; copies share their nodes, so passing by value is cheap.
// A default-constructed Type is `Any`.
class Type {
 public:
  Type();

  static Type any();
  static Type null();
  static Type boolean();
  static Type integer();
  static Type number();
  static Type string();
  static Type date();
  static Type datetime();
  static Type datetime_notz();
  static Type datetime_tz();
  static Type datetime_utc();
  static Type list(Type item);
  static Type dict(Type key, Type value);
  static Type tuple(std::vector<Type> items);
  static Type variadic_tuple(Type item);
  // Flattens nested unions and drops duplicates; one member left is that
  // member, and a union with `Any` in it is `Any`.
  static Type union_of(std::vector<Type> members);
  static Type optional(Type type);
  // `name` empty = an anonymous object type; otherwise a named type (`Order`).
  static Type object(std::vector<Field> fields, std::string name = {});

  TypeKind kind() const;
  bool is_any() const { return kind() == TypeKind::any; }
  // A union with a null member (`T | None`).
  bool is_optional() const;
  // The type without its null member (`T | None` -> `T`); other types unchanged.
  Type without_null() const;

  const Type& item() const;                // list, variadic tuple
  const Type& key() const;                 // dict
  const Type& value() const;               // dict
  const std::vector<Type>& items() const;  // fixed tuple elements, union members
  bool variadic() const;                   // tuple[T, ...]
  const std::vector<Field>& fields() const;  // object
  const Field* find_field(std::string_view name) const;
  const std::string& name() const;  // named object type; "" otherwise
  // Levels of lists, dicts, tuples and objects (`list[{id: int}]` is 2; a
  // union adds none); never more than ORK_MAX_TYPE_DEPTH.
  int depth() const;
  // Parts of the type written out, named types expanded (`list[int]` is 2);
  // never more than ORK_MAX_TYPE_NODES.
  std::size_t size() const;

  // The syntax of docs/types.md, with named types shown by name.
  std::string to_string() const;
  // Same, with named object types expanded inline: `{total: int, label: str}`.
  std::string to_structural_string() const;
  // The JSON encoding executor plugins use: object types as JSON objects
  // (named ones as {"$name": N, "fields": {...}}), anything else as a
  // structural type string. Parsing it back gives an equal type, except that
  // names of object types nested inside lists, dicts, tuples or unions are lost.
  boost::json::value to_json() const;

  // Exact equality, names included.
  friend bool operator==(const Type& a, const Type& b);

 private:
  struct Node;
  explicit Type(std::shared_ptr<const Node> node);
  // Every composite type is made here, which refuses (TypeError) one deeper
  // than ORK_MAX_TYPE_DEPTH: all the recursive walks over types (printing,
  // assignability, equality) then stay within a bounded stack.
  static Type make(Node node);
  static const std::shared_ptr<const Node>& primitive(TypeKind kind);
  std::shared_ptr<const Node> node_;
};

struct Field {
  std::string name;
  Type type;
  bool optional = false;  // `name?: T`: may be absent (TypedDict NotRequired, a field with a default)
};

// A malformed type, in a type string (then `column` is the 1-based column in
// that string) or in a JSON type (column 0; the message names the field).
class TypeError : public std::runtime_error {
 public:
  TypeError(std::string message, int column = 0) : std::runtime_error(std::move(message)), column_(column) {}
  int column() const { return column_; }
  // "column 7: expected ..." or just the message when there is no column.
  std::string describe() const;

 private:
  int column_;
};

// One level of nested type parsing on the current thread, held while that
// level is parsed. Type strings, JSON types and named types parse into each
// other (a named type is resolved while parsing the type that names it), so
// their nesting counts together: it is what bounds the parsers' recursion on
// hostile input. A parser refuses the input when `too_deep()`.
class TypeNesting {
 public:
  TypeNesting();
  ~TypeNesting();
  TypeNesting(const TypeNesting&) = delete;
  TypeNesting& operator=(const TypeNesting&) = delete;
  bool too_deep() const;
};

// Looks up a named type (from a workflow's `types:` block); nullopt = unknown.
using TypeResolver = std::function<std::optional<Type>(std::string_view name)>;

// Parses the type syntax. Identifiers that are not built in are looked up with
// `resolve`. Throws TypeError with the column of the problem.
Type parse_type(std::string_view text, const TypeResolver& resolve = {});

// Parses a JSON type: a string in the type syntax, or an object of
// field -> type (`"name?"` marks an optional field), or a named object
// {"$name": "Order", "fields": {...}}. Throws TypeError.
Type parse_type_json(const boost::json::value& json, const TypeResolver& resolve = {});

// The type of a JSON constant: int, float, str, bool, null, list[...] (the
// union of its items' types; list[Any] when empty) or an object type. Parts
// nested deeper than ORK_MAX_TYPE_DEPTH are Any; a list or object whose type
// would have more than ORK_MAX_TYPE_NODES parts is list[Any] / dict[str, Any].
Type infer_type(const boost::json::value& json);

}  // namespace ork::host
