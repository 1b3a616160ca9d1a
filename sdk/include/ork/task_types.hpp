// The C++ task SDK's conversions and signatures (included through
// ork/task.hpp): JSON <-> C++ values for the supported types, each type's text
// in ork's type syntax, and a task function's signature JSON. The process
// protocol (task_process.hpp) and the library exports (task_library.hpp) are
// built on it.
#pragma once

#include <ork/limits.h>

#include <boost/core/demangle.hpp>
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11.hpp>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ork::sdk {

// An input that does not match the task's parameter type. `what()` names the
// field (a dotted path, with [i] for list items) and the expected type.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

template <typename Fn>
std::string signature_of();

template <typename T>
T from_json(const boost::json::value& json, const std::string& path = {});
template <typename T>
boost::json::value to_json(const T& value);
template <typename T>
boost::json::value type_of();
template <typename T>
std::string type_text();

namespace detail {

template <typename T>
constexpr bool is_described = boost::describe::has_describe_members<T>::value;

template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};

template <typename T>
struct is_vector : std::false_type {};
template <typename T, typename A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <typename T>
struct is_string_map : std::false_type {};
template <typename V, typename C, typename A>
struct is_string_map<std::map<std::string, V, C, A>> : std::true_type {};
template <typename V, typename H, typename E, typename A>
struct is_string_map<std::unordered_map<std::string, V, H, E, A>> : std::true_type {};

template <typename T>
constexpr bool unsupported_type = false;

// The one parameter and the result of a task function, function pointer or
// lambda (a non-generic operator()).
template <typename F>
struct task_traits : task_traits<decltype(&F::operator())> {};
template <typename R, typename P>
struct task_traits<R(P)> {
  using input = std::remove_cvref_t<P>;
  using result = R;
};
template <typename R, typename P>
struct task_traits<R (*)(P)> : task_traits<R(P)> {};
template <typename R, typename P>
struct task_traits<R (*)(P) noexcept> : task_traits<R(P)> {};
template <typename R, typename P>
struct task_traits<R(P) noexcept> : task_traits<R(P)> {};
template <typename C, typename R, typename P>
struct task_traits<R (C::*)(P) const> : task_traits<R(P)> {};
template <typename C, typename R, typename P>
struct task_traits<R (C::*)(P) const noexcept> : task_traits<R(P)> {};
template <typename C, typename R, typename P>
struct task_traits<R (C::*)(P)> : task_traits<R(P)> {};
template <typename C, typename R, typename P>
struct task_traits<R (C::*)(P) noexcept> : task_traits<R(P)> {};

template <typename Fn>
using task_input = typename task_traits<std::remove_cvref_t<Fn>>::input;
template <typename Fn>
using task_result = typename task_traits<std::remove_cvref_t<Fn>>::result;

template <typename Fn>
constexpr void check_task_function() {
  static_assert(is_described<task_input<Fn>>,
                "an ork task function takes exactly one parameter: a struct described with "
                "BOOST_DESCRIBE_STRUCT whose fields are the task's inputs");
}

// Calls `visit(name, member_pointer)` for each described public field of T.
template <typename T, typename Visit>
void for_each_field(Visit&& visit) {
  using Members = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;
  boost::mp11::mp_for_each<Members>([&](auto member) { visit(member.name, member.pointer); });
}

template <typename Member>
struct member_type;
template <typename C, typename M>
struct member_type<M C::*> {
  using type = M;
};
template <typename Pointer>
using member_type_t = typename member_type<Pointer>::type;

inline std::string_view json_kind(const boost::json::value& json) {
  switch (json.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "bool";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "int";
    case boost::json::kind::double_: return "float";
    case boost::json::kind::string: return "string";
    case boost::json::kind::array: return "list";
    case boost::json::kind::object: return "object";
  }
  return "unknown";
}

inline std::string field_label(const std::string& path) {
  return path.empty() ? std::string("input") : "field \"" + path + "\"";
}

[[noreturn]] inline void fail_type(const std::string& path, std::string_view expected,
                                   const boost::json::value& got) {
  throw InputError(field_label(path) + ": expected " + std::string(expected) + ", got " + std::string(json_kind(got)));
}

inline std::string join_path(const std::string& path, std::string_view field) {
  return path.empty() ? std::string(field) : path + "." + std::string(field);
}

template <typename T>
T integer_from_json(const boost::json::value& json, const std::string& path) {
  using limits = std::numeric_limits<T>;
  auto out_of_range = [&](const std::string& shown) -> InputError {
    return InputError(field_label(path) + ": expected int between " + std::to_string(limits::min()) + " and " +
                      std::to_string(limits::max()) + ", got " + shown);
  };
  if (json.is_int64()) {
    std::int64_t v = json.get_int64();
    if (std::cmp_less(v, limits::min()) || std::cmp_greater(v, limits::max())) throw out_of_range(std::to_string(v));
    return static_cast<T>(v);
  }
  if (json.is_uint64()) {
    std::uint64_t v = json.get_uint64();
    if (std::cmp_greater(v, limits::max())) throw out_of_range(std::to_string(v));
    return static_cast<T>(v);
  }
  fail_type(path, "int", json);
}

template <typename T>
T object_from_json(const boost::json::value& json, const std::string& path) {
  const boost::json::object* object = json.if_object();
  if (object == nullptr) fail_type(path, "an object " + type_text<T>(), json);
  T out{};
  for_each_field<T>([&](const char* name, auto pointer) {
    using Field = member_type_t<decltype(pointer)>;
    std::string field_path = join_path(path, name);
    const boost::json::value* value = object->if_contains(name);
    if (value != nullptr) {
      out.*pointer = from_json<Field>(*value, field_path);
    } else if constexpr (!is_optional<Field>::value) {
      throw InputError(field_label(field_path) + ": missing (expected " + type_text<Field>() + ")");
    }
  });
  return out;
}

// Unqualified name of T for a signature's "$name": `T::ork_type_name` when the
// struct defines it, else the demangled name without its namespaces.
template <typename T>
std::string struct_name() {
  if constexpr (requires { T::ork_type_name; }) {
    return std::string(T::ork_type_name);
  } else {
    std::string full = boost::core::demangle(typeid(T).name());
    std::size_t template_start = full.find('<');
    std::size_t scope = full.rfind("::", template_start);
    return scope == std::string::npos ? full : full.substr(scope + 2);
  }
}

template <typename Fn>
boost::json::value call_task(Fn& fn, const boost::json::value& input_json) {
  using Input = task_input<Fn>;
  Input input = from_json<Input>(input_json);
  if constexpr (std::is_void_v<task_result<Fn>>) {
    fn(input);
    return nullptr;
  } else {
    return to_json(fn(input));
  }
}

inline boost::json::value parse_input(std::string_view text) {
  boost::system::error_code error;
  boost::json::parse_options options;
  options.max_depth = ORK_MAX_JSON_DEPTH + 16;  // the inputs object wraps values of up to ORK_MAX_JSON_DEPTH
  boost::json::value json = boost::json::parse(text, error, {}, options);
  if (error) throw InputError("input is not valid JSON (" + error.message() + ")");
  if (!json.is_object()) fail_type({}, "a JSON object", json);
  return json;
}

}  // namespace detail

