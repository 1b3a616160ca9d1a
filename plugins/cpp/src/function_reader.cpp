#include "function_reader.hpp"

#include <boost/core/demangle.hpp>
#include <boost/json.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

namespace ork::plugins::cpp {
namespace {

// One function declaration found by the dump.
struct Candidate {
  std::string qualified_name;
  std::string mangled;
  bool has_body = false;
  bool is_template = false;
  bool is_variadic = false;
  boost::json::object decl;
};

std::vector<boost::json::value> parse_dump(const std::string& text);
std::optional<Candidate> candidate_of(const boost::json::object& decl, const TaskSource& source);
std::vector<Candidate> matching(const std::vector<Candidate>& found, const std::string& function);
FunctionInfo function_info(const Candidate& chosen, const std::string& source_text, std::vector<SourceProblem>& problems,
                           const TaskSource& source);
std::string qualified_name_of(const boost::json::object& decl);
std::string unqualified(const std::string& name);
const boost::json::object* location_of(const boost::json::object& node);
Position position_at(const std::string& text, std::int64_t offset);
std::string return_type_of(std::string function_type);
std::string read_text(const std::filesystem::path& path);
std::string at(const TaskSource& source, Position where);

}  // namespace

ReadResult read_function(const Toolchain& toolchain, const TaskSource& source,
                         const std::filesystem::path& scratch_dir) {
  std::vector<std::string> argv = {toolchain.clang->path, "-x", "c++", "-std=c++20", "-fsyntax-only",
                                   "-fno-color-diagnostics", "-fno-caret-diagnostics"};
  for (const std::string& dir : toolchain.include_dirs) argv.push_back("-I" + dir);
  for (const char* flag : {"-Xclang", "-ast-dump=json", "-Xclang"}) argv.emplace_back(flag);
  argv.push_back("-ast-dump-filter=" + unqualified(source.function));
  argv.push_back(source.path.string());
  CommandResult dump = run_command(argv, scratch_dir, std::chrono::seconds(300));
  ReadResult result;
  if (dump.exit_code != 0) {
    std::string error = first_error(dump.err, source.path, source.shown);
    if (error.empty()) {
      error = source.shown + ": clang could not read it (" +
              (dump.timed_out ? std::string("timed out") : "exit " + std::to_string(dump.exit_code)) +
              "): " + dump.err.substr(0, 2000);
    }
    result.problems.push_back({"file", error});
    return result;
  }
  std::vector<Candidate> found;
  for (const boost::json::value& decl : parse_dump(dump.out)) {
    if (!decl.is_object()) continue;
    if (std::optional<Candidate> candidate = candidate_of(decl.get_object(), source)) found.push_back(*candidate);
  }
  std::vector<Candidate> chosen = matching(found, source.function);
  std::string source_text = read_text(source.path);
  std::set<std::string> names;
  std::set<std::string> manglings;
  for (const Candidate& c : chosen) {
    names.insert(c.qualified_name);
    if (!c.is_template) manglings.insert(c.mangled);
  }
  if (chosen.empty()) {
    result.problems.push_back({"function", "no function '" + source.function + "' in " + source.shown +
                                               ": ork runs a plain function at namespace scope (not a member "
                                               "function), defined in the task's file or a header of the workflow"});
  } else if (names.size() > 1) {
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
    result.problems.push_back({"function", "function '" + source.function + "' is ambiguous in " + source.shown +
                                               ": " + list + "; write the qualified name as `function:`"});
  } else if (chosen.front().is_template || manglings.size() > 1) {
    bool is_template = chosen.front().is_template;
    const boost::json::object* loc = location_of(chosen.front().decl);
    Position where = position_at(source_text, loc != nullptr ? loc->at("offset").to_number<std::int64_t>() : 0);
    result.problems.push_back(
        {"function", at(source, where) + "function '" + source.function + "' is " +
                         (is_template ? "a template (a parameter declared `auto` makes one): ork needs a concrete "
                                        "type for every parameter to type-check its inputs"
                                      : "overloaded: ork needs exactly one function of that name to read its signature")});
  } else {
    const Candidate* best = &chosen.front();
    for (const Candidate& c : chosen) {
      if (c.has_body) best = &c;
    }
    FunctionInfo info = function_info(*best, source_text, result.problems, source);
    if (result.problems.empty()) result.function = std::move(info);
  }
  return result;
}

std::string first_error(const std::string& output, const std::filesystem::path& path, const std::string& shown) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(": error: ") == std::string::npos && line.find(": fatal error: ") == std::string::npos) continue;
    const std::string full = path.string();
    for (std::size_t at = line.find(full); at != std::string::npos; at = line.find(full, at + shown.size())) {
      line.replace(at, full.size(), shown);
    }
    return line;
  }
  return {};
}

