/*
 * (Over 500 lines on purpose: this is the whole versioned C ABI in one file,
 * the one a plugin author in any language reads top to bottom and that
 * tests/loader/abi_c_test.c freezes offset by offset.)
 *
 * ork plugin API, version 1 — the C boundary between the `ork` host and its
 * plugins (executors, storage backends and, since 1.7, languages). Included by the host's plugin
 * loader and by every plugin, in any language that can export a C function.
 *
 * Shape (see docs/plugins.md for a walk-through):
 *   - A plugin shared object exports exactly one symbol, `ork_plugin_describe`,
 *     which returns a static `ork_plugin_descriptor` and does nothing else.
 *   - The host checks the descriptor's `api_major` (must equal
 *     ORK_PLUGIN_API_MAJOR) and `min_host_minor` (must be <= the host's
 *     ORK_PLUGIN_API_MINOR) before it runs any other plugin code.
 *   - Then it calls `init`, and uses the `executor`, `storage` and/or
 *     `language` tables (one plugin may offer several).
 *
 * Versioning rules: every struct starts with `struct_size` (filled with
 * ORK_STRUCT_SIZE, never a literal) and only grows at its end; each member
 * added after 1.0 carries a `since 1.N` comment. The host normalises each
 * plugin table once at load (a zero-filled host-sized copy of its first
 * `struct_size` bytes), so a member the plugin does not have reads as NULL;
 * a plugin checks `struct_size` of host structs before touching a member
 * newer than the minor it requires. Anything else is a major bump.
 *
 * Memory: whoever allocates frees. Every pointer is annotated with its
 * ownership. Host pointers passed into a call are borrowed for that call only;
 * data handed back to the host goes through a host callback that copies it.
 * Strings cross as `ork_str` {ptr, len}: not necessarily NUL-terminated.
 *
 * Errors: every call returns an `ork_status`; details go through the host's
 * `set_error`, which copies the message. A task's own outcome (succeeded,
 * failed, timed out) is reported through the task sink and is separate from
 * "the executor itself broke" (a non-OK status from `run_task`).
 *
 * Threads: the host may call `check_task`, `run_task` and storage functions
 * from several threads at once; `cancel_task` is called from a thread other
 * than the one inside `run_task`. Plugins are never unloaded before exit.
 */
#ifndef ORK_PLUGIN_H
#define ORK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ORK_PLUGIN_API_MAJOR 1
#define ORK_PLUGIN_API_MINOR 9

/* Fills a struct's `struct_size`: `ORK_STRUCT_SIZE(ork_task_sink)`. */
#define ORK_STRUCT_SIZE(type) ((uint32_t)sizeof(type))

#if defined(_WIN32)
#define ORK_PLUGIN_EXPORT __declspec(dllexport)
#else
#define ORK_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* The one symbol a plugin exports. */
#define ORK_PLUGIN_ENTRY_SYMBOL "ork_plugin_describe"

/* A string slice. Ownership: always borrowed; valid for the duration of the
 * call it is passed to (or, inside static descriptors, forever). */
typedef struct ork_str {
  const char* ptr;
  size_t len;
} ork_str;

typedef enum ork_status {
  ORK_STATUS_OK = 0,
  ORK_STATUS_ERROR = 1,       /* the call failed; a message was set */
  ORK_STATUS_UNSUPPORTED = 2, /* the plugin does not implement this call */
  ORK_STATUS_NOT_FOUND = 3,   /* storage: the run/workflow/task does not exist */
  ORK_STATUS_CONFLICT = 4     /* storage: the write lost a race (e.g. run owned by another process) */
} ork_status;

/* Host-owned error slot. Opaque: plugins only pass it to `host->set_error`. */
typedef struct ork_error ork_error;

/* Services the host offers to plugins. Ownership: host-owned, valid until
 * the process exits. */
typedef struct ork_host_api {
  uint32_t struct_size;
  uint32_t api_major;
  uint32_t api_minor;
  /* Copies `message` into the error slot. `slot` may be NULL (then ignored).
   * Ownership: `slot` is host-owned (the `err` of the call being answered);
   * `message` is borrowed for this call and copied. */
  void (*set_error)(ork_error* slot, ork_str message);
  /* A diagnostic from the plugin itself (not a task log): level 0 debug,
   * 1 info, 2 warning, 3 error. Shown with `ork -v`. Ownership: `message` is
   * borrowed for this call and copied. */
  void (*log)(int level, ork_str message);
} ork_host_api;

