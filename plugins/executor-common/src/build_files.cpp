#include "ork_executor/build_files.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <system_error>

namespace ork::plugins::executor {
namespace {

// "<pid>-<n>": unique within the machine while this process lives.
std::string unique_suffix() {
  static std::atomic<unsigned long> made{0};
  return std::to_string(::getpid()) + "-" + std::to_string(++made);
}

}  // namespace

bool write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  sweep_abandoned_scratch(path.parent_path());
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + unique_suffix();
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) {
      out.close();
      std::filesystem::remove(temporary, error);
      return false;
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (!error) return true;
  std::filesystem::remove(temporary, error);
  return false;
}

std::filesystem::path scratch_path(const std::filesystem::path& dir, std::string_view label) {
  std::string name = ".tmp-";
  if (!label.empty()) name.append(label).append("-");
  return dir / (name + unique_suffix());
}

void sweep_abandoned_scratch(const std::filesystem::path& dir, std::chrono::hours age) {
  static std::mutex mutex;
  static std::set<std::filesystem::path> swept;
  {
    std::lock_guard lock(mutex);
    if (!swept.insert(dir).second) return;
  }
  std::error_code error;
  const auto cutoff = std::filesystem::file_time_type::clock::now() - age;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (it->path().filename().string().find(".tmp-") == std::string::npos) continue;
    std::error_code entry_error;
    auto modified = std::filesystem::last_write_time(it->path(), entry_error);
    if (entry_error || modified > cutoff) continue;
    std::filesystem::remove_all(it->path(), entry_error);
  }
}

}  // namespace ork::plugins::executor
