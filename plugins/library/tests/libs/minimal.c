/* The least a task library can export: a task and ork_task_free, with no
 * ork_task_last_error and no signature. */
#include <ork/task.h>

#include <stdlib.h>
#include <string.h>

ORK_TASK_EXPORT void ork_task_free(char* text) { free(text); }

/* Fails (NULL) when the input mentions "fail", else returns 1. */
ORK_TASK_EXPORT char* ork_task_run(const char* input_json) {
  if (strstr(input_json, "fail") != NULL) return NULL;
  char* out = malloc(2);
  if (out != NULL) memcpy(out, "1", 2);
  return out;
}
