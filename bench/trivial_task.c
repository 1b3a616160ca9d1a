/*
 * The task of bench/library_bench.py: about the least work a library task
 * can do (measure its input, return a tiny JSON object), so that the
 * benchmark measures ork's per-task overhead and not the task. The same
 * function is called by ork through the library executor and, for the
 * baseline, directly in a loop by direct_loop.c.
 */
#include <ork/task.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_error[64];

ORK_TASK_EXPORT void ork_task_free(char* text) { free(text); }

ORK_TASK_EXPORT const char* ork_task_last_error(void) { return last_error; }

ORK_TASK_EXPORT int ork_task_abi_version(void) { return ORK_TASK_ABI_VERSION; }

ORK_TASK_EXPORT const char* measure_input_signature(void) {
  return "{\"inputs\": {}, \"output\": {\"bytes\": \"int\"}}";
}

/* {"bytes": <length of the input JSON>} */
ORK_TASK_EXPORT char* measure_input(const char* input_json) {
  enum { capacity = 32 };
  char* out = malloc(capacity);
  if (out == NULL) {
    snprintf(last_error, sizeof last_error, "out of memory");
    return NULL;
  }
  snprintf(out, capacity, "{\"bytes\":%zu}", strlen(input_json));
  return out;
}