namespace {

// The dump is a sequence of JSON documents, one per declaration that matched.
std::vector<boost::json::value> parse_dump(const std::string& text) {
  std::vector<boost::json::value> values;
  boost::json::parse_options options;
  options.max_depth = 100000;  // template-heavy declarations nest deeply
  boost::json::stream_parser parser({}, options);
  std::size_t at = 0;
  while (at < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[at]))) {
      ++at;
      continue;
    }
    boost::system::error_code error;
    parser.reset();
    std::size_t used = parser.write_some(text.data() + at, text.size() - at, error);
    if (error && !parser.done()) break;
    if (!parser.done()) {
      parser.finish(error);
      if (error) break;
    }
    values.push_back(parser.release());
    at += used;
  }
  return values;
}

std::optional<Candidate> candidate_of(const boost::json::object& decl, const TaskSource& source) {
  const boost::json::string* kind = decl.contains("kind") ? decl.at("kind").if_string() : nullptr;
  if (kind == nullptr || (*kind != "FunctionDecl" && *kind != "FunctionTemplateDecl")) return std::nullopt;
  const boost::json::object* loc = location_of(decl);
  const boost::json::string* file = loc != nullptr && loc->contains("file") ? loc->at("file").if_string() : nullptr;
  if (file == nullptr) return std::nullopt;
  // Only the workflow's own code: never a library function of the same name.
  std::filesystem::path where = std::filesystem::path(std::string(*file)).lexically_normal();
  std::string relative = where.lexically_relative(source.workflow_dir).string();
  if (where != source.path && (relative.empty() || relative.rfind("..", 0) == 0)) return std::nullopt;
  Candidate candidate;
  candidate.is_template = *kind == "FunctionTemplateDecl";
  candidate.decl = decl;
  if (candidate.is_template) {
    candidate.qualified_name = std::string(decl.at("name").as_string());
  } else {
    candidate.qualified_name = qualified_name_of(decl);
    if (const boost::json::value* mangled = decl.if_contains("mangledName")) {
      candidate.mangled = std::string(mangled->as_string());
    }
    if (const boost::json::value* variadic = decl.if_contains("variadic")) candidate.is_variadic = variadic->as_bool();
    if (const boost::json::value* inner = decl.if_contains("inner")) {
      for (const boost::json::value& child : inner->as_array()) {
        if (child.as_object().at("kind") == "CompoundStmt") candidate.has_body = true;
      }
    }
  }
  return candidate;
}

// Those the workflow's `function:` names: an exact qualified name first, else
// the unqualified name in any namespace.
std::vector<Candidate> matching(const std::vector<Candidate>& found, const std::string& function) {
  std::string wanted = function.rfind("::", 0) == 0 ? function.substr(2) : function;
  std::vector<Candidate> exact;
  std::vector<Candidate> by_name;
  for (const Candidate& c : found) {
    if (c.qualified_name == wanted) exact.push_back(c);
    if (unqualified(c.qualified_name) == wanted) by_name.push_back(c);
  }
  if (!exact.empty() || wanted.find("::") != std::string::npos) return exact;
  return by_name;
}

FunctionInfo function_info(const Candidate& chosen, const std::string& source_text, std::vector<SourceProblem>& problems,
                           const TaskSource& source) {
  FunctionInfo info;
  info.qualified_name = chosen.qualified_name;
  const boost::json::object* loc = location_of(chosen.decl);
  info.where = position_at(source_text, loc->at("offset").to_number<std::int64_t>());
  info.written_return = return_type_of(std::string(chosen.decl.at("type").at("qualType").as_string()));
  std::string what = "function '" + source.function + "'";
  if (chosen.is_variadic) {
    problems.push_back({"file", at(source, info.where) + what + " takes C-style variadic arguments (...); ork needs " +
                                    "every input as a named, typed parameter"});
  }
  const boost::json::value* inner = chosen.decl.if_contains("inner");
  if (inner == nullptr) return info;
  for (const boost::json::value& child : inner->as_array()) {
    const boost::json::object& node = child.as_object();
    if (node.at("kind") != "ParmVarDecl") continue;
    Parameter parameter;
    const boost::json::object* where = location_of(node);
    parameter.where = position_at(source_text, where != nullptr ? where->at("offset").to_number<std::int64_t>() : 0);
    parameter.written_type = std::string(node.at("type").at("qualType").as_string());
    parameter.has_default = node.contains("init");
    if (const boost::json::value* name = node.if_contains("name")) parameter.name = std::string(name->as_string());
    if (parameter.name.empty()) {
      problems.push_back({"file", at(source, parameter.where) + what + " parameter " +
                                      std::to_string(info.parameters.size() + 1) +
                                      " has no name; ork binds inputs by parameter name"});
    }
    info.parameters.push_back(std::move(parameter));
  }
  return info;
}

