#include "ork_executor/file_stamp.hpp"

#include <sys/stat.h>

namespace ork::plugins::executor {

std::optional<FileStamp> stamp_of(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  return FileStamp{static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec,
                   static_cast<std::int64_t>(status.st_size), static_cast<std::uint64_t>(status.st_ino)};
}

}  // namespace ork::plugins::executor
