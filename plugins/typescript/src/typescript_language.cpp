// The language half of the typescript plugin: describe, introspect, prepare.
// Both introspect and prepare go through compile(), which answers from the
// build cache when every source file is unchanged and otherwise runs
// ork_ts_compile.js once for the task file (all of its exported functions at
// once, so 50 tasks from one file cost one compile).
#include <boost/json.hpp>
#include <ork_executor/build_files.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "typescript_plugin.hpp"

namespace ork::plugins::typescript {

namespace {

namespace plugin = ork::plugin;

constexpr auto kCompileTimeout = std::chrono::minutes(5);

std::string closest(const std::string& name, const std::vector<std::string>& candidates);
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace

std::string TypeScriptPlugin::describe() {
  const Toolchain& tools = toolchain();
  boost::json::object out{{"toolchain", "node"}, {"found", tools.node.has_value()},
                          {"install", "apt-get install nodejs"}};
  if (tools.node) {
    out["version"] = tools.node_version;
    out["path"] = tools.node->string();
  }
  if (!tools.typescript_version.empty()) out["typescript"] = tools.typescript_version;
  if (!tools.problem.empty()) out["problem"] = tools.problem;
  return boost::json::serialize(out);
}

void TypeScriptPlugin::introspect(const plugin::LanguageTask& task, const plugin::CheckSink& sink) {
  if (auto function = find_function(task, sink)) {
    sink.signature(boost::json::serialize(function->description.at("signature")));
  }
}

// The executor config: what the worker needs to call the function.
std::optional<std::string> TypeScriptPlugin::prepare(const plugin::LanguageTask& task, const plugin::CheckSink& sink) {
  auto function = find_function(task, sink);
  if (!function) return std::nullopt;
  const boost::json::object& described = function->description;
  boost::json::object config{{"module", function->file.module},
                             {"function", task.function},
                             {"parameters", described.at("parameters")},
                             {"optional", described.at("optional")},
                             {"dates", described.at("dates")},
                             {"output_int", described.at("output_int")}};
  return boost::json::serialize(boost::json::object{{"config", std::move(config)}});
}

// The compiled file's entry for task.function, or the problems reported.
std::optional<TypeScriptPlugin::Function> TypeScriptPlugin::find_function(const plugin::LanguageTask& task,
                                                                          const plugin::CheckSink& sink) {
  std::optional<CompiledFile> compiled = compile(task, sink);
  if (!compiled) return std::nullopt;
  std::string name(task.function);
  std::string shown(task.file);
  const auto* entry = compiled->functions.if_contains(name);
  if (entry == nullptr) {
    std::vector<std::string> exported;
    for (const auto& item : compiled->functions) exported.emplace_back(item.key());
    if (std::find(compiled->local.begin(), compiled->local.end(), name) != compiled->local.end()) {
      sink.error("function", "function '" + name + "' in " + shown + " is not exported: write 'export function " +
                                 name + "(...)' so that ork can call it");
      return std::nullopt;
    }
    std::string message = "no exported function '" + name + "' in " + shown;
    if (std::string guess = closest(name, exported); !guess.empty()) message += " (did you mean '" + guess + "'?)";
    message += exported.empty() ? "; it exports no functions" : "; exported functions: ";
    for (std::size_t i = 0; i < exported.size(); ++i) message += (i ? ", " : "") + exported[i];
    sink.error("function", message);
    return std::nullopt;
  }
  const boost::json::object& description = entry->as_object();
  if (const auto* errors = description.if_contains("errors")) {
    for (const auto& error : errors->as_array()) sink.error("file", std::string(error.as_string()));
    return std::nullopt;
  }
  return Function{std::move(*compiled), description};
}

std::optional<CompiledFile> TypeScriptPlugin::compile(const plugin::LanguageTask& task, const plugin::CheckSink& sink) {
  const Toolchain& tools = toolchain();
  if (!tools.problem.empty()) {
    sink.error("file", std::string(task.file) + ": " + tools.problem);
    return std::nullopt;
  }
  if (task.file.empty()) {
    // `executor: node` without `file:` (the host gives such a task to this language too).
    sink.error("file", "a task on the node executor names its TypeScript source and function: {file: tasks/x.ts, "
                       "function: f}; the node executor runs only what the typescript language built");
    return std::nullopt;
  }
  std::filesystem::path file(task.file_path);
  std::filesystem::path build_dir(task.build_dir);
  if (std::error_code ignored; !std::filesystem::is_regular_file(file, ignored)) {
    sink.error("file", std::string(task.file) + ": file not found (looked for " + file.string() + ")");
    return std::nullopt;
  }
  if (auto cached = cache().find(build_dir, file)) return cached;

  executor::sweep_abandoned_scratch(build_dir);  // the .tmp-* a killed compile left
  auto started = std::filesystem::file_time_type::clock::now();
  boost::json::object request{{"file", file.string()},
                              {"display", task.file},
                              {"workflow_dir", task.workflow_dir},
                              {"build_dir", build_dir.string()},
                              {"plugin_version", kPluginVersion},
                              {"toolchain_dir", tools.dir.string()}};
  CommandResult result = run_command(
      {tools.node->string(), tools.compile_script().string(), boost::json::serialize(request)}, kCompileTimeout);
  if (result.timed_out) {
    sink.error("file", std::string(task.file) + ": compiling took longer than 5 minutes and was stopped");
    return std::nullopt;
  }
  boost::system::error_code error;
  boost::json::value reply = boost::json::parse(result.out, error);
  if (error || !reply.is_object() || !reply.as_object().contains("ok")) {
    std::string detail = result.start_error.empty() ? result.err.substr(0, 2000) : result.start_error;
    sink.error("file", std::string(task.file) + ": the TypeScript compile step failed (exit code " +
                           std::to_string(result.exit_code) + "): " + detail);
    return std::nullopt;
  }
  const boost::json::object& answer = reply.as_object();
  if (!answer.at("ok").as_bool()) {
    for (const auto& problem : answer.at("errors").as_array()) {
      const auto& object = problem.as_object();
      sink.error(std::string(object.at("key").as_string()), std::string(object.at("message").as_string()));
    }
    return std::nullopt;
  }
  CompiledFile compiled;
  compiled.hash = std::string(answer.at("hash").as_string());
  compiled.module = std::string(answer.at("module").as_string());
  compiled.functions = answer.at("functions").as_object();
  for (const auto& name : answer.at("local").as_array()) compiled.local.emplace_back(name.as_string());
  bool changed_meanwhile = false;
  for (const auto& dep : answer.at("deps").as_array()) {
    std::filesystem::path path(std::string(dep.as_string()));
    auto stamp = stamp_of(path);
    std::error_code ignored;
    // A file written while it was compiled may hold other text than the build: don't cache it.
    if (!stamp || std::filesystem::last_write_time(path, ignored) >= started) changed_meanwhile = true;
    compiled.sources.push_back({path, stamp.value_or(FileStamp{})});
  }
  if (!changed_meanwhile) cache().store(build_dir, file, compiled);
  return compiled;
}

const Toolchain& TypeScriptPlugin::toolchain() {
  std::call_once(discovered_, [this] {
    toolchain_ = discover_toolchain();
    cache_.emplace(std::string("ork-typescript ") + kPluginVersion + "; typescript " + toolchain_.typescript_version +
                   "; node " + toolchain_.node_version);
  });
  return toolchain_;
}

BuildCache& TypeScriptPlugin::cache() {
  toolchain();
  return *cache_;
}

namespace {

std::string closest(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

}  // namespace ork::plugins::typescript