// The callable name from the mangled one ("_ZN2ns4rankE..." is "ns::rank"),
// without ABI tags and unnamed namespaces (the wrapper includes the file, so
// their members are reachable from the enclosing namespace).
std::string qualified_name_of(const boost::json::object& decl) {
  std::string name(decl.at("name").as_string());
  const boost::json::value* mangled = decl.if_contains("mangledName");
  if (mangled == nullptr) return name;
  std::string text = boost::core::demangle(std::string(mangled->as_string()).c_str());
  int depth = 0;
  std::size_t end = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<') ++depth;
    if (text[i] == '>') --depth;
    if (text[i] == '(' && depth == 0 && text.compare(i, 20, "(anonymous namespace)") != 0) {
      end = i;
      break;
    }
    if (text.compare(i, 20, "(anonymous namespace)") == 0) i += 19;
  }
  text = text.substr(0, end);
  for (std::size_t at = text.find("(anonymous namespace)::"); at != std::string::npos;
       at = text.find("(anonymous namespace)::")) {
    text.erase(at, 23);
  }
  for (std::size_t at = text.find("[abi:"); at != std::string::npos; at = text.find("[abi:")) {
    text.erase(at, text.find(']', at) - at + 1);
  }
  return unqualified(text) == name ? text : name;
}

std::string unqualified(const std::string& name) {
  std::size_t scope = name.rfind("::");
  return scope == std::string::npos ? name : name.substr(scope + 2);
}

// A node's own position: where a macro was expanded when it comes from one.
const boost::json::object* location_of(const boost::json::object& node) {
  const boost::json::value* loc = node.if_contains("loc");
  if (loc == nullptr || !loc->is_object()) return nullptr;
  if (const boost::json::value* expansion = loc->as_object().if_contains("expansionLoc")) {
    return expansion->if_object();
  }
  return loc->as_object().contains("offset") ? &loc->as_object() : nullptr;
}

// clang omits a line that equals the previous one, so positions come from
// byte offsets into the file instead.
Position position_at(const std::string& text, std::int64_t offset) {
  Position where{1, 1};
  std::size_t end = std::min<std::size_t>(static_cast<std::size_t>(std::max<std::int64_t>(offset, 0)), text.size());
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++where.line;
      line_start = i + 1;
    }
  }
  where.col = static_cast<int>(end - line_start) + 1;
  return where;
}

// "Ranked (const Items &, long)" -> "Ranked"; "int *(int) noexcept(true)" ->
// "int *"; "auto (int) -> Ranked" -> "Ranked". For messages only.
std::string return_type_of(std::string function_type) {
  for (const char* suffix : {" noexcept(true)", " noexcept(false)", " noexcept"}) {
    std::string_view tail(suffix);
    if (function_type.size() > tail.size() && function_type.ends_with(tail)) {
      function_type.resize(function_type.size() - tail.size());
    }
  }
  if (std::size_t arrow = function_type.rfind(" -> "); function_type.rfind("auto (", 0) == 0 && arrow != std::string::npos) {
    return function_type.substr(arrow + 4);
  }
  // The parameter list is the last parenthesised group: walk back to its '('.
  int depth = 0;
  std::size_t open = std::string::npos;
  for (std::size_t i = function_type.size(); i-- > 0;) {
    if (function_type[i] == ')') ++depth;
    if (function_type[i] == '(' && --depth == 0) {
      open = i;
      break;
    }
  }
  std::string result = function_type.substr(0, open == std::string::npos ? function_type.size() : open);
  while (!result.empty() && result.back() == ' ') result.pop_back();
  return result;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string at(const TaskSource& source, Position where) {
  return source.shown + ":" + std::to_string(where.line) + ":" + std::to_string(where.col) + ": ";
}

}  // namespace
}  // namespace ork::plugins::cpp
