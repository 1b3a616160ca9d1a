#include "workflow/cache_code.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "workflow/content_hash.hpp"

namespace ork::host {

namespace {

std::string shown_path(const std::filesystem::path& file, const std::filesystem::path& dir);
std::optional<std::string> read_file(const std::filesystem::path& path, std::string& error);

}  // namespace

std::optional<CodeHash> hash_code_files(const std::vector<std::string>& files, const std::filesystem::path& dir,
                                        std::string& error) {
  std::vector<std::pair<std::string, std::filesystem::path>> sorted;
  for (const std::string& file : files) sorted.emplace_back(shown_path(file, dir), file);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  CodeHash code;
  std::string digest_input;
  for (const auto& [shown, path] : sorted) {
    std::optional<std::string> contents = read_file(path, error);
    if (!contents) return std::nullopt;
    // One line per file: its name and the hash of its contents; a renamed
    // helper module is a different program even with the same bytes.
    digest_input += shown + '\0' + sha256_hex(*contents) + '\n';
    code.files.push_back(shown);
  }
  code.hash = sha256_hex(digest_input);
  return code;
}

namespace {

std::string shown_path(const std::filesystem::path& file, const std::filesystem::path& dir) {
  std::filesystem::path normal = file.lexically_normal();
  std::filesystem::path relative = normal.lexically_relative(dir.lexically_normal());
  if (relative.empty() || *relative.begin() == "..") return normal.string();
  return relative.string();
}

std::optional<std::string> read_file(const std::filesystem::path& path, std::string& error) {
  const std::string what = "cannot read " + path.string() + ", a file of the task's code: ";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    error = what + (ec ? ec.message() : std::string("it is not a regular file"));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = what + std::error_code(errno, std::generic_category()).message();
    return std::nullopt;
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    error = what + "the read failed";
    return std::nullopt;
  }
  return contents.str();
}

}  // namespace

}  // namespace ork::host
