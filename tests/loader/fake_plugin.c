/*
 * One fake executor plugin, written against ork/plugin.h only (plain C11, as a
 * third party with any C compiler would), built several ways by
 * tests/loader/CMakeLists.txt. Exactly one FAKE_VARIANT_* macro selects what
 * the built shared object gets wrong (or right); the loader tests assert that
 * the host accepts or refuses each build with an actionable message.
 *
 *   FAKE_VARIANT_GOOD            plugin "fake", executor "fake": runs echo their input
 *   FAKE_VARIANT_WRONG_MAJOR     api_major 2
 *   FAKE_VARIANT_NEWER_MINOR     min_host_minor = ORK_PLUGIN_API_MINOR + 1
 *   FAKE_VARIANT_NO_ENTRY        exports no ork_plugin_describe
 *   FAKE_VARIANT_INIT_FAILS      init reports an error through host->set_error
 *   FAKE_VARIANT_DUPLICATE       a second plugin named "fake"
 *   FAKE_VARIANT_SAME_EXECUTOR   plugin "fake_twin" offering executor "fake" again
 *   FAKE_VARIANT_OLD_STORAGE     plugin "fake_store": a storage table of API 1.0
 *                                (struct_size ends before the 1.1 members)
 *   FAKE_VARIANT_LANGUAGE        plugin "fakelang": only a language (API 1.7),
 *                                ".fk" files, run on executor "fake"
 *   FAKE_VARIANT_PRE_LANGUAGE    plugin "fake_old": executor "fake_old" with a
 *                                1.6 descriptor whose `language` bytes lie past
 *                                struct_size and hold garbage
 *   FAKE_VARIANT_STORAGE_AND_EXECUTOR  plugin "fake_both": executor "fake_both"
 *                                and the API 1.0 storage table, scheme "bothstore"
 */
#include <ork/plugin.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(FAKE_VARIANT_WRONG_MAJOR)
#define FAKE_API_MAJOR 2
#else
#define FAKE_API_MAJOR ORK_PLUGIN_API_MAJOR
#endif

#if defined(FAKE_VARIANT_NEWER_MINOR)
#define FAKE_MIN_HOST_MINOR (ORK_PLUGIN_API_MINOR + 1)
#else
#define FAKE_MIN_HOST_MINOR 0
#endif

#if defined(FAKE_VARIANT_SAME_EXECUTOR)
#define FAKE_PLUGIN_NAME "fake_twin"
#elif defined(FAKE_VARIANT_OLD_STORAGE)
#define FAKE_PLUGIN_NAME "fake_store"
#elif defined(FAKE_VARIANT_LANGUAGE)
#define FAKE_PLUGIN_NAME "fakelang"
#elif defined(FAKE_VARIANT_PRE_LANGUAGE)
#define FAKE_PLUGIN_NAME "fake_old"
#elif defined(FAKE_VARIANT_STORAGE_AND_EXECUTOR)
#define FAKE_PLUGIN_NAME "fake_both"
#else
#define FAKE_PLUGIN_NAME "fake"
#endif

#if defined(FAKE_VARIANT_DUPLICATE)
#define FAKE_DESCRIPTION "second plugin named fake"
#elif defined(FAKE_VARIANT_OLD_STORAGE)
#define FAKE_DESCRIPTION "storage table of API 1.0"
#elif defined(FAKE_VARIANT_LANGUAGE)
#define FAKE_DESCRIPTION "test language for .fk files"
#elif defined(FAKE_VARIANT_STORAGE_AND_EXECUTOR)
#define FAKE_DESCRIPTION "storage and an executor in one plugin"
#else
#define FAKE_DESCRIPTION "test executor that echoes its input"
#endif

/* The error text of FAKE_VARIANT_INIT_FAILS, asserted verbatim by the tests. */
#define FAKE_INIT_ERROR "fake plugin cannot start: FAKE_BACKEND is not configured; set it and retry"

/* Per-load state from init: proves `state` reaches every call (the calls use
 * the host pointer kept in it) and is released by shutdown. */
typedef struct fake_state {
  const ork_host_api* host;
} fake_state;

static ork_str fake_str(const char* s) {
  ork_str out;
  out.ptr = s;
  out.len = strlen(s);
  return out;
}

static ork_status fake_init(const ork_host_api* host, void** out_state, ork_error* err) {
#if defined(FAKE_VARIANT_INIT_FAILS)
  host->set_error(err, fake_str(FAKE_INIT_ERROR));
  (void)out_state;
  return ORK_STATUS_ERROR;
#else
  fake_state* state = (fake_state*)calloc(1, sizeof *state);
  if (!state) {
    host->set_error(err, fake_str("fake plugin: out of memory"));
    return ORK_STATUS_ERROR;
  }
  state->host = host;
  *out_state = state;
  return ORK_STATUS_OK;
#endif
}

static void fake_shutdown(void* state) { free(state); }

#if !defined(FAKE_VARIANT_OLD_STORAGE)
/* Plain substring search over a {ptr, len} slice: the tests steer the fake
 * with marker words in JSON text, so no JSON parser is needed in C. */
