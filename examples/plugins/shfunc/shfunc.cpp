// ork_language_shfunc: a tiny language plugin for shell functions, written
// against the installed <ork/plugin.hpp> only. A task
//     greet: {file: tasks/greet.sh, function: greet, inputs: {name: ork}}
// names a bash function whose signature is the comment header above it:
//     # ork: greet(name: str, times: int = 1) -> str
//     greet() { ork_output "\"hello $(ork_input name)\""; }
// introspect reads that header (an untyped parameter or a missing header is
// refused at its FILE:LINE:COL); prepare builds nothing and answers the
// process executor's `command`, a bash that sources the file, defines the
// helpers ork_input NAME (an input, JSON unless a string) and ork_output JSON
// (the task's result), and calls the function.
#include <ork/plugin.hpp>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace plugin = ork::plugin;

// What the task's command runs: $1 the file, $2 the function.
constexpr const char* kRunner =
    "ork_input() { python3 -c 'import json, os, sys; v = json.loads(os.environ[\"ORK_INPUT_JSON\"]).get(sys.argv[1]); "
    "print(v if isinstance(v, str) else json.dumps(v))' \"$1\"; }\n"
    "ork_output() { printf 'ORK_OUTPUT:%s\\n' \"$1\"; }\n"
    "source \"$1\" && \"$2\"\n";

struct Header {
  int line = 0;
  std::string params;  // between the parentheses
  std::string output;
};

std::vector<std::string> split_params(const std::string& text);
std::string trim(const std::string& text);

}  // namespace

class ShellFunctions final : public plugin::Language {
 public:
  static constexpr const char* extensions[] = {".sh", nullptr};
  static constexpr const char* task_keys[] = {nullptr};
  static constexpr const char* executors[] = {"process", nullptr};

  std::string describe() override {
    bool found = std::filesystem::exists("/bin/bash");
    boost::json::object toolchain{{"toolchain", "bash"}, {"found", found}};
    if (found) {
      toolchain["path"] = "/bin/bash";
      toolchain["version"] = "";
    } else {
      toolchain["install"] = "apt-get install bash";
    }
    return boost::json::serialize(toolchain);
  }

  void introspect(const plugin::LanguageTask& task, const plugin::CheckSink& sink) override {
    const std::string file(task.file), function(task.function);
    std::ifstream in{std::string(task.file_path)};
    if (!in) {
      sink.error("file", "file " + file + " not found (relative to the workflow's directory)");
      return;
    }
    std::optional<Header> header;
    bool defined = false;
    const std::regex header_line(R"(^#\s*ork:\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*->\s*(.+?)\s*$)");
    const std::regex definition("^\\s*(function\\s+)?" + function + "\\s*\\(\\)");
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      std::smatch m;
      if (std::regex_match(line, m, header_line) && m[1] == function) header = Header{number, m[2], m[3]};
      if (std::regex_search(line, definition)) defined = true;
    }
    if (!defined) {
      sink.error("function", "no function '" + function + "' in " + file);
      return;
    }
    if (!header) {
      sink.error("file", file + ":1:1: function '" + function + "' has no header; write `# ork: " + function +
                             "(name: TYPE, ...) -> TYPE` above it");
      return;
    }
    boost::json::object inputs;
    boost::json::array defaults;
    for (const std::string& param : split_params(header->params)) {
      auto colon = param.find(':');
      if (colon == std::string::npos) {
        sink.error("file", file + ":" + std::to_string(header->line) + ":1: parameter '" + trim(param) +
                               "' has no type; write " + trim(param) + ": TYPE");
        return;
      }
      std::string name = trim(param.substr(0, colon)), type = param.substr(colon + 1);
      if (auto equals = type.find('='); equals != std::string::npos) {
        type = type.substr(0, equals);
        defaults.emplace_back(name);
      }
      inputs[name] = trim(type);
    }
    sink.signature(boost::json::serialize(
        boost::json::object{{"inputs", inputs}, {"output", header->output}, {"defaults", defaults}}));
  }

  // Nothing to build: the process executor runs bash on the source.
  std::optional<std::string> prepare(const plugin::LanguageTask& task, const plugin::CheckSink&) override {
    boost::json::array command{"bash", "-c", kRunner, "ork-shfunc", std::string(task.file_path),
                               std::string(task.function)};
    boost::json::object config{{"command", std::move(command)}};
    return boost::json::serialize(boost::json::object{{"config", std::move(config)}});
  }
};

namespace {

// "a: int, b: dict[str, int] = 1" -> ["a: int", " b: dict[str, int] = 1"]
std::vector<std::string> split_params(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty()) out.push_back(current);
  return out;
}

std::string trim(const std::string& text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

ORK_LANGUAGE_PLUGIN(ShellFunctions, "shfunc", "1.0.0", "Shell functions typed by a `# ork:` header, run by bash")
