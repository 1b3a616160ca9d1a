#include "loader/signature_cache.hpp"

#include "workflow/content_hash.hpp"

#include <boost/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <sstream>

namespace ork::host {

namespace {

std::optional<std::string> read_file(const std::filesystem::path& path);
std::optional<std::string> file_hash(const std::string& path);
std::optional<boost::json::object> parse_object(const std::string& text);

}  // namespace

std::string SignatureCache::key_of(std::string_view language, std::string_view toolchain,
                                   const LanguageTaskRequest& request) {
  // Not the task's or the workflow's name: tasks that call the same function
  // the same way share one entry (error messages name the task, but errors
  // are never kept).
  boost::json::array env;
  for (const std::string& entry : request.env) env.emplace_back(entry);
  boost::json::object key{{"language", language},      {"toolchain", toolchain},
                          {"workflow_dir", request.workflow_dir}, {"file", request.file_path},
                          {"function", request.function},         {"config", request.config_json},
                          {"executor", request.executor},         {"workdir", request.workdir},
                          {"env", std::move(env)}};
  return boost::json::serialize(key);
}

std::optional<TaskCheckResult> SignatureCache::find(const std::string& key) {
  if (std::optional<TaskCheckResult> checked = find_checked(key)) return checked;
  std::optional<std::string> text = read_file(entry_path(key));
  std::optional<boost::json::object> entry = text ? parse_object(*text) : std::nullopt;
  if (!entry) return std::nullopt;
  try {
    // The key itself is never written (it holds the task's env: values,
    // which may be secrets); an entry that names another key's hash is a
    // foreign or misplaced file: never trust it.
    if (entry->at("key_sha256").as_string() != sha256_hex(key)) return std::nullopt;
    std::vector<std::string> files;
    for (const boost::json::value& item : entry->at("hashes").as_array()) {
      const boost::json::array& pair = item.as_array();
      files.emplace_back(pair.at(0).as_string());
      if (file_hash(files.back()) != std::string(pair.at(1).as_string())) return std::nullopt;
    }
    TaskCheckResult result;
    result.signature_json = std::string(entry->at("signature").as_string());
    if (const boost::json::value* code = entry->if_contains("code"); code && code->is_object()) {
      CodeIdentity identity;
      for (const boost::json::value& file : code->as_object().at("files").as_array()) {
        identity.files.emplace_back(file.as_string());
      }
      identity.why_not = std::string(code->as_object().at("why_not").as_string());
      result.code = std::move(identity);
    }
    remember(key, result, files);
    return result;
  } catch (const std::exception&) {  // a corrupt or foreign entry: ask the language again
    return std::nullopt;
  }
}

void SignatureCache::add(const std::string& key, const TaskCheckResult& result, const std::string& task_file) {
  if (!result.errors.empty() || !result.signature_json) return;
  std::vector<std::string> files;
  if (!task_file.empty()) files.push_back(task_file);
  if (result.code) {
    for (const std::string& file : result.code->files) {
      if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
    }
  }
  // Nothing to hash means nothing tells an edited task from this one.
  if (files.empty()) return;
  boost::json::array hashes;
  for (const std::string& file : files) {
    std::optional<std::string> hash = file_hash(file);
    if (!hash) return;
    hashes.push_back(boost::json::array{boost::json::value(file), boost::json::value(*hash)});
  }
  boost::json::object entry{{"key_sha256", sha256_hex(key)}, {"signature", *result.signature_json}, {"hashes", std::move(hashes)}};
  if (result.code) {
    boost::json::array code_files;
    for (const std::string& file : result.code->files) code_files.emplace_back(file);
    entry["code"] = boost::json::object{{"files", std::move(code_files)}, {"why_not", result.code->why_not}};
  }
  remember(key, result, files);
  std::lock_guard lock(mutex_);
  pending_[key] = boost::json::serialize(entry);
}

void SignatureCache::write_pending() {
  std::map<std::string, std::string> entries;
  {
    std::lock_guard lock(mutex_);
    entries.swap(pending_);
  }
  if (entries.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec) return;  // a read-only build root: compile as before, keep nothing
  static std::atomic<unsigned> sequence{0};
  for (const auto& [key, text] : entries) {
    std::filesystem::path target = entry_path(key);
    // Another ork may write the same entry at the same time: each writes its
    // own temporary file and the rename makes one of them whole.
    std::filesystem::path temporary = target;
    temporary += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(sequence++);
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out.flush()) {
        std::filesystem::remove(temporary, ec);
        continue;
      }
    }
    std::filesystem::rename(temporary, target, ec);
    if (ec) std::filesystem::remove(temporary, ec);
  }
}

std::optional<TaskCheckResult> SignatureCache::find_checked(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = checked_.find(key);
  if (it == checked_.end()) return std::nullopt;
  for (const auto& [path, stamp] : it->second.stamps) {
    if (stamp_of(path) != stamp) {
      checked_.erase(it);
      return std::nullopt;
    }
  }
  return it->second.result;
}

// The stamps are taken after hashing: a file edited in between is hashed
// again next time (its stamp differs), never trusted with an old hash.
void SignatureCache::remember(const std::string& key, const TaskCheckResult& result,
                              const std::vector<std::string>& files) {
  Checked checked{result, {}};
  for (const std::string& file : files) {
    std::optional<Stamp> stamp = stamp_of(file);
    if (!stamp) return;
    checked.stamps.emplace_back(file, *stamp);
  }
  std::lock_guard lock(mutex_);
  checked_[key] = std::move(checked);
}

std::optional<SignatureCache::Stamp> SignatureCache::stamp_of(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  return Stamp{static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec,
               static_cast<std::int64_t>(status.st_size), static_cast<std::uint64_t>(status.st_ino)};
}

std::filesystem::path SignatureCache::entry_path(const std::string& key) const {
  return directory_ / (sha256_hex(key) + ".json");
}

namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::optional<std::string> file_hash(const std::string& path) {
  std::optional<std::string> contents = read_file(path);
  if (!contents) return std::nullopt;
  return sha256_hex(*contents);
}

std::optional<boost::json::object> parse_object(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

}  // namespace

}  // namespace ork::host
