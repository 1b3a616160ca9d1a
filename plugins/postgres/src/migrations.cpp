#include "migrations.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

namespace ork::plugins::postgres {

void migrate(Connection& connection, std::span<const Migration> migrations) {
  const int known = migrations.empty() ? 0 : migrations.back().version;
  const std::string where = "the ork database on " + connection.url().description;
  connection.transaction("BEGIN", [&] {
    connection.exec("SELECT pg_advisory_xact_lock($1::bigint)", {migration_lock_key});
    connection.execute_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    const int version =
        static_cast<int>(connection.exec("SELECT coalesce(max(version), 0) FROM schema_migrations").integer(0, 0));
    if (version > known) {
      throw std::runtime_error(where + " has schema version " + std::to_string(version) +
                               " but this postgres plugin only knows up to " + std::to_string(known) +
                               "; it was written by a newer ork, so upgrade ork");
    }
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    for (const Migration& migration : migrations) {
      if (migration.version <= version) continue;
      try {
        connection.execute_script(migration.sql);
      } catch (const PgError& e) {
        throw std::runtime_error("cannot apply migration " + std::to_string(migration.version) + " (" +
                                 std::string(migration.name) + ") to " + where + ": " + e.what() +
                                 "; the database was left unchanged");
      }
      connection.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                      {migration.version, migration.name, now});
    }
  });
}

// ---- the migrations -----------------------------------------------------------
//
// The same tables and meaning as the sqlite plugin's schema. Times are BIGINT
// milliseconds since the Unix epoch, NULL when not set. Names and ids are
// TEXT COLLATE "C", so ordering and id-prefix ranges compare bytes, as in
// SQLite, whatever the database's locale. Every state change also appends a
// row to `events` in the same transaction.

namespace {

constexpr std::string_view migration_1_initial_schema = R"sql(
CREATE TABLE workflow_versions (
  id           BIGSERIAL PRIMARY KEY,
  name         TEXT COLLATE "C" NOT NULL,
  content_hash TEXT COLLATE "C" NOT NULL,
  file         TEXT   NOT NULL,
  source       TEXT   NOT NULL,
  spec_json    TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  UNIQUE (name, content_hash)
);
CREATE INDEX workflow_versions_by_name ON workflow_versions (name, id);

CREATE TABLE runs (
  id                  TEXT COLLATE "C" PRIMARY KEY,
  workflow_version_id BIGINT REFERENCES workflow_versions (id),
  workflow_name       TEXT COLLATE "C" NOT NULL,
  status              TEXT COLLATE "C" NOT NULL,
  inputs_json         TEXT   NOT NULL,
  idempotency_key     TEXT COLLATE "C",
  triggered_by        TEXT   NOT NULL,
  owner               TEXT COLLATE "C" NOT NULL,
  heartbeat_at        BIGINT,
  created_at          BIGINT NOT NULL,
  started_at          BIGINT,
  finished_at         BIGINT,
  error               TEXT
);
CREATE UNIQUE INDEX runs_by_idempotency_key ON runs (workflow_name, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_by_workflow ON runs (workflow_name, created_at, id);
CREATE INDEX runs_by_status ON runs (status, created_at, id);
CREATE INDEX runs_by_created ON runs (created_at, id);

CREATE TABLE tasks (
  run_id          TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name            TEXT COLLATE "C" NOT NULL,
  position        INTEGER NOT NULL,
  status          TEXT COLLATE "C" NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  output_json     TEXT,
  error           TEXT,
  started_at      BIGINT,
  finished_at     BIGINT,
  next_attempt_at BIGINT,
  PRIMARY KEY (run_id, name)
);

CREATE TABLE attempts (
  run_id      TEXT COLLATE "C" NOT NULL,
  task        TEXT COLLATE "C" NOT NULL,
  attempt     INTEGER NOT NULL,
  status      TEXT COLLATE "C" NOT NULL,
  started_at  BIGINT,
  finished_at BIGINT,
  output_json TEXT,
  error       TEXT,
  PRIMARY KEY (run_id, task, attempt),
  FOREIGN KEY (run_id, task) REFERENCES tasks (run_id, name) ON DELETE CASCADE
);

CREATE TABLE logs (
  id      BIGSERIAL PRIMARY KEY,
  run_id  TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task    TEXT COLLATE "C" NOT NULL,
  attempt INTEGER  NOT NULL,
  stream  SMALLINT NOT NULL,
  at      BIGINT   NOT NULL,
  line    BYTEA    NOT NULL
);
CREATE INDEX logs_by_task ON logs (run_id, task, id);
CREATE INDEX logs_by_run ON logs (run_id, id);

-- One row per append_logs call that committed: a batch retried after its
-- COMMIT's outcome was lost with the connection is recognised, not repeated.
CREATE TABLE log_batches (
  id TEXT COLLATE "C" PRIMARY KEY,
  at BIGINT NOT NULL
);

CREATE TABLE events (
  seq    BIGSERIAL PRIMARY KEY,
  run_id TEXT COLLATE "C" NOT NULL,
  task   TEXT COLLATE "C",
  kind   TEXT COLLATE "C" NOT NULL CHECK (kind IN ('run', 'task', 'log')),
  status TEXT COLLATE "C",
  at     BIGINT NOT NULL
);
)sql";

// Plugin API 1.1: run leases and cancel requests, workflow settings.
constexpr std::string_view migration_2_run_ownership = R"sql(
ALTER TABLE runs ADD COLUMN lease_expires_at BIGINT;
ALTER TABLE runs ADD COLUMN cancel_requested_at BIGINT;
CREATE INDEX runs_running_by_owner ON runs (owner) WHERE status = 'running';
CREATE INDEX runs_running_by_lease ON runs (lease_expires_at) WHERE status = 'running';

CREATE TABLE workflow_settings (
  workflow   TEXT COLLATE "C" NOT NULL,
  key        TEXT COLLATE "C" NOT NULL,
  value_json TEXT NOT NULL,
  PRIMARY KEY (workflow, key)
);
)sql";

