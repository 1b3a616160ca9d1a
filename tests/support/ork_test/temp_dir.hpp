// A fresh directory under the system temp directory for one test, removed
// with its content when the test ends. Shared by the host's tests and the
// plugins' tests (process, python, sqlite, e2e).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ork::test_support {

class TempDir {
 public:
  // The directory is named "<prefix>-XXXXXX".
  explicit TempDir(std::string_view prefix = "ork-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Canonical (no symlinks), so a test can compare it with what `pwd -P` prints.
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // Writes `content` to `relative` (creating parent directories), executable
  // by its owner and group when asked; returns the file's path.
  std::filesystem::path write(const std::filesystem::path& relative, std::string_view content,
                              bool executable = false) const;

 private:
  std::filesystem::path path_;
};

}  // namespace ork::test_support