// The task's signature JSON, derived from the C++ types:
// {"inputs": {field: TYPE}, "output": TYPE, "defaults": [optional fields]}.
template <typename Fn>
std::string signature_of() {
  detail::check_task_function<Fn>();
  using Input = detail::task_input<Fn>;
  using Result = detail::task_result<Fn>;
  boost::json::object inputs;
  boost::json::array defaults;
  detail::for_each_field<Input>([&](const char* name, auto pointer) {
    using Field = detail::member_type_t<decltype(pointer)>;
    inputs[name] = type_of<Field>();
    if constexpr (detail::is_optional<Field>::value) defaults.emplace_back(name);
  });
  boost::json::object signature;
  signature["inputs"] = std::move(inputs);
  if constexpr (std::is_void_v<Result>) {
    signature["output"] = "null";
  } else {
    signature["output"] = type_of<std::remove_cvref_t<Result>>();
  }
  if (!defaults.empty()) signature["defaults"] = std::move(defaults);
  return boost::json::serialize(signature);
}

// Converts JSON to T; throws InputError naming `path` and the expected type.
template <typename T>
T from_json(const boost::json::value& json, const std::string& path) {
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return json;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!json.is_bool()) detail::fail_type(path, "bool", json);
    return json.get_bool();
  } else if constexpr (std::is_integral_v<T>) {
    return detail::integer_from_json<T>(json, path);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!json.is_number()) detail::fail_type(path, "float", json);
    return static_cast<T>(json.to_number<double>());
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!json.is_string()) detail::fail_type(path, "str", json);
    return std::string(json.get_string());
  } else if constexpr (detail::is_optional<T>::value) {
    if (json.is_null()) return std::nullopt;
    return from_json<typename T::value_type>(json, path);
  } else if constexpr (detail::is_vector<T>::value) {
    const boost::json::array* array = json.if_array();
    if (array == nullptr) detail::fail_type(path, type_text<T>(), json);
    T out;
    out.reserve(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
      out.push_back(from_json<typename T::value_type>((*array)[i], path + "[" + std::to_string(i) + "]"));
    }
    return out;
  } else if constexpr (detail::is_string_map<T>::value) {
    const boost::json::object* object = json.if_object();
    if (object == nullptr) detail::fail_type(path, type_text<T>(), json);
    T out;
    for (const auto& [key, value] : *object) {
      out.emplace(std::string(key), from_json<typename T::mapped_type>(value, detail::join_path(path, key)));
    }
    return out;
  } else if constexpr (detail::is_described<T>) {
    return detail::object_from_json<T>(json, path);
  } else {
    static_assert(detail::unsupported_type<T>, "ork task SDK: unsupported type (see the list in ork/task.hpp)");
  }
}