/* ------------------------------------------------------------------------ */
/* Executors                                                                */
/* ------------------------------------------------------------------------ */

/* A task as written in the workflow file, handed to `check_task` at compile
 * time and (inside ork_task_request) at run time. Ownership: host-owned,
 * borrowed for the call. */
typedef struct ork_task_spec {
  uint32_t struct_size;
  ork_str workflow_name;
  ork_str workflow_file; /* absolute path of the YAML file */
  ork_str workflow_dir;  /* absolute directory of the YAML file */
  ork_str task_name;
  /* JSON object holding the task's executor-specific keys (those listed in
   * `ork_executor_vtable.task_keys`) with their YAML values. */
  ork_str config_json;
  /* since 1.5: how the task runs, given at check time too so that an executor
   * can check (or introspect) a task the way it will run: `workdir` is the
   * task's absolute working directory (its `workdir:`, else workflow_dir);
   * `env` holds what the task gets on top of the host's environment, as
   * "KEY=VALUE" (at check time its `env:` entries, a later one winning; at
   * run time the same list as ork_task_request.env). Ownership: host-owned,
   * borrowed for the call. */
  ork_str workdir;
  const ork_str* env;
  size_t env_count;
  /* since 1.6: at compile time, a number the host gives every check_task
   * call of one compile (the same for all of the workflow's tasks, a new one
   * for the next compile; never 0), so that an executor may look a thing up
   * once per compile rather than once per task, e.g. a program on PATH that
   * 10 000 tasks name. 0 at run time and from an older host: then cache
   * nothing. */
  uint64_t check_pass;
} ork_task_spec;

/* Where `check_task` reports. Ownership: host-owned, borrowed for the call;
 * the host copies everything passed to it. */
typedef struct ork_check_sink {
  uint32_t struct_size;
  void* ctx; /* Ownership: host-owned; pass it back unchanged */
  /* One problem with the task. `key` names the executor-specific key it is
   * about (the host turns it into file:line:col), or is empty for the task. */
  void (*error)(void* ctx, ork_str key, ork_str message);
  /* The task's signature as JSON:
   *   {"inputs": {"NAME": TYPE, ...}, "output": TYPE,
   *    "defaults": ["NAME", ...],        optional: inputs that have a default
   *    "whole_input": "NAME"}            optional: the single parameter that
   *                                       receives the whole input object
   * TYPE is a string in ork's type syntax ("list[int]", "{a: int} | None")
   * or a JSON object of field -> TYPE. At most one call per check. */
  void (*signature)(void* ctx, ork_str signature_json);
  /* since 1.7: the task's code identity, for `cache:` (the host hashes the
   * contents of the files into the task's cache key, so that a changed file
   * means a new key). `paths`: absolute paths of the files that make up the
   * task's code (its source file and the modules it imports from inside the
   * workflow directory, its program and the files its arguments name there,
   * its shared library). `count` 0: the executor cannot tell what the
   * task's code is; `why_not` says why in one sentence ("its program
   * /usr/bin/curl lives outside the workflow directory"). At most one call
   * per check; no call (or a host older than 1.7, which has no slot) means
   * the same as count 0 without a reason. Ownership: `paths` and the strings
   * are plugin-owned, borrowed for the call; the host copies them. */
  void (*code_files)(void* ctx, const ork_str* paths, size_t count, ork_str why_not);
} ork_check_sink;

