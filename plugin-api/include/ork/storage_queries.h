/*
 * The parameters of the storage queries (ork_query_kind in ork/plugin.h), in
 * one machine-readable table: the host checks every query it sends against
 * it, both built-in stores take their lists of known and required params from
 * it (plugins/storage-common), and a test compares it with docs/storage.md.
 * The answers' shapes are described next to each ork_query_kind. Included by
 * storage plugins and the host; plain C11 like plugin.h.
 *
 * Ownership: everything `ork_query_schemas` returns is static.
 */
#ifndef ORK_STORAGE_QUERIES_H
#define ORK_STORAGE_QUERIES_H

#include <ork/plugin.h>

#include <stddef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ork_param_type {
  ORK_PARAM_STRING = 1,
  ORK_PARAM_INTEGER = 2 /* a JSON integer, or a decimal string (as in HTTP query strings) */
} ork_param_type;

typedef struct ork_query_param {
  const char* name;
  ork_param_type type;
  int required; /* 1: the query fails without it; 0: absent or null = not given */
} ork_query_param;

typedef struct ork_query_schema {
  ork_query_kind kind;
  const char* name; /* as in messages and docs, e.g. "GET_RUN" */
  const ork_query_param* params;
  size_t param_count;
  /* Non-NULL: exactly one of these two optional params must be given. */
  const char* one_of[2];
} ork_query_schema;

/* Every query kind, in ork_query_kind order; `*count` receives their number. */
static inline const ork_query_schema* ork_query_schemas(size_t* count) {
  static const ork_query_param list_runs[] = {{"workflow", ORK_PARAM_STRING, 0},
                                              {"status", ORK_PARAM_STRING, 0},
                                              {"cursor", ORK_PARAM_STRING, 0},
                                              {"limit", ORK_PARAM_INTEGER, 0}};
  static const ork_query_param get_run[] = {{"run_id", ORK_PARAM_STRING, 1}};
  static const ork_query_param logs[] = {{"run_id", ORK_PARAM_STRING, 1},
                                         {"task", ORK_PARAM_STRING, 0},
                                         {"attempt", ORK_PARAM_INTEGER, 0},
                                         {"cursor", ORK_PARAM_INTEGER, 0},
                                         {"limit", ORK_PARAM_INTEGER, 0}};
  static const ork_query_param events[] = {{"after", ORK_PARAM_INTEGER, 0}, {"limit", ORK_PARAM_INTEGER, 0}};
  static const ork_query_param get_workflow[] = {{"version_id", ORK_PARAM_INTEGER, 0},
                                                 {"name", ORK_PARAM_STRING, 0}};
  static const ork_query_param workflow_settings[] = {{"workflow", ORK_PARAM_STRING, 1}};
  static const ork_query_param now_only[] = {{"now", ORK_PARAM_INTEGER, 1}};
  static const ork_query_param queued_attempt[] = {{"id", ORK_PARAM_INTEGER, 1}};
#define ORK_QUERY_PARAMS_(array) array, sizeof(array) / sizeof(array[0])
  static const ork_query_schema schemas[] = {
      {ORK_QUERY_LIST_RUNS, "LIST_RUNS", ORK_QUERY_PARAMS_(list_runs), {NULL, NULL}},
      {ORK_QUERY_GET_RUN, "GET_RUN", ORK_QUERY_PARAMS_(get_run), {NULL, NULL}},
      {ORK_QUERY_LOGS, "LOGS", ORK_QUERY_PARAMS_(logs), {NULL, NULL}},
      {ORK_QUERY_EVENTS, "EVENTS", ORK_QUERY_PARAMS_(events), {NULL, NULL}},
      {ORK_QUERY_LIST_WORKFLOWS, "LIST_WORKFLOWS", NULL, 0, {NULL, NULL}},
      {ORK_QUERY_GET_WORKFLOW, "GET_WORKFLOW", ORK_QUERY_PARAMS_(get_workflow), {"version_id", "name"}},
      {ORK_QUERY_WORKFLOW_SETTINGS, "WORKFLOW_SETTINGS", ORK_QUERY_PARAMS_(workflow_settings), {NULL, NULL}},
      {ORK_QUERY_ORPHANED_RUNS, "ORPHANED_RUNS", ORK_QUERY_PARAMS_(now_only), {NULL, NULL}},
      {ORK_QUERY_QUEUED_ATTEMPT, "QUEUED_ATTEMPT", ORK_QUERY_PARAMS_(queued_attempt), {NULL, NULL}},
      {ORK_QUERY_WORKERS, "WORKERS", ORK_QUERY_PARAMS_(now_only), {NULL, NULL}},
  };
#undef ORK_QUERY_PARAMS_
  *count = sizeof(schemas) / sizeof(schemas[0]);
  return schemas;
}

/* The schema of one kind, or NULL for a kind this header does not know. */
static inline const ork_query_schema* ork_query_schema_of(ork_query_kind kind) {
  size_t count = 0;
  const ork_query_schema* schemas = ork_query_schemas(&count);
  size_t i;
  for (i = 0; i < count; ++i) {
    if (schemas[i].kind == kind) return &schemas[i];
  }
  return NULL;
}

/* The param `name` of `schema`, or NULL when the query has no such param. */
static inline const ork_query_param* ork_query_param_of(const ork_query_schema* schema, const char* name,
                                                        size_t name_len) {
  size_t i;
  for (i = 0; i < schema->param_count; ++i) {
    if (strlen(schema->params[i].name) == name_len && memcmp(schema->params[i].name, name, name_len) == 0) {
      return &schema->params[i];
    }
  }
  return NULL;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ORK_STORAGE_QUERIES_H */
