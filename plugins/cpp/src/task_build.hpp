// Builds a C++ task function into a task library (ork/task.h's C ABI) that
// the library executor runs. Each build lives in <build_dir>/<key>/, where
// the key hashes the task's file, the local headers it #includes (""), the
// function, the plugin's version, both compilers' versions, the flags and the
// C++ task SDK's headers: an unchanged task is found there and never rebuilt.
// A build happens in a temporary directory renamed into place, so concurrent
// builds of one key never see each other's half-written files.
//
// The generated wrapper (see generate_wrapper) is where C++ types become ork
// types: the compiler resolves every alias and namespace, a static_assert per
// parameter refuses unsupported types (mapped back to the parameter's place
// in the source), and the signature comes from the task SDK's own type_of, so
// it is exactly what the SDK accepts at run time.
#pragma once

#include "function_reader.hpp"
#include "toolchain.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ork::plugins::cpp {

inline constexpr const char* library_name = "task.so";
inline constexpr const char* signature_name = "signature.json";

struct BuildKey {
  std::string key;                          // names the task's build directory
  std::vector<std::filesystem::path> sources;  // the files hashed into it: the task's file and its local headers
};

// The hash naming the task's build directory.
BuildKey build_key(const Toolchain& toolchain, const TaskSource& source, std::string_view plugin_version);

// The exported symbol of a task function: ork_task_<name>, alphanumerics kept.
std::string task_symbol(const std::string& function);

struct BuildResult {
  std::optional<std::filesystem::path> dir;  // <build_dir>/<key>, complete
  std::vector<SourceProblem> problems;
};

// Builds `function` of `source` into <build_dir>/<key>/ (task.so and
// signature.json), unless another build finished it first.
BuildResult build_task(const Toolchain& toolchain, const TaskSource& source, const FunctionInfo& function,
                       const std::filesystem::path& build_dir, const std::string& key);

// The wrapper's text (exposed for the tests).
std::string generate_wrapper(const TaskSource& source, const FunctionInfo& function);

}  // namespace ork::plugins::cpp
