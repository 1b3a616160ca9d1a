// Where the rust plugin's tools are: cargo and rustc (the user's toolchain:
// rustup's in ~/.cargo/bin or Debian's `cargo`/`rustc` packages), the
// ork-rust-introspect helper installed beside the plugins, and the Rust SDK's
// source the generated wrapper crates depend on.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace ork::plugins::rust {

// What the user is told to install when there is no toolchain.
inline constexpr const char* kInstallHint = "apt-get install cargo rustc";

struct Toolchain {
  std::filesystem::path cargo;
  std::filesystem::path rustc;
  std::string version;       // "1.95.0"
  std::string version_line;  // `rustc --version`, part of every build's cache key
};

// Finds cargo and rustc: $ORK_CARGO / $ORK_RUSTC when set, else on `path`
// (a PATH value), else in `home`/.cargo/bin. nullopt when either is missing
// or rustc does not answer --version.
std::optional<Toolchain> find_toolchain(const std::string& path, const std::string& home);

// The message of a missing toolchain, naming the Debian packages.
std::string missing_toolchain_message();

// The helper: $ORK_RUST_INTROSPECT, else <plugin dir>/../ork-rust-introspect.
std::filesystem::path introspect_helper();

// The Rust SDK crate (sdk/rust/ork-sdk): $ORK_RUST_SDK, else
// <prefix>/share/ork/rust/ork-sdk when installed, else the source tree's.
std::filesystem::path sdk_crate();

}  // namespace ork::plugins::rust