/* One attempt of one task. Ownership: host-owned, borrowed for `run_task`. */
typedef struct ork_task_request {
  uint32_t struct_size;
  /* Unique in this host process; the handle for `cancel_task`. */
  uint64_t attempt_token;
  const ork_task_spec* spec; /* Ownership: host-owned, borrowed for run_task */
  ork_str run_id;
  uint32_t attempt; /* 1 for the first attempt */
  /* JSON object: the task's bound inputs plus "upstream": {task: output}. */
  ork_str input_json;
  ork_str workdir; /* absolute working directory for the task */
  /* Extra environment, "KEY=VALUE" each, on top of the host's environment;
   * already includes ORK_RUN_ID, ORK_TASK and ORK_ATTEMPT. Ownership: the
   * array and its strings are host-owned, borrowed for run_task. */
  const ork_str* env;
  size_t env_count;
  /* Wall-clock limit for this attempt in milliseconds; 0 means none. The
   * executor enforces it and reports ORK_TASK_TIMED_OUT. */
  int64_t timeout_ms;
} ork_task_request;

typedef enum ork_log_stream {
  ORK_LOG_STDOUT = 1,
  ORK_LOG_STDERR = 2,
  ORK_LOG_SYSTEM = 3 /* a note from the executor itself */
} ork_log_stream;

typedef enum ork_task_outcome {
  ORK_TASK_SUCCEEDED = 0,
  ORK_TASK_FAILED = 1,
  ORK_TASK_TIMED_OUT = 2,
  ORK_TASK_CANCELLED = 3
} ork_task_outcome;

/* Where `run_task` reports. Ownership: host-owned, borrowed until
 * `run_task` returns; callbacks are thread-safe and copy their arguments. */
typedef struct ork_task_sink {
  uint32_t struct_size;
  void* ctx; /* Ownership: host-owned; pass it back unchanged */
  /* One log line, without its newline. Any bytes; the host stores them
   * as-is (invalid UTF-8 is replaced when shown). */
  void (*log)(void* ctx, ork_log_stream stream, ork_str line);
  /* The attempt's outcome; call exactly once before `run_task` returns.
   * `output_json` is the JSON result (empty means null) and only read for
   * ORK_TASK_SUCCEEDED; `error` is a one-paragraph human message otherwise. */
  void (*finish)(void* ctx, ork_task_outcome outcome, ork_str output_json, ork_str error);
} ork_task_sink;

enum {
  /* check_task reports a signature (typed introspection). */
  ORK_EXECUTOR_INTROSPECTS = 1u << 0
};

/* Ownership: the table and every pointer in it are owned by the plugin and
 * static (valid until exit); the host copies the table at load. In every
 * call, `state` is the plugin-owned pointer from `init`; `spec`, `request`
 * and `sink` are host-owned and borrowed for the call; `err` is the
 * host-owned error slot of the call. */
typedef struct ork_executor_vtable {
  uint32_t struct_size;
  /* The `executor:` value in YAML, e.g. "process". Ownership: plugin-owned,
   * static, NUL-terminated. */
  const char* name;
  /* NULL-terminated list of the executor-specific task keys it accepts
   * (e.g. "command"); the host refuses other unknown keys. Ownership: the
   * array and its strings are plugin-owned and static. */
  const char* const* task_keys;
  uint32_t capabilities; /* ORK_EXECUTOR_* bits */
  /* Compile time: validate one task (files exist, keys well-formed, …) and
   * report its signature when it has one. Optional (NULL = nothing to check).
   * Returns OK even when it reported errors; non-OK means it broke. */
  ork_status (*check_task)(void* state, const ork_task_spec* spec, const ork_check_sink* sink,
                           ork_error* err);
  /* Run one attempt, blocking the calling thread until it ends, and report
   * through `sink` (finish exactly once). Returns non-OK only when the
   * executor itself broke; the host then fails the attempt with the error. */
  ork_status (*run_task)(void* state, const ork_task_request* request, const ork_task_sink* sink,
                         ork_error* err);
  /* Ask a running attempt to stop (cancellation). Asynchronous and
   * idempotent; an unknown token is ignored. The attempt then finishes with
   * ORK_TASK_CANCELLED. Optional. */
  void (*cancel_task)(void* state, uint64_t attempt_token);
  /* since 1.8: a hint that the host is about to run tasks like `spec` (an
   * `ork run` whose workflow just compiled; never `ork validate`): start
   * what they will need (e.g. a warm worker) in the background and return
   * at once, so that it overlaps the host's own work (opening the store,
   * recording the run). Nothing may depend on it having been called.
   * Optional. */
  void (*warm)(void* state, const ork_task_spec* spec);
} ork_executor_vtable;

