// The Store adapter's side of the task cache (plugin API 1.7, `cache:`):
// put, look up and clear entries; the rest of Store is store.cpp.
#include "store/store.hpp"

#include "core/error.hpp"
#include "store/store_answers.hpp"

namespace ork::host {

using namespace store_answers;

bool Store::supports_cache() const {
  const ork_storage_vtable* t = plugin_->storage;
  return t->cache_put && t->cache_lookup && t->cache_clear;
}

void Store::cache_put(const CacheEntry& entry) {
  if (!supports_cache()) return;  // nothing to keep it in: the next run runs the task again
  ork_error err;
  check(plugin_->storage->cache_put(handle_, str(entry.key), str(entry.workflow), str(entry.run_id), str(entry.task),
                                    entry.attempt, str(entry.output_json), entry.created_at, &err),
        err, "storing a task's output in the cache");
}

std::optional<CacheEntry> Store::cache_lookup(std::string_view key, Millis not_before) {
  if (!supports_cache()) return std::nullopt;
  std::string answer;
  ork_json_sink sink{ORK_STRUCT_SIZE(ork_json_sink), &answer, &write_string};
  ork_error err;
  check(plugin_->storage->cache_lookup(handle_, str(key), not_before, &sink, &err), err,
        "looking up a task's output in the cache");
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = answer_max_depth;  // a cached output may be as deep as any output
  boost::json::value v = boost::json::parse(answer, ec, {}, options);
  if (ec || !v.is_object() || v.as_object().empty()) return std::nullopt;
  const boost::json::object& o = v.as_object();
  auto number = [&](const char* name) {
    const boost::json::value* field = o.if_contains(name);
    return field && field->is_int64() ? field->as_int64() : std::int64_t{0};
  };
  CacheEntry entry;
  entry.key = string_or_empty(o, "key");
  entry.workflow = string_or_empty(o, "workflow");
  entry.run_id = string_or_empty(o, "run_id");
  entry.task = string_or_empty(o, "task");
  entry.attempt = static_cast<std::uint32_t>(number("attempt"));
  const boost::json::value* output = o.if_contains("output");
  entry.output_json = output ? boost::json::serialize(*output) : "null";
  entry.created_at = number("created_at");
  return entry;
}

std::int64_t Store::cache_clear(std::string_view workflow) {
  if (!supports_cache()) {
    throw Error(ErrorKind::store, "storage plugin '" + plugin_->name +
                                      "' keeps no task cache (plugin API 1.7): there is nothing to clear");
  }
  std::int64_t removed = 0;
  ork_error err;
  check(plugin_->storage->cache_clear(handle_, str(workflow), &removed, &err), err, "clearing the task cache");
  return removed;
}

}  // namespace ork::host
