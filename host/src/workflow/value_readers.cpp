// The value readers of the workflow compiler (workflow_compiler.hpp): a
// text, a count, a duration, an `env:` mapping, a workdir or a type read
// from one YAML entry, each reporting what is wrong with it; and the small
// helpers its messages share (unknown keys, names, short JSON).
#include "workflow/workflow_compiler.hpp"

namespace ork::host::compiling {

std::optional<std::string> WorkflowCompiler::read_text(const MapEntry& entry, const std::string& context) {
  if (entry.value.is_scalar()) return std::string(entry.value.scalar());
  add(entry.value_where, context + "\"" + entry.key + "\" must be a string, not " + describe_node(entry.value));
  return std::nullopt;
}

std::optional<int> WorkflowCompiler::read_count(const MapEntry& entry, const std::string& context) {
  boost::json::value value = entry.value.is_scalar() ? scalar_to_json(entry.value) : boost::json::value();
  if (value.is_int64() && value.get_int64() >= 0 && value.get_int64() <= 1'000'000) {
    return static_cast<int>(value.get_int64());
  }
  add(entry.value_where,
      context + "\"" + entry.key + "\" must be a whole number >= 0, not " + describe_node(entry.value));
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> WorkflowCompiler::read_duration(const MapEntry& entry,
                                                                         const std::string& context) {
  if (entry.value.is_scalar()) {
    if (std::optional<std::chrono::milliseconds> duration = parse_duration(entry.value.scalar())) return duration;
    if (entry.value.scalar().starts_with("-")) {
      add(entry.value_where, context + "\"" + entry.key + "\" cannot be negative (" + std::string(entry.value.scalar()) +
                                 "): write a duration such as 500ms, 30s, 10m, 2h or 1d");
      return std::nullopt;
    }
  }
  add(entry.value_where, context + "\"" + entry.key +
                             "\" must be a duration such as 500ms, 30s, 10m, 2h, 1d or a "
                             "number of seconds, not " +
                             describe_node(entry.value));
  return std::nullopt;
}

void WorkflowCompiler::read_env(const MapEntry& entry, const std::string& context,
                                std::vector<std::pair<std::string, std::string>>& env) {
  if (!entry.value.is_map()) {
    add(entry.value_where, context + "\"env\" must be a mapping of NAME -> value, not " + describe_node(entry.value));
    return;
  }
  for (const MapEntry& variable : map_entries(entry.value, file_, errors_, context + "env: ", "variable")) {
    if (!variable.value.is_scalar()) {
      add(variable.value_where,
          context + "env \"" + variable.key + "\" must be a single value, not " + describe_node(variable.value));
      continue;
    }
    auto same = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == variable.key; });
    if (same != env.end()) {
      same->second = variable.value.scalar();
    } else {
      env.emplace_back(variable.key, variable.value.scalar());
    }
  }
}

std::optional<std::filesystem::path> WorkflowCompiler::read_workdir(const MapEntry& entry, const std::string& context) {
  std::optional<std::string> text = read_text(entry, context);
  if (!text) return std::nullopt;
  if (text->empty()) {
    add(entry.value_where, context + "\"workdir\" is empty; leave it out to run in the workflow's directory");
    return std::nullopt;
  }
  return (workflow_.dir / *text).lexically_normal();
}

std::optional<Type> WorkflowCompiler::read_type(const MapEntry& entry, const std::string& context) {
  if (!entry.value.is_map() && !entry.value.is_sequence() && !is_string_scalar(entry.value)) {
    add(entry.value_where, context + "\"" + entry.key +
                               "\" must be a type such as \"list[int]\" or [int], a named type or a "
                               "mapping of field -> type, not " +
                               describe_node(entry.value));
    return std::nullopt;
  }
  std::optional<boost::json::value> json = values_.to_json(entry.value);
  if (!json) return std::nullopt;
  try {
    return parse_type_json(*json, named_types_.resolver());
  } catch (const TypeError& e) {
    add(entry.value_where, context + entry.key + ": " + e.describe());
    return std::nullopt;
  }
}

std::string WorkflowCompiler::unknown_key(const std::string& context, const std::string& key,
                                          const std::vector<std::string>& allowed, const std::string& noun,
                                          const std::string& qualifier) {
  std::string suggestion = did_you_mean(key, allowed);
  return context + "unknown " + noun + " \"" + key + "\"" + qualifier +
         (suggestion.empty() ? "; expected one of: " + join_names(allowed) : suggestion);
}

bool WorkflowCompiler::is_valid_name(const std::string& name, bool allow_dot) {
  if (name.empty()) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!allow_dot && !(std::isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_')) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return word(c) || c == '-' || (allow_dot && c == '.'); });
}

std::string WorkflowCompiler::short_json(const boost::json::value& value) {
  std::string text = boost::json::serialize(value);
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

}  // namespace ork::host::compiling
