#include "cpp_language.hpp"

#include "task_build.hpp"

#include <dlfcn.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <ork_executor/build_files.hpp>

#include <fstream>
#include <iterator>
#include <sstream>

namespace ork::plugins::cpp {
namespace {

// A scratch directory removed when the call ends, whatever happens.
class ScratchDir {
 public:
  explicit ScratchDir(const std::filesystem::path& parent) {
    executor::sweep_abandoned_scratch(parent);
    std::string pattern = (parent / ".tmp-read-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a scratch directory in " + parent.string());
    }
    path_ = pattern;
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

boost::json::object task_config(std::string_view config_json);
boost::json::object tool_json(const char* name, const std::optional<Tool>& tool, const char* package);
std::string read_text(const std::filesystem::path& path);

}  // namespace

std::string CppLanguage::describe() {
  const Toolchain& tools = toolchain(std::nullopt);
  boost::json::object out = tool_json("g++", tools.compiler, "g++");
  out["found"] = tools.compiler.has_value() && tools.clang.has_value();
  if (!out["found"].as_bool()) out["install"] = "apt-get install g++ clang-14";
  out["signatures"] = tool_json("clang++-14", tools.clang, "clang-14");
  boost::json::array includes;
  for (const std::string& dir : tools.include_dirs) includes.emplace_back(dir);
  out["include_dirs"] = std::move(includes);
  return boost::json::serialize(out);
}

void CppLanguage::introspect(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink) {
  std::optional<std::filesystem::path> dir = ensure_built(task, sink);
  if (dir) sink.signature(read_text(*dir / signature_name));
}

std::optional<std::string> CppLanguage::prepare(const ork::plugin::LanguageTask& task,
                                                const ork::plugin::CheckSink& sink) {
  std::optional<std::filesystem::path> dir = ensure_built(task, sink);
  if (!dir) return std::nullopt;
  boost::json::object config;
  config["file"] = (*dir / library_name).string();
  config["function"] = task_symbol(std::string(task.function));
  boost::json::object keys = task_config(task.config_json);
  if (const boost::json::value* isolate = keys.if_contains("isolate")) config["isolate"] = *isolate;
  return boost::json::serialize(boost::json::object{{"config", std::move(config)}});
}

std::optional<std::filesystem::path> CppLanguage::ensure_built(const ork::plugin::LanguageTask& task,
                                                               const ork::plugin::CheckSink& sink) {
  boost::json::object keys = task_config(task.config_json);
  if (const boost::json::value* isolate = keys.if_contains("isolate"); isolate != nullptr && !isolate->is_bool()) {
    sink.error("isolate", "`isolate` must be true or false, not " + boost::json::serialize(*isolate));
    return std::nullopt;
  }
  std::filesystem::path build_dir(std::string(task.build_dir));
  const Toolchain& tools = toolchain(build_dir);
  if (!tools.compiler || !tools.clang) {
    sink.error("file", !tools.compiler ? missing_compiler_message() : missing_clang_message());
    return std::nullopt;
  }
  TaskSource source{std::filesystem::path(std::string(task.file_path)).lexically_normal(), std::string(task.file),
                    std::filesystem::path(std::string(task.workflow_dir)).lexically_normal(),
                    std::string(task.function)};
  if (!std::filesystem::is_regular_file(source.path)) {
    sink.error("file", source.shown + ": no such file (looked for " + source.path.string() + ")");
    return std::nullopt;
  }
  const std::string id = source.path.string() + '\n' + source.function + '\n' + build_dir.string();
  if (std::optional<std::filesystem::path> known = remembered(id)) return known;
  BuildKey key = build_key(tools, source, plugin_version);
  std::filesystem::path dir = build_dir / key.key;
  if (std::filesystem::exists(dir / signature_name)) {  // unchanged: never rebuilt
    remember(id, key.sources, dir);
    return dir;
  }
  ReadResult read = [&] {
    ScratchDir scratch(build_dir);
    return read_function(tools, source, scratch.path());
  }();
  for (const SourceProblem& problem : read.problems) sink.error(problem.key, problem.message);
  if (!read.function) return std::nullopt;
  BuildResult built = build_task(tools, source, *read.function, build_dir, key.key);
  for (const SourceProblem& problem : built.problems) sink.error(problem.key, problem.message);
  if (built.dir) remember(id, key.sources, *built.dir);
  return built.dir;
}

std::optional<std::filesystem::path> CppLanguage::remembered(const std::string& id) {
  std::lock_guard lock(remembered_mutex_);
  auto found = remembered_.find(id);
  if (found == remembered_.end()) return std::nullopt;
  for (const SourceStamp& source : found->second.sources) {
    std::optional<executor::FileStamp> now = executor::stamp_of(source.path);
    if (!now || now->mtime_ns != source.stamp.mtime_ns || now->size != source.stamp.size) return std::nullopt;
  }
  if (!std::filesystem::exists(found->second.dir / signature_name)) return std::nullopt;  // someone cleaned the cache
  return found->second.dir;
}

void CppLanguage::remember(const std::string& id, const std::vector<std::filesystem::path>& sources,
                           const std::filesystem::path& dir) {
  Remembered entry{{}, dir};
  for (const std::filesystem::path& source : sources) {
    std::optional<executor::FileStamp> stamp = executor::stamp_of(source);
    if (!stamp) return;
    entry.sources.push_back({source, *stamp});
  }
  std::lock_guard lock(remembered_mutex_);
  remembered_[id] = std::move(entry);
}

const Toolchain& CppLanguage::toolchain(const std::optional<std::filesystem::path>& build_dir) {
  std::call_once(found_, [&] {
    std::optional<std::filesystem::path> cache;
    if (build_dir) cache = *build_dir / ".toolchain.json";
    toolchain_ = find_toolchain(task_include_dirs(), cache);
  });
  return toolchain_;
}

std::vector<std::string> task_include_dirs() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<const void*>(&task_include_dirs), &info) != 0 && info.dli_fname != nullptr) {
    // Installed as <prefix>/lib/ork/plugins/ork_language_cpp.so beside <prefix>/include.
    std::filesystem::path prefix = std::filesystem::path(info.dli_fname).parent_path() / ".." / ".." / "..";
    std::filesystem::path include = (prefix / "include").lexically_normal();
    if (std::filesystem::exists(include / "ork" / "task_library.hpp")) return {include.string()};
  }
  std::vector<std::string> dirs;
  std::stringstream source_dirs(ORK_CPP_SOURCE_INCLUDE_DIRS);
  for (std::string dir; std::getline(source_dirs, dir, '|');) dirs.push_back(dir);
  return dirs;
}

namespace {

boost::json::object task_config(std::string_view config_json) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(config_json.empty() ? std::string_view("{}") : config_json, error);
  if (error || !parsed.is_object()) return {};
  return std::move(parsed.get_object());
}

boost::json::object tool_json(const char* name, const std::optional<Tool>& tool, const char* package) {
  boost::json::object out{{"toolchain", name}, {"found", tool.has_value()}};
  if (tool) {
    out["version"] = tool->version;
    out["path"] = tool->path;
  } else {
    out["install"] = std::string("apt-get install ") + package;
  }
  return out;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace
}  // namespace ork::plugins::cpp