static int fake_contains(ork_str haystack, const char* needle) {
  size_t n = strlen(needle);
  size_t i;
  if (!haystack.ptr || n > haystack.len) return 0;
  for (i = 0; i + n <= haystack.len; ++i) {
    if (memcmp(haystack.ptr + i, needle, n) == 0) return 1;
  }
  return 0;
}
#endif

#if defined(FAKE_VARIANT_OLD_STORAGE) || defined(FAKE_VARIANT_STORAGE_AND_EXECUTOR)
/* A store built against API 1.0: its table stops before the 1.1 members, and
 * the host must accept it and never read past struct_size. The loader tests
 * only inspect the table, so every store call declines with UNSUPPORTED. */
static ork_status fake_store_open(void* state, ork_str url, void** out_store, ork_error* err) {
  fake_state* s = (fake_state*)state;
  (void)url;
  *out_store = NULL;
  s->host->set_error(err, fake_str("fake_store only exists to be loaded; it cannot open stores"));
  return ORK_STATUS_UNSUPPORTED;
}

static void fake_store_close(void* store) { (void)store; }

#if defined(FAKE_VARIANT_STORAGE_AND_EXECUTOR)
static const char* const fake_store_schemes[] = {"bothstore", NULL};
#else
static const char* const fake_store_schemes[] = {"fakestore", NULL};
#endif

/* Stands in for whatever a 1.0 plugin's memory holds after its table: the
 * host must never call it, because it lies past struct_size. */
static ork_status fake_store_past_its_size(void* store, ork_str run_id, ork_str owner, ork_str dead_owner,
                                           int64_t now, int64_t lease_ms, int* out_claimed, ork_error* err) {
  (void)store, (void)run_id, (void)owner, (void)dead_owner, (void)now, (void)lease_ms, (void)out_claimed, (void)err;
  abort();
}

static const ork_storage_vtable fake_storage = {
    .struct_size = (uint32_t)offsetof(ork_storage_vtable, claim_run),
    .url_schemes = fake_store_schemes,
    .open = &fake_store_open,
    .close = &fake_store_close,
    .claim_run = &fake_store_past_its_size,
};
#define FAKE_STORAGE_TABLE (&fake_storage)
#else
#define FAKE_STORAGE_TABLE NULL
#endif

#if defined(FAKE_VARIANT_LANGUAGE)
/* ---- the language "fakelang" ---- */

static const char* const fake_lang_extensions[] = {".fk", NULL};
static const char* const fake_lang_task_keys[] = {"flavour", NULL};
static const char* const fake_lang_executors[] = {"fake", NULL};

static ork_status fake_lang_describe(void* state, const ork_json_sink* out, ork_error* err) {
  (void)state, (void)err;
  out->write(out->ctx, fake_str("{\"toolchain\": \"fakec\", \"found\": true, \"version\": \"9.9\", "
                                "\"path\": \"/usr/bin/fakec\"}"));
  return ORK_STATUS_OK;
}

/* The function name steers the fake: "missing" is not found, "broken" has a
 * syntax error at line 3 column 7 of the task's file, "explode" breaks the
 * plugin; every other function is (x: int, y: str = ...) -> int. */
static ork_status fake_lang_introspect(void* state, const ork_language_task* task, const ork_check_sink* sink,
                                       ork_error* err) {
  fake_state* s = (fake_state*)state;
  char message[512];
  if (fake_contains(task->function, "explode")) {
    s->host->set_error(err, fake_str("fake language exploded on purpose"));
    return ORK_STATUS_ERROR;
  }
  if (fake_contains(task->function, "missing")) {
    sink->error(sink->ctx, fake_str("function"), fake_str("no function 'missing' in the file"));
    return ORK_STATUS_OK;
  }
  if (fake_contains(task->function, "broken")) {
    int n = snprintf(message, sizeof message, "%.*s:3:7: syntax error: expected ')'", (int)task->file.len,
                     task->file.ptr);
    ork_str text = {message, (size_t)n};
    sink->error(sink->ctx, fake_str("file"), text);
    return ORK_STATUS_OK;
  }
  sink->signature(sink->ctx, fake_str("{\"inputs\": {\"x\": \"int\", \"y\": \"str\"}, \"output\": \"int\", "
                                      "\"defaults\": [\"y\"]}"));
  return ORK_STATUS_OK;
}

/* Answers the fake executor's config: {"mode": "<function>@<executor>"};
 * a function named "nobuild" fails to build at line 2 column 1. */
static ork_status fake_lang_prepare(void* state, const ork_language_task* task, const ork_check_sink* sink,
                                    const ork_json_sink* out, ork_error* err) {
  char json[512];
  int n;
  (void)state, (void)err;
  if (fake_contains(task->function, "nobuild")) {
    n = snprintf(json, sizeof json, "%.*s:2:1: error: fakec cannot build this", (int)task->file.len, task->file.ptr);
    ork_str text = {json, (size_t)n};
    sink->error(sink->ctx, fake_str("file"), text);
    return ORK_STATUS_OK;
  }
  n = snprintf(json, sizeof json, "{\"config\": {\"mode\": \"%.*s@%.*s\", \"build_dir\": \"%.*s\"}}",
               (int)task->function.len, task->function.ptr, (int)task->executor.len, task->executor.ptr,
               (int)task->build_dir.len, task->build_dir.ptr);
  ork_str text = {json, (size_t)n};
  out->write(out->ctx, text);
  return ORK_STATUS_OK;
}

