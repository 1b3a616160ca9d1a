#include "build_cache.hpp"

#include <ork_executor/build_files.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

namespace ork::plugins::typescript {

namespace {

boost::json::object to_json(const std::filesystem::path& file, const std::string& toolchain_key,
                            const CompiledFile& compiled);
std::optional<CompiledFile> from_json(const boost::json::value& value, const std::filesystem::path& file,
                                      const std::string& toolchain_key);

}  // namespace

std::optional<CompiledFile> BuildCache::find(const std::filesystem::path& build_dir,
                                             const std::filesystem::path& file) {
  std::string key = memory_key(build_dir, file);
  {
    std::lock_guard lock(mutex_);
    if (auto found = entries_.find(key); found != entries_.end()) {
      if (still_valid(found->second)) return found->second;
      entries_.erase(found);
      return std::nullopt;
    }
  }
  std::ifstream in(index_path(build_dir, file));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text.str(), error);
  if (error) return std::nullopt;
  std::optional<CompiledFile> compiled = from_json(value, file, toolchain_key_);
  // The build directory may have been cleaned while the index stayed.
  if (!compiled || !still_valid(*compiled) || !std::filesystem::exists(compiled->module)) return std::nullopt;
  std::lock_guard lock(mutex_);
  entries_[key] = *compiled;
  return compiled;
}

void BuildCache::store(const std::filesystem::path& build_dir, const std::filesystem::path& file,
                       const CompiledFile& compiled) {
  {
    std::lock_guard lock(mutex_);
    entries_[memory_key(build_dir, file)] = compiled;
  }
  // Only a cache: when it cannot be written, the next compile writes it again.
  executor::write_file_atomically(index_path(build_dir, file),
                                  boost::json::serialize(to_json(file, toolchain_key_, compiled)));
}

std::string BuildCache::memory_key(const std::filesystem::path& build_dir, const std::filesystem::path& file) const {
  return build_dir.string() + '\n' + file.string();
}

std::filesystem::path BuildCache::index_path(const std::filesystem::path& build_dir,
                                             const std::filesystem::path& file) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016zx.json", std::hash<std::string>{}(toolchain_key_ + '\n' + file.string()));
  return build_dir / "index" / name;
}

bool BuildCache::still_valid(const CompiledFile& compiled) {
  for (const SourceStamp& source : compiled.sources) {
    if (stamp_of(source.path) != source.stamp) return false;
  }
  return !compiled.sources.empty();
}

namespace {

boost::json::object to_json(const std::filesystem::path& file, const std::string& toolchain_key,
                            const CompiledFile& compiled) {
  boost::json::array sources;
  for (const SourceStamp& source : compiled.sources) {
    sources.push_back(boost::json::object{{"path", source.path.string()},
                                          {"mtime_ns", source.stamp.mtime_ns},
                                          {"size", source.stamp.size},
                                          {"inode", source.stamp.inode}});
  }
  boost::json::array local;
  for (const auto& name : compiled.local) local.emplace_back(name);
  return boost::json::object{{"file", file.string()},     {"toolchain", toolchain_key},
                             {"hash", compiled.hash},     {"module", compiled.module},
                             {"functions", compiled.functions}, {"local", std::move(local)},
                             {"sources", std::move(sources)}};
}

std::optional<CompiledFile> from_json(const boost::json::value& value, const std::filesystem::path& file,
                                      const std::string& toolchain_key) {
  try {
    const auto& object = value.as_object();
    if (object.at("file").as_string() != file.string() || object.at("toolchain").as_string() != toolchain_key) {
      return std::nullopt;  // another file or toolchain under a colliding index name
    }
    CompiledFile compiled;
    compiled.hash = std::string(object.at("hash").as_string());
    compiled.module = std::string(object.at("module").as_string());
    compiled.functions = object.at("functions").as_object();
    for (const auto& name : object.at("local").as_array()) compiled.local.emplace_back(name.as_string());
    for (const auto& entry : object.at("sources").as_array()) {
      const auto& source = entry.as_object();
      compiled.sources.push_back({std::string(source.at("path").as_string()),
                                  FileStamp{source.at("mtime_ns").to_number<std::int64_t>(),
                                            source.at("size").to_number<std::int64_t>(),
                                            source.at("inode").to_number<std::uint64_t>()}});
    }
    return compiled;
  } catch (const std::exception&) {
    return std::nullopt;  // an index from another version of the plugin: compile again
  }
}

}  // namespace

}  // namespace ork::plugins::typescript
