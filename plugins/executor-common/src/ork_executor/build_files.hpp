// Files the language plugins keep in their build directories (.ork/build/<language>):
// cache files written whole or not at all, and the `.tmp-*` scratch a build
// works in. A build normally removes its scratch; one whose ork was killed
// (kill -9, a power cut) cannot, so each plugin sweeps the abandoned ones
// before it starts its own. One helper here rather than one per plugin,
// which is how the three language plugins each grew their own.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace ork::plugins::executor {

// Writes `content` to a temporary beside `path` (`<path>.tmp-<pid>-<n>`) and
// renames it over `path`: a concurrent reader sees the old file or the new
// one, never half of one. Creates the parent directory, and sweeps it
// (sweep_abandoned_scratch) the first time. False (and nothing
// left behind) when it cannot: the callers' files are caches, only slower to
// miss.
bool write_file_atomically(const std::filesystem::path& path, std::string_view content);

// The name of a scratch entry in `dir`: `<dir>/.tmp-<label>-<pid>-<n>`,
// unique within the machine while this process lives.
std::filesystem::path scratch_path(const std::filesystem::path& dir, std::string_view label);

// Removes the entries of `dir` named `.tmp-*` or `<file>.tmp-*` (files or
// whole directories) not modified for `age`: what a killed build or write left. A build in progress is far
// younger than a day. Sweeps each directory once per process; never throws.
void sweep_abandoned_scratch(const std::filesystem::path& dir,
                             std::chrono::hours age = std::chrono::hours(24));

}  // namespace ork::plugins::executor
