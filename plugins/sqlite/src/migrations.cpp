#include "migrations.hpp"

#include <stdexcept>
#include <string>

namespace ork::plugins::sqlite {

namespace {

int read_pragma(Connection& connection, const char* sql);
void check_is_ork_database(Connection& connection, int version, int application_id);

}  // namespace

void migrate(Connection& connection, std::span<const Migration> migrations) {
  const int known = migrations.empty() ? 0 : migrations.back().version;
  // One write transaction: two processes opening a new file at once migrate
  // it exactly once, and a failing script leaves the file as it was.
  connection.write_transaction([&] {
    const int version = read_pragma(connection, "PRAGMA user_version");
    const int application_id = read_pragma(connection, "PRAGMA application_id");
    check_is_ork_database(connection, version, application_id);
    if (version > known) {
      throw std::runtime_error("the ork database '" + connection.file().string() + "' has schema version " +
                               std::to_string(version) + " but this sqlite plugin only knows up to " +
                               std::to_string(known) + "; it was written by a newer ork, so upgrade ork");
    }
    for (const Migration& migration : migrations) {
      if (migration.version <= version) continue;
      try {
        connection.execute(migration.sql);
      } catch (const std::exception& e) {
        throw std::runtime_error("cannot apply migration " + std::to_string(migration.version) + " (" +
                                 std::string(migration.name) + ") to the ork database '" +
                                 connection.file().string() + "': " + e.what() + "; the file was left unchanged");
      }
      connection.execute("PRAGMA user_version=" + std::to_string(migration.version));
    }
    if (application_id == 0) connection.execute("PRAGMA application_id=" + std::to_string(ork_application_id));
  });
}

namespace {

int read_pragma(Connection& connection, const char* sql) {
  CachedStatement pragma = connection.statement(sql);
  return pragma->step() ? static_cast<int>(pragma->integer(0)) : 0;
}

// A version-0 file with tables of its own belongs to someone else.
void check_is_ork_database(Connection& connection, int version, int application_id) {
  const std::string file = "'" + connection.file().string() + "'";
  if (application_id != 0 && application_id != ork_application_id) {
    throw std::runtime_error(file + " is an SQLite database of another application (application_id " +
                             std::to_string(application_id) + "), not ork's; choose another location with --db");
  }
  if (version == 0 && application_id == 0) {
    CachedStatement tables = connection.statement("SELECT count(*) FROM sqlite_schema");
    if (tables->step() && tables->integer(0) > 0) {
      throw std::runtime_error(file + " is an SQLite database with tables that ork did not create; choose "
                               "another location with --db");
    }
  }
}

}  // namespace

// ---- the migrations -----------------------------------------------------------
//
// Times are INTEGER milliseconds since the Unix epoch, NULL when not set.
// Every state change also appends a row to `events` in the same transaction,
// so other processes (the web server) can follow changes by sequence number.

namespace {

constexpr std::string_view migration_1_initial_schema = R"sql(
CREATE TABLE workflow_versions (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  content_hash TEXT    NOT NULL,
  file         TEXT    NOT NULL,
  source       TEXT    NOT NULL,
  spec_json    TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  UNIQUE (name, content_hash)
);
CREATE INDEX workflow_versions_by_name ON workflow_versions (name, id);

CREATE TABLE runs (
  id                  TEXT    PRIMARY KEY,
  workflow_version_id INTEGER REFERENCES workflow_versions (id),
  workflow_name       TEXT    NOT NULL,
  status              TEXT    NOT NULL,
  inputs_json         TEXT    NOT NULL,
  idempotency_key     TEXT,
  triggered_by        TEXT    NOT NULL,
  owner               TEXT    NOT NULL,
  heartbeat_at        INTEGER,
  created_at          INTEGER NOT NULL,
  started_at          INTEGER,
  finished_at         INTEGER,
  error               TEXT
);
CREATE UNIQUE INDEX runs_by_idempotency_key ON runs (workflow_name, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_by_workflow ON runs (workflow_name, created_at, id);
CREATE INDEX runs_by_status ON runs (status, created_at, id);
CREATE INDEX runs_by_created ON runs (created_at, id);

CREATE TABLE tasks (
  run_id          TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name            TEXT    NOT NULL,
  position        INTEGER NOT NULL,
  status          TEXT    NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  output_json     TEXT,
  error           TEXT,
  started_at      INTEGER,
  finished_at     INTEGER,
  next_attempt_at INTEGER,
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

CREATE TABLE attempts (
  run_id      TEXT    NOT NULL,
  task        TEXT    NOT NULL,
  attempt     INTEGER NOT NULL,
  status      TEXT    NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER,
  output_json TEXT,
  error       TEXT,
  PRIMARY KEY (run_id, task, attempt),
  FOREIGN KEY (run_id, task) REFERENCES tasks (run_id, name) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE logs (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id  TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task    TEXT    NOT NULL,
  attempt INTEGER NOT NULL,
  stream  INTEGER NOT NULL,
  at      INTEGER NOT NULL,
  line    BLOB    NOT NULL
);
CREATE INDEX logs_by_task ON logs (run_id, task, id);
CREATE INDEX logs_by_run ON logs (run_id, id);

CREATE TABLE events (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT    NOT NULL,
  task   TEXT,
  kind   TEXT    NOT NULL CHECK (kind IN ('run', 'task', 'log')),
  status TEXT,
  at     INTEGER NOT NULL
);
)sql";

// Plugin API 1.1: a run is owned by one process ("host:pid") holding a lease
// it renews; a run still `running` after its lease expired lost its owner.
// Others ask the owner to cancel through `cancel_requested_at`. Runs from
// before this migration have no lease, so they count as expired.
constexpr std::string_view migration_2_run_ownership = R"sql(
ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE runs ADD COLUMN cancel_requested_at INTEGER;
CREATE INDEX runs_running_by_owner ON runs (owner) WHERE status = 'running';
CREATE INDEX runs_running_by_lease ON runs (lease_expires_at) WHERE status = 'running';

CREATE TABLE workflow_settings (
  workflow   TEXT NOT NULL,
  key        TEXT NOT NULL,
  value_json TEXT NOT NULL,
  PRIMARY KEY (workflow, key)
) WITHOUT ROWID;
)sql";

// Events and log lines keep increasing ids without AUTOINCREMENT: SQLite
// gives a new row the largest id + 1, and ork never deletes the newest rows,
// so ids still only grow (clients page by them) — while each write no longer
// updates sqlite_sequence, one page less per transaction on the hot path.
constexpr std::string_view migration_3_plain_ids = R"sql(
CREATE TABLE events_v3 (
  seq    INTEGER PRIMARY KEY,
  run_id TEXT    NOT NULL,
  task   TEXT,
  kind   TEXT    NOT NULL CHECK (kind IN ('run', 'task', 'log')),
  status TEXT,
  at     INTEGER NOT NULL
);
INSERT INTO events_v3 (seq, run_id, task, kind, status, at) SELECT seq, run_id, task, kind, status, at FROM events;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;

CREATE TABLE logs_v3 (
  id      INTEGER PRIMARY KEY,
  run_id  TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  task    TEXT    NOT NULL,
  attempt INTEGER NOT NULL,
  stream  INTEGER NOT NULL,
  at      INTEGER NOT NULL,
  line    BLOB    NOT NULL
);
INSERT INTO logs_v3 (id, run_id, task, attempt, stream, at, line)
  SELECT id, run_id, task, attempt, stream, at, line FROM logs;
DROP TABLE logs;
ALTER TABLE logs_v3 RENAME TO logs;
CREATE INDEX logs_by_task ON logs (run_id, task, id);
CREATE INDEX logs_by_run ON logs (run_id, id);
)sql";

// Plugin API 1.3: the queue of task attempts shared by `ork worker`s. A row
// is queued, then claimed by one worker holding a lease it renews with its
// heartbeat, then done with an outcome. UNIQUE (run_id, task, attempt): an
// attempt is queued once, so a repeated enqueue finds the first row.
constexpr std::string_view migration_4_attempt_queue = R"sql(
CREATE TABLE queue (
  id                  INTEGER PRIMARY KEY,
  run_id              TEXT    NOT NULL,
  task                TEXT    NOT NULL,
  attempt             INTEGER NOT NULL,
  executor            TEXT    NOT NULL,
  payload_json        TEXT    NOT NULL,
  status              TEXT    NOT NULL CHECK (status IN ('queued', 'claimed', 'done')),
  worker              TEXT,
  lease_expires_at    INTEGER,
  cancel_requested_at INTEGER,
  outcome             TEXT CHECK (outcome IN ('succeeded', 'failed', 'timed_out', 'cancelled')),
  output_json         TEXT,
  error               TEXT,
  enqueued_at         INTEGER NOT NULL,
  claimed_at          INTEGER,
  finished_at         INTEGER,
  UNIQUE (run_id, task, attempt)
);
CREATE INDEX queue_by_status ON queue (status, id);
CREATE INDEX queue_claimed_by_worker ON queue (worker) WHERE status = 'claimed';

CREATE TABLE workers (
  name             TEXT    PRIMARY KEY,
  info_json        TEXT    NOT NULL,
  last_heartbeat   INTEGER NOT NULL,
  lease_expires_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Plugin API 1.7: the task cache (`cache:`). One row per cache key (a hex
// SHA-256 of the task's definition, code and input): the output of the
// newest successful attempt that had it, with the run it came from.
constexpr std::string_view migration_5_task_cache = R"sql(
CREATE TABLE cache_entries (
  key         TEXT    PRIMARY KEY,
  workflow    TEXT    NOT NULL,
  run_id      TEXT    NOT NULL,
  task        TEXT    NOT NULL,
  attempt     INTEGER NOT NULL,
  output_json TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX cache_entries_by_workflow ON cache_entries (workflow);
)sql";

constexpr Migration migrations[] = {
    {1, "initial schema", migration_1_initial_schema},
    {2, "run ownership and workflow settings", migration_2_run_ownership},
    {3, "events and logs without AUTOINCREMENT", migration_3_plain_ids},
    {4, "the attempt queue and its workers", migration_4_attempt_queue},
    {5, "the task cache", migration_5_task_cache},
};

}  // namespace

std::span<const Migration> known_migrations() { return migrations; }

}  // namespace ork::plugins::sqlite