/* ------------------------------------------------------------------------ */
/* Storage                                                                  */
/* ------------------------------------------------------------------------ */

/* Times are milliseconds since the Unix epoch (UTC); 0 means "not set".
 *
 * Records (ork_workflow_record, ork_run_record, ork_task_update,
 * ork_log_line, ork_queued_attempt) and every string and array in them are
 * host-owned and borrowed for the call they are passed to: a store copies
 * what it keeps before returning. */

typedef struct ork_workflow_record {
  uint32_t struct_size;
  ork_str name;
  ork_str content_hash; /* hex SHA-256 of the compiled spec: same hash, same version */
  ork_str file;         /* absolute path of the YAML file */
  ork_str source;       /* the YAML text */
  ork_str spec_json;    /* compiled workflow incl. each task's signature */
  int64_t created_at;
} ork_workflow_record;

typedef struct ork_run_record {
  uint32_t struct_size;
  ork_str run_id; /* chosen by the host */
  int64_t workflow_version_id;
  ork_str workflow_name;
  ork_str inputs_json;     /* workflow-level inputs (--input k=v) */
  ork_str idempotency_key; /* empty = none */
  ork_str trigger;         /* "cli", "api", "schedule", … */
  ork_str owner;           /* who executes it, "host:pid" */
  int64_t created_at;
  /* each gets a `pending` task row. Ownership: host-owned array, borrowed */
  const ork_str* task_names;
  size_t task_count;
} ork_run_record;

/* A task state transition, written in one transaction with its attempt row
 * and an event. Status strings: pending, running, retrying, succeeded,
 * failed, cancelled, skipped, and (since 1.7) cached: the task reused the
 * output of an earlier successful attempt (`cache:`); it comes with attempt
 * 0 (no attempt ran), its `output_json`, and in `error` a JSON object
 * {"run_id", "task", "attempt", "created_at"} naming the attempt the output
 * came from. A store keeps it like a succeeded task's output and error. */
typedef struct ork_task_update {
  uint32_t struct_size;
  ork_str run_id;
  ork_str task_name;
  uint32_t attempt; /* 0 = a state without an attempt (pending, skipped) */
  ork_str status;
  int64_t at;           /* when it happened */
  ork_str output_json;  /* succeeded and cached only; empty otherwise */
  ork_str error;        /* failed/cancelled/skipped: why */
  int64_t next_attempt_at; /* retrying: when the next attempt may start */
} ork_task_update;

typedef struct ork_log_line {
  uint32_t struct_size;
  ork_str run_id;
  ork_str task_name;
  uint32_t attempt;
  ork_log_stream stream;
  int64_t at;
  ork_str line;
} ork_log_line;

/* The storage queries. Each one's params (a JSON object) are listed in ONE
 * machine-readable table, ork_query_schemas() in ork/storage_queries.h; the
 * answers' shapes are written here. */
typedef enum ork_query_kind {
  /* -> {"runs": [RUN...], "next_cursor": str|null} */
  ORK_QUERY_LIST_RUNS = 1,
  /* -> RUN with "tasks": {name: TASK} and
   * "attempts": [ATTEMPT...]; NOT_FOUND if absent. A unique id prefix matches. */
  ORK_QUERY_GET_RUN = 2,
  /* -> {"lines": [{"id", "task", "attempt", "stream", "at", "line"}], "next_cursor"} */
  ORK_QUERY_LOGS = 3,
  /* -> {"events": [{"seq", "run_id", "task", "kind", "status", "at"}], "last_seq"} */
  ORK_QUERY_EVENTS = 4,
  /* -> {"workflows": [{"name", "version_id", "content_hash", "file",
   * "created_at"}]} (latest version of each name) */
  ORK_QUERY_LIST_WORKFLOWS = 5,
  /* -> {"version_id", "name", "content_hash", "file", "source", "spec": {...},
   * "created_at"}; by version id, or the latest version of a name */
  ORK_QUERY_GET_WORKFLOW = 6,
  /* since 1.1: -> {"settings": {KEY: JSON value}} */
  ORK_QUERY_WORKFLOW_SETTINGS = 7,
  /* since 1.1: -> {"runs": [RUN...]}: runs still `running`
   * whose owner's lease expired before `now` (their owner died) */
  ORK_QUERY_ORPHANED_RUNS = 8,
  /* since 1.3: -> {"id", "status": "queued"|"claimed"|"done",
   * "worker": str|null, "outcome": "succeeded"|"failed"|"timed_out"|
   * "cancelled"|null, "output": JSON|null, "error": str|null};
   * NOT_FOUND for an unknown id */
  ORK_QUERY_QUEUED_ATTEMPT = 9,
  /* since 1.3: -> {"workers": [{"name", "info": JSON,
   * "last_heartbeat", "alive": bool (lease not expired), "claimed": int}]} */
  ORK_QUERY_WORKERS = 10
} ork_query_kind;

