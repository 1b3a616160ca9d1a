#include "http/graph_cache.hpp"

namespace ork::host {

GraphCache::Graph GraphCache::get(std::int64_t version_id, const std::function<boost::json::array()>& load) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = graphs_.find(version_id); it != graphs_.end()) return it->second;
  }
  auto graph = std::make_shared<const boost::json::array>(load());
  std::lock_guard lock(mutex_);
  if (graphs_.size() >= capacity_) graphs_.clear();
  return graphs_.emplace(version_id, std::move(graph)).first->second;
}

}  // namespace ork::host
