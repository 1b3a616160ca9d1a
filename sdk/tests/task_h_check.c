/* Compiled as C11: ork/task.h must stay a plain C header. */
#include <ork/task.h>

#include <stdlib.h>
#include <string.h>

_Static_assert(ORK_TASK_ABI_VERSION == 1, "the task ABI version is frozen at 1 until the ABI changes");

ORK_TASK_EXPORT char* ork_task_h_check_run(const char* input_json) {
  size_t n = strlen(input_json);
  char* out = malloc(n + 1);
  if (out != NULL) memcpy(out, input_json, n + 1);
  return out;
}

ORK_TASK_EXPORT void ork_task_h_check_free(char* text) { free(text); }

/* The typedefs must match functions written the documented way. */
static const ork_task_run_fn check_run_shape = &ork_task_h_check_run;
static const ork_task_free_fn check_free_shape = &ork_task_h_check_free;

const void* ork_task_h_check_shapes(void) {
  return check_run_shape != NULL && check_free_shape != NULL ? (const void*)&check_run_shape : NULL;
}
