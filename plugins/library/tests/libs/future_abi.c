/* A task library built for a task ABI this executor does not speak. */
#include <ork/task.h>

#include <stdlib.h>

ORK_TASK_EXPORT int ork_task_abi_version(void) { return ORK_TASK_ABI_VERSION + 1; }
ORK_TASK_EXPORT void ork_task_free(char* text) { free(text); }
ORK_TASK_EXPORT char* ork_task_run(const char* input_json) {
  (void)input_json;
  return NULL;
}