// Converts a supported value to JSON (a described struct becomes an object;
// an empty optional becomes null).
template <typename T>
boost::json::value to_json(const T& value) {
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return value;
  } else if constexpr (std::is_same_v<T, bool>) {
    return boost::json::value(value);
  } else if constexpr (std::is_integral_v<T>) {
    return boost::json::value(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    return boost::json::value(static_cast<double>(value));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return boost::json::value(std::string_view(value));
  } else if constexpr (detail::is_optional<T>::value) {
    if (!value) return nullptr;
    return to_json(*value);
  } else if constexpr (detail::is_vector<T>::value) {
    boost::json::array array;
    array.reserve(value.size());
    for (const auto& item : value) array.push_back(to_json(item));
    return array;
  } else if constexpr (detail::is_string_map<T>::value) {
    boost::json::object object;
    for (const auto& [key, item] : value) object[key] = to_json(item);
    return object;
  } else if constexpr (detail::is_described<T>) {
    boost::json::object object;
    detail::for_each_field<T>([&](const char* name, auto pointer) { object[name] = to_json(value.*pointer); });
    return object;
  } else {
    static_assert(detail::unsupported_type<T>, "ork task SDK: unsupported type (see the list in ork/task.hpp)");
  }
}

// T's type in a signature: a named object {"$name", "fields"} for a described
// struct, else its text in ork's type syntax.
template <typename T>
boost::json::value type_of() {
  if constexpr (detail::is_described<T>) {
    boost::json::object fields;
    detail::for_each_field<T>([&](const char* name, auto pointer) {
      using Field = detail::member_type_t<decltype(pointer)>;
      std::string key = detail::is_optional<Field>::value ? std::string(name) + "?" : std::string(name);
      fields[key] = type_of<Field>();
    });
    return boost::json::object{{"$name", detail::struct_name<T>()}, {"fields", std::move(fields)}};
  } else {
    return boost::json::value(type_text<T>());
  }
}

// T in ork's type syntax: "int", "list[str]", "{id: int, note?: str | None}".
template <typename T>
std::string type_text() {
  if constexpr (std::is_same_v<T, boost::json::value>) {
    return "Any";
  } else if constexpr (std::is_same_v<T, bool>) {
    return "bool";
  } else if constexpr (std::is_integral_v<T>) {
    return "int";
  } else if constexpr (std::is_floating_point_v<T>) {
    return "float";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "str";
  } else if constexpr (detail::is_optional<T>::value) {
    return type_text<typename T::value_type>() + " | None";
  } else if constexpr (detail::is_vector<T>::value) {
    return "list[" + type_text<typename T::value_type>() + "]";
  } else if constexpr (detail::is_string_map<T>::value) {
    return "dict[str, " + type_text<typename T::mapped_type>() + "]";
  } else if constexpr (detail::is_described<T>) {
    std::string text = "{";
    detail::for_each_field<T>([&](const char* name, auto pointer) {
      using Field = detail::member_type_t<decltype(pointer)>;
      if (text.size() > 1) text += ", ";
      text += name;
      if constexpr (detail::is_optional<Field>::value) text += "?";
      text += ": " + type_text<Field>();
    });
    return text + "}";
  } else {
    static_assert(detail::unsupported_type<T>, "ork task SDK: unsupported type (see the list in ork/task.hpp)");
  }
}

}  // namespace ork::sdk
