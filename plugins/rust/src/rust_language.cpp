#include "rust_language.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "crate_build.hpp"

namespace ork::plugins::rust {
namespace {

void announce_build(const std::string& shown, const std::string& function, const std::filesystem::path& build_dir);
void report(const std::vector<Problem>& problems, const ork::plugin::CheckSink& sink);
std::string environment_value(const char* name);

}  // namespace

std::string RustLanguage::describe() {
  boost::json::object answer{{"toolchain", "rustc"}, {"found", toolchain().has_value()}};
  if (toolchain()) {
    answer["version"] = toolchain()->version;
    answer["path"] = toolchain()->rustc.string();
    answer["cargo"] = toolchain()->cargo.string();
  } else {
    answer["install"] = kInstallHint;
  }
  return boost::json::serialize(answer);
}

void RustLanguage::introspect(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink) {
  if (std::optional<Task> read = read_task(task, sink)) sink.signature(read->introspection.signature_json);
}

std::optional<std::string> RustLanguage::prepare(const ork::plugin::LanguageTask& task,
                                                 const ork::plugin::CheckSink& sink) {
  std::optional<Task> read = read_task(task, sink);
  if (!read) return std::nullopt;
  std::filesystem::path build_dir(task.build_dir);
  std::string function(task.function);
  std::string key = build_key(*read, function);
  std::optional<std::filesystem::path> library = built_library(build_dir, key);
  if (!library) {
    std::lock_guard lock(build_mutex_);
    library = built_library(build_dir, key);  // built while this call waited
    if (!library) {
      WrapperSpec spec{{}, read->source.path.string(), function, read->introspection.params,
                       read->introspection.returns_result, read->introspection.signature_json, sdk_crate().string()};
      announce_build(read->source.shown, function, build_dir);
      auto started = std::chrono::steady_clock::now();
      BuildResult built = build_crate(*read->toolchain, {build_dir, key, std::move(spec), read->source.shown,
                                                         std::filesystem::path(task.workflow_dir)});
      auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      ork::plugin::diagnostic(1, "rust: built " + read->source.shown + " in " + std::to_string(seconds).substr(0, 5) +
                                     " s in " + (build_dir / key.substr(0, 16)).string() +
                                     (built.error.empty() ? "" : " (failed)"));
      if (!built.error.empty()) {
        sink.error("file", built.error);
        return std::nullopt;
      }
      library = built.library;
    }
  }
  boost::json::object config{{"file", library->string()}, {"function", kTaskSymbol}};
  if (read->isolate) config["isolate"] = *read->isolate;
  return boost::json::serialize(boost::json::object{{"config", std::move(config)}});
}

std::optional<RustLanguage::Task> RustLanguage::read_task(const ork::plugin::LanguageTask& task,
                                                          const ork::plugin::CheckSink& sink) {
  Task read;
  boost::system::error_code parse_error;
  boost::json::value config = boost::json::parse(task.config_json.empty() ? "{}" : task.config_json, parse_error);
  if (!parse_error && config.is_object()) {
    if (const boost::json::value* isolate = config.get_object().if_contains("isolate")) {
      if (!isolate->is_bool()) {
        sink.error("isolate", "`isolate` must be true or false, not " + boost::json::serialize(*isolate));
        return std::nullopt;
      }
      read.isolate = isolate->get_bool();
    }
  }
  if (!toolchain()) {
    sink.error("file", missing_toolchain_message());
    return std::nullopt;
  }
  read.toolchain = &*toolchain();
  read.source.path = std::filesystem::path(task.file_path);
  read.source.shown = std::string(task.file);
  if (!read_file(read.source.path, read.source.content)) {
    sink.error("file", read.source.shown + " not found (looked for " + read.source.path.string() + ")");
    return std::nullopt;
  }
  std::filesystem::path cache_dir = std::filesystem::path(task.build_dir) / "signatures";
  read.introspection = introspector_.introspect(read.source, std::string(task.function), cache_dir);
  if (!read.introspection.problems.empty()) {
    report(read.introspection.problems, sink);
    return std::nullopt;
  }
  return read;
}

const std::optional<Toolchain>& RustLanguage::toolchain() {
  std::call_once(toolchain_once_,
                 [this] { toolchain_ = find_toolchain(environment_value("PATH"), environment_value("HOME")); });
  return toolchain_;
}

// Everything the built library depends on: the plugin, the toolchain, the
// SDK, the function and the sources (the task's file and its `mod` files).
std::string RustLanguage::build_key(const Task& task, const std::string& function) {
  std::string material = std::string("ork rust plugin ") + ORK_RUST_PLUGIN_VERSION + '\0' +
                         task.toolchain->version_line + '\0' + sdk_fingerprint() + '\0' + function + '\0' +
                         task.source.content;
  for (const std::filesystem::path& mod : task.introspection.mods) {
    std::string content;
    read_file(mod, content);
    material += '\0' + mod.lexically_relative(task.source.path.parent_path()).string() + '\0' + content;
  }
  return sha256(material);
}

const std::string& RustLanguage::sdk_fingerprint() {
  std::call_once(sdk_once_, [this] {
    std::filesystem::path sdk = sdk_crate();
    std::string material = sdk.string();
    std::string content;
    if (read_file(sdk / "Cargo.toml", content)) material += content;
    std::error_code error;
    std::vector<std::filesystem::path> sources;
    for (const auto& entry : std::filesystem::directory_iterator(sdk / "src", error)) sources.push_back(entry.path());
    std::sort(sources.begin(), sources.end());
    for (const std::filesystem::path& source : sources) {
      if (read_file(source, content)) material += '\0' + source.filename().string() + '\0' + content;
    }
    sdk_fingerprint_ = sha256(material);
  });
  return sdk_fingerprint_;
}

namespace {

// A build that is not cached takes seconds, and the first one in a target
// directory a minute or two (it compiles serde and the SDK too): one line on
// stderr, whatever the verbosity, so that `ork validate` or `ork run` is not
// silent meanwhile. One write, so that concurrent builds' lines do not mix.
void announce_build(const std::string& shown, const std::string& function, const std::filesystem::path& build_dir) {
  std::error_code error;
  const bool first_build = !std::filesystem::exists(cargo_target_dir(build_dir) / "release", error);
  const std::string line = "ork: rust: building " + shown + " (function " + function + ") with cargo" +
                           (first_build ? "; the first build also compiles serde and the SDK (a minute or two)" : "") +
                           "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void report(const std::vector<Problem>& problems, const ork::plugin::CheckSink& sink) {
  for (const Problem& problem : problems) sink.error(problem.key, problem.message);
}

std::string environment_value(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace
}  // namespace ork::plugins::rust
