/*
 * The "durable spawn floor" of bench/targets_bench.py's W2: a chain of N
 * `true` processes, each started only after the one before it has exited and
 * its end has been committed to SQLite (WAL, synchronous=NORMAL, the
 * settings of ork's store), in one loop of one thread. It is the least any
 * runner can do that runs each task as a process and records every end
 * durably before its downstream starts; make and ninja record nothing.
 *
 * Usage: ork-bench-durable-chain N DATABASE
 */
#include <sqlite3.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char** environ;

static int fail(sqlite3* db, const char* what) {
  fprintf(stderr, "ork-bench-durable-chain: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
  return 1;
}

static int run_true(void) {
  char* argv[] = {"true", NULL};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "true", NULL, NULL, argv, environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: ork-bench-durable-chain N DATABASE\n");
    return 2;
  }
  const long n = strtol(argv[1], NULL, 10);
  sqlite3* db = NULL;
  if (sqlite3_open(argv[2], &db) != SQLITE_OK) return fail(db, "open");
  if (sqlite3_exec(db,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; DROP TABLE IF EXISTS ends;"
                   "CREATE TABLE ends (task INTEGER PRIMARY KEY, exit_code INTEGER NOT NULL)",
                   NULL, NULL, NULL) != SQLITE_OK)
    return fail(db, "schema");
  sqlite3_stmt* insert = NULL;
  if (sqlite3_prepare_v2(db, "INSERT INTO ends VALUES (?, ?)", -1, &insert, NULL) != SQLITE_OK)
    return fail(db, "prepare");
  for (long i = 0; i < n; ++i) {
    const int code = run_true();
    if (code != 0) return fail(NULL, "true");
    sqlite3_bind_int64(insert, 1, i);
    sqlite3_bind_int(insert, 2, code);
    if (sqlite3_step(insert) != SQLITE_DONE) return fail(db, "insert");  // autocommit: one transaction
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  return sqlite3_close(db) == SQLITE_OK ? 0 : fail(db, "close");
}
