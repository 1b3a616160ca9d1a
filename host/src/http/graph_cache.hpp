// The run graphs the API draws (GET /api/runs/{id}), cached per workflow
// version: versions never change, and rebuilding a graph means reading and
// walking the version's stored spec. Handed out as shared pointers so that a
// request still holding one is unaffected when another thread clears the
// cache (it once returned a reference into the map, freed under the reader).
// Used by serve/api_routes.cpp; thread-safe.
#pragma once

#include "http/http_limits.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace ork::host {

class GraphCache {
 public:
  using Graph = std::shared_ptr<const boost::json::array>;

  explicit GraphCache(std::size_t capacity = http_limits::graph_cache_versions) : capacity_(capacity) {}

  // The graph of `version_id`, built by `load` (outside the lock) when it is
  // not cached. When the cache is full it is emptied first.
  Graph get(std::int64_t version_id, const std::function<boost::json::array()>& load);

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::map<std::int64_t, Graph> graphs_;
};

}  // namespace ork::host
