// Drives the built rust language plugin (ork_language_rust.so) through its
// C ABI as the host does: dlopen, describe, init with a fake host, then the
// language table's describe/introspect/prepare with recording sinks.
#pragma once

#include <ork/plugin.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ork::plugins::rust::testing {

struct Answer {
  std::vector<std::pair<std::string, std::string>> errors;  // key, message
  std::optional<std::string> signature;                     // introspect
  std::optional<std::string> prepared;                      // prepare's JSON
};

struct TaskOptions {
  std::string workflow_dir;  // default: the fixtures directory
  std::string file;          // as written, relative to workflow_dir
  std::string function;
  std::string config_json = "{}";
  std::string build_dir;  // default: the shared build cache
};

// A task of the fixtures directory, built in the shared build cache.
TaskOptions fixture(std::string file, std::string function, std::string config_json = "{}");

class RustPlugin {
 public:
  static RustPlugin& get();  // loaded once per test process

  const ork_plugin_descriptor& descriptor() const { return *descriptor_; }
  std::string describe() const;
  Answer introspect(const TaskOptions& task) const;
  Answer prepare(const TaskOptions& task) const;

 private:
  RustPlugin();
  const ork_plugin_descriptor* descriptor_ = nullptr;
  void* state_ = nullptr;
};

std::string fixtures_dir();
std::string shared_build_dir();

}  // namespace ork::plugins::rust::testing
