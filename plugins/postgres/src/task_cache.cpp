// PostgresStore's task cache (plugin API 1.7, `cache:`): one row per cache
// key in `cache_entries` (migration 6), the newest output wins; every worker
// and scheduler on the server shares it.
#include <boost/json.hpp>

#include <string>

#include "ork_storage/json_text.hpp"
#include "ork_storage/write_checks.hpp"
#include "postgres_store.hpp"
#include "store_transaction.hpp"

namespace ork::plugins::postgres {

using namespace storage;

void PostgresStore::cache_put(const Entry& entry) {
  check_cache_entry(entry);
  in_transaction(begin_write, [&](Connection& db, bool) {
    db.exec(
        "INSERT INTO cache_entries (key, workflow, run_id, task, attempt, output_json, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (key) DO UPDATE SET workflow = excluded.workflow, run_id = excluded.run_id, "
        "task = excluded.task, attempt = excluded.attempt, output_json = excluded.output_json, "
        "created_at = excluded.created_at WHERE excluded.created_at >= cache_entries.created_at",
        {entry.key, entry.workflow, entry.run_id, entry.task_name, entry.attempt,
         entry.output_json.empty() ? std::string_view("null") : entry.output_json, entry.created_at});
  });
}

std::string PostgresStore::cache_lookup(std::string_view key, std::int64_t not_before) {
  return in_transaction(begin_read, [&](Connection& db, bool) {
    const Result row = db.exec(
        "SELECT key, workflow, run_id, task, attempt, output_json, created_at FROM cache_entries "
        "WHERE key = $1 AND created_at >= $2",
        {key, not_before});
    if (row.rows() == 0) return std::string("{}");
    boost::json::object answer{{"key", json_text(row.text(0, 0))},
                               {"workflow", json_text(row.text(0, 1))},
                               {"run_id", json_text(row.text(0, 2))},
                               {"task", json_text(row.text(0, 3))},
                               {"attempt", row.integer(0, 4)},
                               {"output", embedded_json(row.text(0, 5))},
                               {"created_at", row.integer(0, 6)}};
    return boost::json::serialize(answer);
  });
}

std::int64_t PostgresStore::cache_clear(std::string_view workflow) {
  return in_transaction(begin_write, [&](Connection& db, bool) {
    return db.exec("DELETE FROM cache_entries WHERE $1::text = '' OR workflow = $1::text", {workflow}).affected();
  });
}

}  // namespace ork::plugins::postgres
