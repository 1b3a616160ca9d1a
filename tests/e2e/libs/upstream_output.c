/* A task library in the style of the upstream ork's Rust SDK
 * (`ork_task_library!`): `ork_task_run` returns its result prefixed with
 * "ORK_OUTPUT:", which the library executor strips. It sums the integers of
 * the input's "values" list (the first "[...]" after the key) and counts them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char* ork_task_run(const char* input_json) {
  long long sum = 0;
  long count = 0;
  const char* key = strstr(input_json, "\"values\"");
  const char* at = key ? strchr(key, '[') : NULL;
  if (at) {
    ++at;
    while (*at && *at != ']') {
      char* end = NULL;
      long long value = strtoll(at, &end, 10);
      if (end == at) {
        ++at;
        continue;
      }
      sum += value;
      ++count;
      at = end;
    }
  }
  char* out = malloc(96);
  if (out) snprintf(out, 96, "ORK_OUTPUT:{\"sum\": %lld, \"count\": %ld}", sum, count);
  return out;
}

void ork_task_free(char* result) { free(result); }
