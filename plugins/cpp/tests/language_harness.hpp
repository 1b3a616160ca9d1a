// Drives the built C++ language plugin (ork_language_cpp.so) through its C
// ABI as the host does: dlopen, describe, init with a fake host, and
// describe/introspect/prepare with recording sinks. Each LanguagePlugin is a
// fresh `init` (a fresh state), so a test can change PATH before making one.
#pragma once

#include <ork/plugin.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ork::plugins::cpp::testing {

struct LanguageResult {
  std::vector<std::pair<std::string, std::string>> errors;  // key, message
  std::optional<std::string> signature;
  std::optional<std::string> prepared;  // prepare's JSON
};

// One task as a workflow would name it.
struct TaskFixture {
  std::filesystem::path workflow_dir;
  std::string file;      // relative to workflow_dir
  std::string function;
  std::string config_json = "{}";
  std::filesystem::path build_dir;
};

class LanguagePlugin {
 public:
  LanguagePlugin();
  ~LanguagePlugin();
  LanguagePlugin(const LanguagePlugin&) = delete;
  LanguagePlugin& operator=(const LanguagePlugin&) = delete;

  const ork_plugin_descriptor& descriptor() const { return *descriptor_; }
  std::string describe() const;
  LanguageResult introspect(const TaskFixture& task) const;
  LanguageResult prepare(const TaskFixture& task) const;

 private:
  const ork_plugin_descriptor* descriptor_ = nullptr;
  void* state_ = nullptr;
};

// Copies tests/tasks/<name> into `dir`.
void copy_task(const std::string& name, const std::filesystem::path& dir);
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace ork::plugins::cpp::testing
