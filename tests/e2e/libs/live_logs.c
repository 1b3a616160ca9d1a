/* A library task for the live-logs tests: prints one line to stdout and one
 * to stderr, then waits (at most 60 s) until the file named by its "gate"
 * input exists, so a test can look at the logs while the call is still
 * running. */
#include <ork/task.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

ORK_TASK_EXPORT void ork_task_free(char* text) { free(text); }

ORK_TASK_EXPORT const char* print_then_wait_signature(void) {
  return "{\"inputs\": {\"gate\": \"str\"}, \"output\": \"str\"}";
}

/* The value of "gate" in the input object (a plain path: no escapes). */
static int gate_path(const char* input_json, char* path, size_t size) {
  const char* key = strstr(input_json, "\"gate\"");
  if (key == NULL) return 0;
  const char* start = strchr(key + 6, '"');
  if (start == NULL) return 0;
  const char* end = strchr(start + 1, '"');
  if (end == NULL || (size_t)(end - start) >= size) return 0;
  memcpy(path, start + 1, (size_t)(end - start - 1));
  path[end - start - 1] = '\0';
  return 1;
}

ORK_TASK_EXPORT char* print_then_wait(const char* input_json) {
  char path[4096];
  if (!gate_path(input_json, path, sizeof path)) return NULL;
  printf("library says one\n");
  fprintf(stderr, "library says two\n");
  struct timespec tick = {0, 20 * 1000 * 1000};
  for (int i = 0; i < 3000 && access(path, F_OK) != 0; ++i) nanosleep(&tick, NULL);
  char* out = malloc(8);
  if (out != NULL) memcpy(out, "\"done\"", 7);
  return out;
}