/* since 1.3: one task attempt put on the shared queue for `ork worker`s. */
typedef struct ork_queued_attempt {
  uint32_t struct_size;
  ork_str run_id;
  ork_str task_name;
  uint32_t attempt;
  ork_str executor;     /* only workers that have this executor claim it */
  ork_str payload_json; /* what the worker needs to run it; opaque to the store */
  int64_t at;
} ork_queued_attempt;

/* Where a storage query writes its JSON answer. Ownership: host-owned,
 * borrowed for the call it is passed to. */
typedef struct ork_json_sink {
  uint32_t struct_size;
  void* ctx; /* Ownership: host-owned; pass it back unchanged */
  /* Exactly once on success. Ownership: `json` is the plugin's, borrowed for
   * this call; the host copies it. */
  void (*write)(void* ctx, ork_str json);
} ork_json_sink;

/* Out-parameter for strings the store produces (ids). Ownership: as
 * ork_json_sink: host-owned sink, the string is copied. */
typedef ork_json_sink ork_str_sink;

/* Ownership: the table and every pointer in it are owned by the plugin and
 * static (valid until exit); the host copies the table at load. In every
 * call: `store` is the plugin-owned handle from `open`; records, `ork_str`
 * arguments and sinks are host-owned and borrowed for the call; `err` is the
 * call's host-owned error slot; scalar out-parameters (`out_version_id`,
 * `out_existing`, `out_claimed`, `out_id`) are host-owned and written by the
 * plugin only when it returns OK. */