// Plugin API 1.3: the queue of task attempts shared by `ork worker`s, as in
// the sqlite plugin (numbered 4 like there; sqlite's migration 3 changed
// nothing PostgreSQL has). UNIQUE (run_id, task, attempt): an enqueue retried
// after its COMMIT's outcome was lost finds the first row instead of a second.
constexpr std::string_view migration_4_attempt_queue = R"sql(
CREATE TABLE queue (
  id                  BIGSERIAL PRIMARY KEY,
  run_id              TEXT COLLATE "C" NOT NULL,
  task                TEXT COLLATE "C" NOT NULL,
  attempt             INTEGER NOT NULL,
  executor            TEXT COLLATE "C" NOT NULL,
  payload_json        TEXT    NOT NULL,
  status              TEXT COLLATE "C" NOT NULL CHECK (status IN ('queued', 'claimed', 'done')),
  worker              TEXT COLLATE "C",
  lease_expires_at    BIGINT,
  cancel_requested_at BIGINT,
  outcome             TEXT COLLATE "C" CHECK (outcome IN ('succeeded', 'failed', 'timed_out', 'cancelled')),
  output_json         TEXT,
  error               TEXT,
  enqueued_at         BIGINT NOT NULL,
  claimed_at          BIGINT,
  finished_at         BIGINT,
  UNIQUE (run_id, task, attempt)
);
CREATE INDEX queue_by_status ON queue (status, id);
CREATE INDEX queue_claimed_by_worker ON queue (worker) WHERE status = 'claimed';

CREATE TABLE workers (
  name             TEXT COLLATE "C" PRIMARY KEY,
  info_json        TEXT   NOT NULL,
  last_heartbeat   BIGINT NOT NULL,
  lease_expires_at BIGINT NOT NULL
);
)sql";

// A claim's own token: a claim retried after its COMMIT's outcome was lost
// finds the row that very call claimed. (Worker, claimed_at) did not tell it
// from a claim another slot of the same worker made in the same millisecond,
// so such a retry ran that slot's attempt a second time.
constexpr std::string_view migration_5_claim_tokens = R"sql(
ALTER TABLE queue ADD COLUMN claim_token TEXT COLLATE "C";
)sql";

// Plugin API 1.7: the task cache (`cache:`), as in the sqlite plugin (its
// migration 5 there). One row per cache key: the newest successful output.
constexpr std::string_view migration_6_task_cache = R"sql(
CREATE TABLE cache_entries (
  key         TEXT COLLATE "C" PRIMARY KEY,
  workflow    TEXT COLLATE "C" NOT NULL,
  run_id      TEXT COLLATE "C" NOT NULL,
  task        TEXT COLLATE "C" NOT NULL,
  attempt     INTEGER NOT NULL,
  output_json TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL
);
CREATE INDEX cache_entries_by_workflow ON cache_entries (workflow);
)sql";

constexpr Migration migrations[] = {
    {1, "initial schema", migration_1_initial_schema},
    {2, "run ownership and workflow settings", migration_2_run_ownership},
    {4, "the attempt queue and its workers", migration_4_attempt_queue},
    {5, "claim tokens", migration_5_claim_tokens},
    {6, "the task cache", migration_6_task_cache},
};

}  // namespace

std::span<const Migration> known_migrations() { return migrations; }

}  // namespace ork::plugins::postgres
