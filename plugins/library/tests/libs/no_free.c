/* A broken task library: a task but no ork_task_free. */
#include <ork/task.h>

ORK_TASK_EXPORT char* ork_task_run(const char* input_json) {
  (void)input_json;
  return 0;
}