typedef struct ork_storage_vtable {
  uint32_t struct_size;
  /* URL schemes this backend serves, NULL-terminated, e.g. {"sqlite", NULL}.
   * A plain file path is served by the backend listing "file". Ownership:
   * plugin-owned, static. */
  const char* const* url_schemes;
  /* Open (and migrate) a store. Ownership: `*out_store` is plugin-owned and
   * lives until the host passes it to `close`. */
  ork_status (*open)(void* state, ork_str url, void** out_store, ork_error* err);
  void (*close)(void* store);
  /* Insert a workflow version unless (name, content_hash) exists; either
   * way report its id. */
  ork_status (*save_workflow)(void* store, const ork_workflow_record* workflow,
                              int64_t* out_version_id, ork_error* err);
  /* Create a run and its pending task rows in one transaction. When
   * `idempotency_key` is set and a run of that workflow has it already,
   * nothing is created: `*out_existing` = 1 and `out_run_id` gets the old id. */
  ork_status (*create_run)(void* store, const ork_run_record* run, const ork_str_sink* out_run_id,
                           int* out_existing, ork_error* err);
  ork_status (*update_task)(void* store, const ork_task_update* update, ork_error* err);
  /* Set a run's status (running, succeeded, failed, cancelled). */
  ork_status (*update_run)(void* store, ork_str run_id, ork_str status, int64_t at, ork_str error,
                           ork_error* err);
  /* Append log lines in one transaction. */
  ork_status (*append_logs)(void* store, const ork_log_line* lines, size_t count, ork_error* err);
  /* Read-side queries; see ork_query_kind for params and answers. */
  ork_status (*query)(void* store, ork_query_kind kind, ork_str params_json,
                      const ork_json_sink* out, ork_error* err);

  /* since 1.1: run ownership, for crash recovery and several processes
   * sharing one store. NULL when the store does not implement them. */

  /* Make `owner` the owner of a `running` run until now + lease_ms, in one
   * transaction, if the run has no owner, is owned by `owner` already, its
   * owner's lease expired, or its owner is `dead_owner` (non-empty: the
   * caller proved that process gone, e.g. its pid on this host no longer
   * exists). `*out_claimed` = 1 when `owner` now owns it. */
  ork_status (*claim_run)(void* store, ork_str run_id, ork_str owner, ork_str dead_owner, int64_t now,
                          int64_t lease_ms, int* out_claimed, ork_error* err);
  /* Extend the lease of every `running` run owned by `owner` to now + lease_ms
   * and write to `out` {"cancel_requested": [run ids]}: those of its runs
   * someone asked to cancel (see request_cancel). */
  ork_status (*renew_leases)(void* store, ork_str owner, int64_t now, int64_t lease_ms,
                             const ork_json_sink* out, ork_error* err);
  /* Ask the owner of a running run to cancel it (it notices on its next
   * lease renewal). NOT_FOUND for an unknown run. */
  ork_status (*request_cancel)(void* store, ork_str run_id, int64_t at, ork_error* err);
  /* Set one persistent setting of a workflow (e.g. "paused": true,
   * "last_scheduled_at": 1764131880000); value is JSON. */
  ork_status (*set_workflow_setting)(void* store, ork_str workflow, ork_str key, ork_str value_json,
                                     ork_error* err);

  /* since 1.2: several task transitions (e.g. one task's result and the
   * next task's start) applied in order in ONE transaction — all or none —
   * each exactly as update_task would. Lets the host commit once per task. */
  ork_status (*update_tasks)(void* store, const ork_task_update* updates, size_t count, ork_error* err);

  /* since 1.3: a queue of task attempts shared by `ork worker` processes
   * (several machines on one PostgreSQL). The run's owner enqueues an
   * attempt and waits for its result; a worker claims it, runs it with its
   * own executor plugins, writes its log lines with append_logs and
   * completes it. The owner records the task's states as usual. */

  /* Put an attempt on the queue (status queued); `*out_id` is its queue id. */
  ork_status (*enqueue_attempt)(void* store, const ork_queued_attempt* attempt, int64_t* out_id, ork_error* err);
  /* In one transaction: queue again every claimed attempt whose worker's
   * lease expired before `now` (the worker died), then claim the oldest
   * queued attempt whose executor is in `executors` (comma-separated) for
   * `worker` until now + lease_ms, skipping rows other claimers hold.
   * Writes {"id", "run_id", "task", "attempt", "executor", "payload": JSON}
   * or {} when there is none. */
  ork_status (*claim_attempt)(void* store, ork_str worker, ork_str executors, int64_t now, int64_t lease_ms,
                              const ork_json_sink* out, ork_error* err);
  /* A worker's result (status done). Ignored (OK) unless `worker` holds the
   * claim: a worker that lost its lease must not overwrite another's. */
  ork_status (*complete_attempt)(void* store, int64_t id, ork_str worker, ork_task_outcome outcome,
                                 ork_str output_json, ork_str error, int64_t at, ork_error* err);
  /* Records the worker as alive (info_json: {"executors", "slots",
   * "running"}), extends the leases of its claims to now + lease_ms, and
   * writes {"cancel": [queue ids]}: its claims whose cancellation was asked. */
  ork_status (*worker_heartbeat)(void* store, ork_str worker, ork_str info_json, int64_t now, int64_t lease_ms,
                                 const ork_json_sink* out, ork_error* err);
  /* Cancel a queued attempt (done at once, outcome cancelled) or ask the
   * worker holding it to stop (seen on its next heartbeat). Done: no-op. */
  ork_status (*cancel_attempt)(void* store, int64_t id, int64_t at, ork_error* err);

  /* since 1.4: blocks until the queue may have changed (an attempt was
   * enqueued or completed, by any process) or `timeout_ms` passed. Lets idle
   * workers and waiting schedulers react in milliseconds without polling
   * hard (PostgreSQL: LISTEN/NOTIFY). A store without notifications waits
   * the timeout. Spurious wake-ups are allowed. */
  ork_status (*wait_for_queue)(void* store, int64_t timeout_ms, ork_error* err);

  /* since 1.7: the task cache (`cache:` on a task). An entry maps a key
   * (hex SHA-256 the host computes from the task's definition, code and
   * inputs) to the output of the successful attempt it was made from; the
   * store keeps one entry per key, the newest. NULL when the store has no
   * cache: the host then runs every task. */

  /* Insert or replace the entry of `key`: the output `output_json` of
   * attempt `attempt` of task `task_name` of run `run_id` of workflow
   * `workflow`, recorded at `created_at`. */
  ork_status (*cache_put)(void* store, ork_str key, ork_str workflow, ork_str run_id, ork_str task_name,
                          uint32_t attempt, ork_str output_json, int64_t created_at, ork_error* err);
  /* The entry of `key` if it was created at or after `not_before` (0: any
   * age): writes {"key", "workflow", "run_id", "task", "attempt", "output":
   * JSON, "created_at"}, or {} when there is none. */
  ork_status (*cache_lookup)(void* store, ork_str key, int64_t not_before, const ork_json_sink* out,
                             ork_error* err);
  /* Delete the entries of workflow `workflow` (empty: of every workflow);
   * `*out_removed` is how many. */
  ork_status (*cache_clear)(void* store, ork_str workflow, int64_t* out_removed, ork_error* err);

  /* since 1.9: log lines and task transitions in ONE transaction — all or
   * none — the lines first, each part exactly as append_logs and
   * update_tasks would (either count may be 0). Lets the host store a
   * finished attempt's last log lines with its end in one commit. NULL: the
   * host calls append_logs, then update_tasks. */
  ork_status (*append_logs_and_update_tasks)(void* store, const ork_log_line* lines, size_t line_count,
                                             const ork_task_update* updates, size_t update_count, ork_error* err);
} ork_storage_vtable;

