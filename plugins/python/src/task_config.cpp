#include "task_config.hpp"

#include <boost/json.hpp>

#include <system_error>

namespace ork::plugins::python {

namespace {

std::optional<std::string> string_key(const boost::json::object& config, std::string_view key, std::string_view what,
                                      std::vector<ConfigProblem>& problems);
bool is_identifier(std::string_view text);
bool is_module_name(std::string_view text);
void resolve_file(TaskTarget& target, const std::filesystem::path& workflow_dir, std::vector<ConfigProblem>& problems);

}  // namespace

ParsedTaskConfig parse_task_config(std::string_view config_json, const std::filesystem::path& workflow_dir) {
  ParsedTaskConfig parsed;
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(config_json.empty() ? "{}" : config_json, error);
  if (error || !value.is_object()) {
    parsed.problems.push_back({"", "the host passed a task config that is not a JSON object: " + error.message()});
    return parsed;
  }
  const boost::json::object& config = value.as_object();
  auto& problems = parsed.problems;
  auto file = string_key(config, "file", "a path to a .py file, relative to the workflow file", problems);
  auto module = string_key(config, "module", "a dotted module name importable from the workflow's directory", problems);
  auto function = string_key(config, "function", "the name of a function in the task's file or module", problems);
  parsed.config.python = string_key(config, "python", "a path to a virtual environment or a Python interpreter", problems);
  if (file && module) {
    problems.push_back({"module", "a python task takes either `file:` or `module:`, not both"});
  } else if (!file && !module && problems.empty()) {
    problems.push_back({"", "a python task needs `file: path/to/tasks.py` (relative to the workflow file) or "
                            "`module: package.module`"});
  }
  if (module && !is_module_name(*module)) {
    problems.push_back({"module", "'" + *module + "' is not a module name (expected dotted identifiers, e.g. pkg.etl)"});
  }
  if (function && !is_identifier(*function)) {
    problems.push_back({"function", "'" + *function + "' is not a Python function name"});
  }
  if (!problems.empty()) return parsed;
  TaskTarget& target = parsed.config.target;
  if (function) target.function = *function;
  if (module) {
    target.module = *module;
  } else {
    target.file_as_written = *file;
    resolve_file(target, workflow_dir, problems);
  }
  return parsed;
}

namespace {

std::optional<std::string> string_key(const boost::json::object& config, std::string_view key, std::string_view what,
                                      std::vector<ConfigProblem>& problems) {
  const boost::json::value* value = config.if_contains(key);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_string() || value->as_string().empty()) {
    problems.push_back({std::string(key), "`" + std::string(key) + ":` must be a non-empty string: " + std::string(what)});
    return std::nullopt;
  }
  return std::string(value->as_string());
}

bool is_identifier(std::string_view text) {
  if (text.empty()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;  // non-ASCII: leave to Python
    bool digit = c >= '0' && c <= '9';
    if (!(letter || (digit && i > 0))) return false;
  }
  return true;
}

bool is_module_name(std::string_view text) {
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = text.find('.', start);
    if (!is_identifier(text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

void resolve_file(TaskTarget& target, const std::filesystem::path& workflow_dir, std::vector<ConfigProblem>& problems) {
  std::filesystem::path path = (workflow_dir / target.file_as_written).lexically_normal();
  std::error_code error;
  auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    problems.push_back({"file", target.file_as_written + " not found (looked for " + path.string() +
                                    "; `file:` is relative to the workflow file's directory)"});
  } else if (std::filesystem::is_directory(status)) {
    problems.push_back({"file", target.file_as_written + " is a directory; `file:` names a .py file (for a package, "
                                                         "use `module:`)"});
  } else {
    target.file = path;
  }
}

}  // namespace

}  // namespace ork::plugins::python