static const ork_language_vtable fake_language = {
    ORK_STRUCT_SIZE(ork_language_vtable), "fakelang",           fake_lang_extensions, fake_lang_task_keys,
    fake_lang_executors,                  &fake_lang_describe, &fake_lang_introspect, &fake_lang_prepare,
};
#define FAKE_EXECUTOR_TABLE NULL
#define FAKE_LANGUAGE_TABLE (&fake_language)
#elif !defined(FAKE_VARIANT_OLD_STORAGE)
/* ---- the executor "fake" ---- */

/* Reports a fixed signature; a config mentioning "reject" earns an error on
 * the `mode` key and one mentioning "explode" makes the check itself break. */
static ork_status fake_check_task(void* state, const ork_task_spec* spec, const ork_check_sink* sink,
                                  ork_error* err) {
  fake_state* s = (fake_state*)state;
  if (fake_contains(spec->config_json, "explode")) {
    s->host->set_error(err, fake_str("fake check exploded on purpose"));
    return ORK_STATUS_ERROR;
  }
  if (fake_contains(spec->config_json, "reject")) {
    sink->error(sink->ctx, fake_str("mode"), fake_str("mode 'reject' is refused by the fake executor"));
  }
  sink->signature(sink->ctx, fake_str("{\"inputs\": {\"x\": \"int\"}, \"output\": \"int\"}"));
  return ORK_STATUS_OK;
}

/* Echoes the input as the output and logs one line on each stream. An input
 * mentioning "please_fail" fails the task; "please_break" breaks the executor. */
static ork_status fake_run_task(void* state, const ork_task_request* request, const ork_task_sink* sink,
                                ork_error* err) {
  fake_state* s = (fake_state*)state;
  ork_str none = {NULL, 0};
  if (fake_contains(request->input_json, "please_break")) {
    s->host->set_error(err, fake_str("fake executor broke on purpose"));
    return ORK_STATUS_ERROR;
  }
  sink->log(sink->ctx, ORK_LOG_STDOUT, request->spec->task_name);
  sink->log(sink->ctx, ORK_LOG_STDERR, fake_str("fake stderr line"));
  if (fake_contains(request->input_json, "please_fail")) {
    sink->finish(sink->ctx, ORK_TASK_FAILED, none, fake_str("the input asked the fake task to fail"));
  } else {
    sink->finish(sink->ctx, ORK_TASK_SUCCEEDED, request->input_json, none);
  }
  return ORK_STATUS_OK;
}

static void fake_cancel_task(void* state, uint64_t attempt_token) {
  (void)state;
  (void)attempt_token;
}

static const char* const fake_task_keys[] = {"mode", NULL};

static const ork_executor_vtable fake_executor = {
    ORK_STRUCT_SIZE(ork_executor_vtable),
#if defined(FAKE_VARIANT_PRE_LANGUAGE)
    "fake_old",
#elif defined(FAKE_VARIANT_STORAGE_AND_EXECUTOR)
    "fake_both",
#else
    "fake",
#endif
    fake_task_keys,
    ORK_EXECUTOR_INTROSPECTS,
    &fake_check_task,
    &fake_run_task,
    &fake_cancel_task,
    NULL, /* warm */
};

#define FAKE_EXECUTOR_TABLE (&fake_executor)
#if defined(FAKE_VARIANT_PRE_LANGUAGE)
/* What follows a 1.6 descriptor in the plugin's memory: never to be read. */
#define FAKE_LANGUAGE_TABLE ((const ork_language_vtable*)(uintptr_t)0x1)
#define FAKE_DESCRIPTOR_SIZE ((uint32_t)offsetof(ork_plugin_descriptor, language))
#else
#define FAKE_LANGUAGE_TABLE NULL
#endif
#else
#define FAKE_EXECUTOR_TABLE NULL
#define FAKE_LANGUAGE_TABLE NULL
#endif

#ifndef FAKE_DESCRIPTOR_SIZE
#define FAKE_DESCRIPTOR_SIZE ORK_STRUCT_SIZE(ork_plugin_descriptor)
#endif

static const ork_plugin_descriptor fake_descriptor = {
    FAKE_DESCRIPTOR_SIZE,
    FAKE_API_MAJOR,
    FAKE_MIN_HOST_MINOR,
    FAKE_PLUGIN_NAME,
    "0.0.1",
    FAKE_DESCRIPTION,
    &fake_init,
    &fake_shutdown,
    FAKE_EXECUTOR_TABLE,
    FAKE_STORAGE_TABLE,
    FAKE_LANGUAGE_TABLE,
};

#if defined(FAKE_VARIANT_NO_ENTRY)
/* A misspelt entry point: the host must not find ork_plugin_describe. */
ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_descriptor_v1(void) { return &fake_descriptor; }
#else
ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_describe(void) { return &fake_descriptor; }
#endif