/* ------------------------------------------------------------------------ */
/* Languages (since 1.7)                                                    */
/* ------------------------------------------------------------------------ */

/* A language plugin turns a plain typed function in a source file into a
 * task: it reads the function's signature from the source (`introspect`),
 * builds what must be built (`prepare`), and says which executor runs the
 * result and with which executor keys. A task written as
 *     score: {file: tasks/score.rs, function: score}
 * is given to the language whose `extensions` hold ".rs" (or the one named by
 * `language:`). The host calls `introspect`, then `prepare`, at compile time
 * (`ork validate` and `ork run` alike; `prepare` caches, so an unchanged task
 * is not rebuilt), and runs the task through the executor `prepare` chose,
 * with the config it returned; the executor's own `check_task` is not called
 * for such a task: the language's signature is the task's signature. */

/* One function-task, as the host hands it to a language. Ownership:
 * host-owned, borrowed for the call. */
typedef struct ork_language_task {
  uint32_t struct_size;
  ork_str workflow_name;
  ork_str workflow_file; /* absolute path of the YAML file */
  ork_str workflow_dir;  /* absolute directory of the YAML file */
  ork_str task_name;
  ork_str file;      /* the task's `file:` as written (relative to workflow_dir) */
  ork_str file_path; /* the same, absolute and normalised (it may not exist) */
  ork_str function;  /* the task's `function:` */
  /* JSON object holding the task's language-specific keys (those listed in
   * `ork_language_vtable.task_keys`) with their YAML values. */
  ork_str config_json;
  /* The executor the task will run on: the task's `executor:` when it names
   * one, else the first of the language's `executors`. */
  ork_str executor;
  /* An absolute directory that exists and where this language may keep
   * builds between runs, e.g. `<state dir>/build/rust/`. Content-addressed
   * sub-directories are the plugin's business. */
  ork_str build_dir;
  /* As ork_task_spec: the task's working directory and its `env:`. */
  ork_str workdir;
  const ork_str* env;
  size_t env_count;
  uint64_t check_pass; /* as ork_task_spec.check_pass */
} ork_language_task;

/* Ownership: the table and every pointer in it are owned by the plugin and
 * static (valid until exit); the host copies the table at load. In every
 * call, `state` is the plugin-owned pointer from `init`; `task` and the sinks
 * are host-owned and borrowed for the call; `err` is the call's error slot.
 * Every call may be made from several threads at once. */
