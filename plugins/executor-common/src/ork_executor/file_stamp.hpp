// A source file's identity at one moment (modification time, size, inode):
// what the python and typescript plugins keep beside a cached signature or
// build, and the C++ plugin beside a remembered build, so that an unchanged
// file is answered without reading it again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace ork::plugins::executor {

struct FileStamp {
  std::int64_t mtime_ns = 0;
  std::int64_t size = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

// nullopt when the file cannot be stat'ed (gone, or unreadable directory).
std::optional<FileStamp> stamp_of(const std::filesystem::path& path);

}  // namespace ork::plugins::executor
