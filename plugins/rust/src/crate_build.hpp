// Building a task's wrapper crate with cargo into a content-addressed
// directory, <build dir>/<key>/task.so. The crate is written and built in a
// private temporary directory and renamed into place, so concurrent prepares
// of the same task (threads or processes) never see a half-built library;
// all builds share one CARGO_TARGET_DIR, so serde and the SDK compile once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "toolchain.hpp"
#include "wrapper_crate.hpp"

namespace ork::plugins::rust {

struct BuildRequest {
  std::filesystem::path build_dir;  // the language's build directory
  std::string key;                  // hex hash of everything the build depends on
  WrapperSpec spec;                 // crate_name is filled in here
  std::string shown;                // the task's file as the workflow wrote it
  std::filesystem::path workflow_dir;
};

struct BuildResult {
  std::filesystem::path library;  // set on success
  std::string error;              // else the first error, "FILE:LINE:COL: ..."
};

// The built library of `key`, if it exists.
std::optional<std::filesystem::path> built_library(const std::filesystem::path& build_dir, const std::string& key);

// The cargo target directory every build shares: the user's CARGO_TARGET_DIR
// when set, else <build dir>/target.
std::filesystem::path cargo_target_dir(const std::filesystem::path& build_dir);

// Builds the crate (the caller checked built_library first).
BuildResult build_crate(const Toolchain& toolchain, BuildRequest request);

}  // namespace ork::plugins::rust
