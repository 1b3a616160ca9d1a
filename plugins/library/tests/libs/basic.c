/* A task library in plain C covering the task ABI's cases: a default task,
 * named tasks with their own signatures, failures with ork_task_last_error,
 * invalid JSON, a crash, a slow call and log output. */
#include <ork/task.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Thread_local char last_error[256];

static char* copy_text(const char* text) {
  size_t n = strlen(text);
  char* out = malloc(n + 1);
  if (out != NULL) memcpy(out, text, n + 1);
  return out;
}

ORK_TASK_EXPORT void ork_task_free(char* text) { free(text); }

ORK_TASK_EXPORT const char* ork_task_last_error(void) { return last_error; }

ORK_TASK_EXPORT const char* ork_task_signature(void) { return "{\"inputs\": {}, \"output\": \"{echo: Any}\"}"; }

/* {"echo": <input>} */
ORK_TASK_EXPORT char* ork_task_run(const char* input_json) {
  size_t n = strlen(input_json) + 16;
  char* out = malloc(n);
  if (out != NULL) snprintf(out, n, "{\"echo\":%s}", input_json);
  return out;
}

ORK_TASK_EXPORT const char* length_of_signature(void) {
  return "{\"inputs\": {\"text\": \"str\"}, \"output\": \"int\"}";
}

/* The length of the input text, as a JSON number. */
ORK_TASK_EXPORT char* length_of(const char* input_json) {
  char out[32];
  snprintf(out, sizeof out, "%zu", strlen(input_json));
  return copy_text(out);
}

ORK_TASK_EXPORT char* fails_with_message(const char* input_json) {
  (void)input_json;
  snprintf(last_error, sizeof last_error, "the numbers do not add up");
  return NULL;
}

ORK_TASK_EXPORT char* returns_invalid_json(const char* input_json) {
  (void)input_json;
  return copy_text("{not json");
}

/* A real SIGSEGV on purpose: exempt from UBSan, which in a sanitizer build
   (scripts/sanitize.sh asan) would stop the worker at the null store with its
   own exit code before the signal the test expects. */
__attribute__((no_sanitize("undefined")))
ORK_TASK_EXPORT char* crashes(const char* input_json) {
  (void)input_json;
  volatile int* nowhere = NULL;
  *nowhere = 1;
  return NULL;
}

/* Sleeps 3 seconds, then returns "slept". */
ORK_TASK_EXPORT char* sleeps(const char* input_json) {
  (void)input_json;
  struct timespec delay = {3, 0};
  nanosleep(&delay, NULL);
  return copy_text("\"slept\"");
}

ORK_TASK_EXPORT char* prints(const char* input_json) {
  (void)input_json;
  printf("to stdout\n");
  fprintf(stderr, "to stderr\nno newline");
  return copy_text("true");
}

static atomic_int calls_in_flight;
static atomic_int most_in_flight;

/* Holds the call 20 ms and reports the most calls seen at once so far. */
ORK_TASK_EXPORT char* counts_overlap(const char* input_json) {
  (void)input_json;
  int now = atomic_fetch_add(&calls_in_flight, 1) + 1;
  int seen = atomic_load(&most_in_flight);
  while (now > seen && !atomic_compare_exchange_weak(&most_in_flight, &seen, now)) {
  }
  struct timespec delay = {0, 20 * 1000 * 1000};
  nanosleep(&delay, NULL);
  atomic_fetch_sub(&calls_in_flight, 1);
  char out[32];
  snprintf(out, sizeof out, "%d", atomic_load(&most_in_flight));
  return copy_text(out);
}

ORK_TASK_EXPORT const char* bad_signature_signature(void) { return "{\"inputs\": "; }

ORK_TASK_EXPORT char* bad_signature(const char* input_json) { return ork_task_run(input_json); }

/* Returns its result the way the upstream ork's Rust SDK does, prefixed
 * with "ORK_OUTPUT:"; "ORK_OUTPUT:{not json" when the input says "bad". */
ORK_TASK_EXPORT char* prefixed(const char* input_json) {
  if (strstr(input_json, "bad") != NULL) return copy_text("ORK_OUTPUT:{not json");
  return copy_text("ORK_OUTPUT:{\"sum\": 6}");
}
