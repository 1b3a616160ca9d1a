// The `cpp` language: a task written as `{file: tasks/rank.cpp, function:
// rank}` is a plain C++ function whose parameters are its inputs. introspect
// reads the function from the source (function_reader.hpp) and builds it
// (task_build.hpp) to learn its signature; prepare answers the library
// executor's keys for that build. Both answer from <build_dir>/<key>/ when the
// task is unchanged, so a second `ork validate` or `ork run` costs a hash of
// the sources and a stat.
#pragma once

#include <ork/plugin.hpp>

#include "function_reader.hpp"
#include "ork_executor/file_stamp.hpp"
#include "toolchain.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ork::plugins::cpp {

inline constexpr const char* plugin_version = "1.0.0";

class CppLanguage final : public ork::plugin::Language {
 public:
  static constexpr const char* extensions[] = {".cpp", ".cc", ".cxx", nullptr};
  static constexpr const char* task_keys[] = {"isolate", nullptr};
  static constexpr const char* executors[] = {"library", nullptr};

  std::string describe() override;
  void introspect(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink) override;
  std::optional<std::string> prepare(const ork::plugin::LanguageTask& task, const ork::plugin::CheckSink& sink) override;

 private:
  // The task's build directory, built now if needed; nullopt after reporting problems.
  std::optional<std::filesystem::path> ensure_built(const ork::plugin::LanguageTask& task,
                                                    const ork::plugin::CheckSink& sink);
  // Found once per plugin state; the first caller with a build directory
  // keeps the tools' versions there (see find_toolchain).
  const Toolchain& toolchain(const std::optional<std::filesystem::path>& build_dir);
  std::optional<std::filesystem::path> remembered(const std::string& id);
  void remember(const std::string& id, const std::vector<std::filesystem::path>& sources,
                const std::filesystem::path& dir);

  std::once_flag found_;
  Toolchain toolchain_;
  // A workflow of 1000 tasks naming one function asks 2000 times: a task
  // whose sources have the same modification times and sizes as when its
  // build was found is answered without hashing them again.
  struct SourceStamp {
    std::filesystem::path path;
    executor::FileStamp stamp;  // its modification time and size are compared
  };
  struct Remembered {
    std::vector<SourceStamp> sources;
    std::filesystem::path dir;
  };
  std::mutex remembered_mutex_;
  std::map<std::string, Remembered> remembered_;
};

// The -I directories of a task: the installed headers beside the plugin when
// there are any, else the source tree's (a build-tree plugin).
std::vector<std::string> task_include_dirs();

}  // namespace ork::plugins::cpp