typedef struct ork_language_vtable {
  uint32_t struct_size;
  /* The `language:` value, e.g. "rust". Plugin-owned, static, NUL-terminated. */
  const char* name;
  /* NULL-terminated file extensions with their dot, e.g. {".rs", NULL}. */
  const char* const* extensions;
  /* NULL-terminated list of language-specific task keys besides `file`,
   * `function` and `language` (may be empty); the host refuses other unknown
   * keys. */
  const char* const* task_keys;
  /* NULL-terminated names of the executors that can run what `prepare`
   * builds; the first is used when the task names none. A task naming
   * another executor is refused at compile time. */
  const char* const* executors;
  /* For `ork plugins`, `ork validate` and the UI: writes once to `out`
   *   {"toolchain": "rustc", "found": true, "version": "1.95.0",
   *    "path": "/usr/bin/rustc", "install": "apt-get install rustc cargo"}
   * (`version`/`path` only when found; `install` says what to install when
   * not). Cheap: the plugin may answer from what it learnt at init. */
  ork_status (*describe)(void* state, const ork_json_sink* out, ork_error* err);
  /* Compile time: read the function's signature from its source and report
   * it through `sink->signature` (the JSON of ork_check_sink.signature), or
   * report problems through `sink->error`. A problem inside the task's source
   * puts "FILE:LINE:COL: " (FILE as written in the task) at the start of its
   * message and uses key "file"; a function that does not exist uses key
   * "function". A missing toolchain is an error naming the Debian package to
   * install. Returns OK even when it reported errors; non-OK means it broke. */
  ork_status (*introspect)(void* state, const ork_language_task* task, const ork_check_sink* sink,
                           ork_error* err);
  /* Compile time, after a successful introspect: build the task if needed
   * (cached by a hash of its sources, the plugin's version and the
   * toolchain's version) and write once to `out`
   *   {"config": {EXECUTOR-SPECIFIC KEYS}}
   * — the keys `task->executor` accepts, e.g. {"library": "/abs/lib.so",
   * "symbol": "ork_task_score"} for "library". A build failure is reported
   * through `sink->error` (key "file"; the compiler's first error with its
   * FILE:LINE:COL) and nothing is written to `out`. Returns OK even when it
   * reported errors; non-OK means it broke. */
  ork_status (*prepare)(void* state, const ork_language_task* task, const ork_check_sink* sink,
                        const ork_json_sink* out, ork_error* err);
} ork_language_vtable;

/* ------------------------------------------------------------------------ */
/* Descriptor                                                               */
/* ------------------------------------------------------------------------ */

/* Ownership: the descriptor and every pointer in it are owned by the plugin
 * and static (valid until exit); the host copies it (and its tables) at load. */
typedef struct ork_plugin_descriptor {
  uint32_t struct_size;
  uint32_t api_major;      /* ORK_PLUGIN_API_MAJOR the plugin was built with */
  uint32_t min_host_minor; /* oldest host minor with everything it uses */
  const char* name;        /* unique among loaded plugins, e.g. "process". Plugin-owned, static */
  const char* version;     /* the plugin's own version, e.g. "1.0.0". Plugin-owned, static */
  const char* description; /* one line. Plugin-owned, static */
  /* Called once after the host accepted the versions. Ownership: `host` is
   * host-owned and valid until exit; `*out_state` is plugin-owned, passed
   * back to every call and released by `shutdown`; `err` is host-owned. */
  ork_status (*init)(const ork_host_api* host, void** out_state, ork_error* err);
  /* Called once at exit when init succeeded. Optional. */
  void (*shutdown)(void* state);
  const ork_executor_vtable* executor; /* NULL unless an executor. Plugin-owned, static */
  const ork_storage_vtable* storage;   /* NULL unless a storage backend. Plugin-owned, static */
  /* since 1.7: NULL unless a language. Plugin-owned, static. A language
   * plugin often offers the executor that runs its tasks in the same
   * descriptor (`executor` set too). */
  const ork_language_vtable* language;
} ork_plugin_descriptor;

/* The entry point. Returns a static descriptor; does nothing else.
 * Ownership: the descriptor is plugin-owned and static. */
typedef const ork_plugin_descriptor* (*ork_plugin_describe_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ORK_PLUGIN_H */
