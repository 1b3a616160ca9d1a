// Helpers of the Store adapter (store.cpp, store_queue.cpp): ork_str views
// of host strings, a json sink that collects a plugin's answer, and typed
// reads of the fields of that answer that tolerate a missing or mistyped
// field (a plugin's answer is data, not a contract the host can assume).
#pragma once

#include <ork/limits.h>
#include <ork/plugin.h>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ork::host::store_answers {

// A store's answer wraps outputs (at most ORK_MAX_JSON_DEPTH deep) in a few
// levels of its own: {"tasks": [{"attempts": [{"output": ...}]}]}.
inline constexpr int answer_max_depth = ORK_MAX_JSON_DEPTH + 16;

inline ork_str str(std::string_view s) {
  return ork_str{s.data(), s.size()};
}

inline void write_string(void* ctx, ork_str s) {
  static_cast<std::string*>(ctx)->assign(s.ptr, s.len);
}

inline std::optional<std::string> opt_string(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

inline std::string string_or_empty(const boost::json::object& o, std::string_view key) {
  return opt_string(o, key).value_or("");
}

inline std::int64_t int_or_zero(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  return 0;
}

inline boost::json::value value_or_null(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? *v : boost::json::value(nullptr);
}

}  // namespace ork::host::store_answers
