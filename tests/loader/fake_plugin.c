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
 */
#include <ork/plugin.h>

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
#else
#define FAKE_PLUGIN_NAME "fake"
#endif

#if defined(FAKE_VARIANT_DUPLICATE)
#define FAKE_DESCRIPTION "second plugin named fake"
#elif defined(FAKE_VARIANT_OLD_STORAGE)
#define FAKE_DESCRIPTION "storage table of API 1.0"
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
/* ---- the executor "fake" ---- */

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
    "fake",
    fake_task_keys,
    ORK_EXECUTOR_INTROSPECTS,
    &fake_check_task,
    &fake_run_task,
    &fake_cancel_task,
};

#define FAKE_EXECUTOR_TABLE (&fake_executor)
#define FAKE_STORAGE_TABLE NULL
#else
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

static const char* const fake_store_schemes[] = {"fakestore", NULL};

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
#define FAKE_EXECUTOR_TABLE NULL
#define FAKE_STORAGE_TABLE (&fake_storage)
#endif

static const ork_plugin_descriptor fake_descriptor = {
    ORK_STRUCT_SIZE(ork_plugin_descriptor),
    FAKE_API_MAJOR,
    FAKE_MIN_HOST_MINOR,
    FAKE_PLUGIN_NAME,
    "0.0.1",
    FAKE_DESCRIPTION,
    &fake_init,
    &fake_shutdown,
    FAKE_EXECUTOR_TABLE,
    FAKE_STORAGE_TABLE,
    NULL, /* language (since 1.7) */
};

#if defined(FAKE_VARIANT_NO_ENTRY)
/* A misspelt entry point: the host must not find ork_plugin_describe. */
ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_descriptor_v1(void) { return &fake_descriptor; }
#else
ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_describe(void) { return &fake_descriptor; }
#endif
