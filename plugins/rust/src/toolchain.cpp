#include "toolchain.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "command.hpp"

namespace ork::plugins::rust {
namespace {

std::optional<std::filesystem::path> find_program(const char* override_variable, const std::string& name,
                                                  const std::string& path, const std::string& home);
std::filesystem::path plugin_directory();

}  // namespace

std::optional<Toolchain> find_toolchain(const std::string& path, const std::string& home) {
  std::optional<std::filesystem::path> cargo = find_program("ORK_CARGO", "cargo", path, home);
  std::optional<std::filesystem::path> rustc = find_program("ORK_RUSTC", "rustc", path, home);
  if (!cargo || !rustc) return std::nullopt;
  CommandResult answer;
  try {
    answer = run_command({rustc->string(), {rustc->string(), "--version"}, environment_with({}), std::nullopt});
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (answer.exit_code != 0) return std::nullopt;
  std::string line = answer.out.substr(0, answer.out.find('\n'));
  std::istringstream words(line);
  std::string program;
  std::string version;
  words >> program >> version;  // "rustc 1.95.0 (hash date)"
  if (program != "rustc" || version.empty()) return std::nullopt;
  return Toolchain{*cargo, *rustc, version, line};
}

std::string missing_toolchain_message() {
  return std::string("the rust toolchain was not found: cargo and rustc are needed to build Rust tasks (looked on "
                     "PATH and in ~/.cargo/bin); install Debian's packages with `") +
         kInstallHint + "` (or rustup), or set ORK_CARGO and ORK_RUSTC to their paths";
}

std::filesystem::path introspect_helper() {
  if (const char* overridden = std::getenv("ORK_RUST_INTROSPECT"); overridden != nullptr && *overridden != '\0') {
    return overridden;
  }
  // Plugins live in <prefix>/lib/ork/plugins/, helpers in <prefix>/lib/ork/.
  return plugin_directory().parent_path() / "ork-rust-introspect";
}

std::filesystem::path sdk_crate() {
  if (const char* overridden = std::getenv("ORK_RUST_SDK"); overridden != nullptr && *overridden != '\0') {
    return overridden;
  }
  std::filesystem::path installed =
      plugin_directory().parent_path().parent_path().parent_path() / "share" / "ork" / "rust" / "ork-sdk";
  std::error_code error;
  if (std::filesystem::is_regular_file(installed / "Cargo.toml", error)) return installed;
  return ORK_RUST_SDK_SOURCE;
}

namespace {

std::optional<std::filesystem::path> find_program(const char* override_variable, const std::string& name,
                                                  const std::string& path, const std::string& home) {
  std::error_code error;
  if (const char* overridden = std::getenv(override_variable); overridden != nullptr && *overridden != '\0') {
    std::filesystem::path program(overridden);
    if (std::filesystem::is_regular_file(program, error)) return program;
    return std::nullopt;
  }
  std::istringstream directories(path);
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    if (directory.empty()) continue;
    std::filesystem::path candidate = std::filesystem::path(directory) / name;
    if (std::filesystem::is_regular_file(candidate, error) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  if (!home.empty()) {
    std::filesystem::path candidate = std::filesystem::path(home) / ".cargo" / "bin" / name;
    if (std::filesystem::is_regular_file(candidate, error) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::filesystem::path plugin_directory() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&plugin_directory), &info) == 0 || info.dli_fname == nullptr) {
    return std::filesystem::current_path();
  }
  return std::filesystem::absolute(info.dli_fname).parent_path();
}

}  // namespace
}  // namespace ork::plugins::rust
