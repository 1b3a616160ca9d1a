/* Built twice, with RELOAD_VERSION 1 and 2, to test that a library replaced
 * on disk is loaded anew. */
#include <ork/task.h>

#include <stdlib.h>
#include <string.h>

ORK_TASK_EXPORT void ork_task_free(char* text) { free(text); }

ORK_TASK_EXPORT char* ork_task_run(const char* input_json) {
  (void)input_json;
  const char* version = RELOAD_VERSION == 1 ? "1" : "2";
  char* out = malloc(2);
  if (out != NULL) memcpy(out, version, 2);
  return out;
}
