// The sqlite store's task cache (plugin API 1.7, `cache:`): one row per
// cache key in `cache_entries` (migration 5), the newest output wins.
#include "sqlite_store.hpp"

#include <boost/json.hpp>

#include <stdexcept>
#include <string>

#include "ork_storage/json_text.hpp"
#include "ork_storage/write_checks.hpp"

namespace ork::plugins::sqlite {

using namespace storage;

void SqliteStore::cache_put(const Entry& entry) {
  check_cache_entry(entry);
  std::lock_guard lock(write_mutex_);
  writer_.write_transaction([&] {
    CachedStatement upsert = writer_.statement(
        "INSERT INTO cache_entries (key, workflow, run_id, task, attempt, output_json, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (key) DO UPDATE SET workflow = excluded.workflow, run_id = excluded.run_id, "
        "task = excluded.task, attempt = excluded.attempt, output_json = excluded.output_json, "
        "created_at = excluded.created_at WHERE excluded.created_at >= cache_entries.created_at");
    upsert->bind_all(entry.key, entry.workflow, entry.run_id, entry.task_name, entry.attempt,
                     entry.output_json.empty() ? std::string_view("null") : entry.output_json, entry.created_at);
    upsert->run();
  });
}

std::string SqliteStore::cache_lookup(std::string_view key, std::int64_t not_before) {
  std::lock_guard lock(read_mutex_);
  return reader_.read_transaction([&] {
    CachedStatement select = reader_.statement(
        "SELECT key, workflow, run_id, task, attempt, output_json, created_at FROM cache_entries "
        "WHERE key = ?1 AND created_at >= ?2");
    select->bind_all(key, not_before);
    if (!select->step()) return std::string("{}");
    boost::json::object answer{{"key", json_text(select->text(0))},
                               {"workflow", json_text(select->text(1))},
                               {"run_id", json_text(select->text(2))},
                               {"task", json_text(select->text(3))},
                               {"attempt", select->integer(4)},
                               {"output", embedded_json(select->text(5))},
                               {"created_at", select->integer(6)}};
    return boost::json::serialize(answer);
  });
}

std::int64_t SqliteStore::cache_clear(std::string_view workflow) {
  std::lock_guard lock(write_mutex_);
  return writer_.write_transaction([&] {
    CachedStatement remove =
        writer_.statement("DELETE FROM cache_entries WHERE ?1 = '' OR workflow = ?1");
    remove->bind_all(workflow);
    remove->run();
    return writer_.changes();
  });
}

}  // namespace ork::plugins::sqlite
