/*
 * The baseline of bench/library_bench.py: loads the benchmark's task library
 * and calls its task function directly in a plain loop, in one process, the
 * way ork's library executor calls it (input in, JSON text out, freed with
 * the library's ork_task_free), minus everything ork adds around the call.
 *
 * Usage: ork-bench-direct-loop LIBRARY FUNCTION CALLS REPEATS
 * Prints the median over REPEATS of the mean nanoseconds per call.
 */
#include <ork/task.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare_doubles(const void* a, const void* b) {
  double x = *(const double*)a;
  double y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s LIBRARY FUNCTION CALLS REPEATS\n", argv[0]);
    return 2;
  }
  long calls = strtol(argv[3], NULL, 10);
  long repeats = strtol(argv[4], NULL, 10);
  if (calls < 1 || repeats < 1 || repeats > 1000) {
    fprintf(stderr, "CALLS must be >= 1 and REPEATS between 1 and 1000\n");
    return 2;
  }
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
    return 1;
  }
  /* ISO C has no cast from an object pointer (what dlsym returns) to a
   * function pointer; POSIX guarantees the representation, so copy it. */
  void* task_symbol = dlsym(library, argv[2]);
  void* free_symbol = dlsym(library, ORK_TASK_FREE_SYMBOL);
  if (task_symbol == NULL || free_symbol == NULL) {
    fprintf(stderr, "%s exports no %s or no " ORK_TASK_FREE_SYMBOL "\n", argv[1], argv[2]);
    return 1;
  }
  ork_task_run_fn task;
  ork_task_free_fn release;
  memcpy(&task, &task_symbol, sizeof task);
  memcpy(&release, &free_symbol, sizeof release);
  /* What a task of the benchmark's fan receives: its upstream's output. */
  const char* input = "{\"upstream\":{\"root\":{\"bytes\":2}}}";
  double samples[1000];
  for (long r = 0; r < repeats; ++r) {
    double start = now_ns();
    for (long i = 0; i < calls; ++i) {
      char* out = task(input);
      if (out == NULL) {
        fprintf(stderr, "%s returned NULL\n", argv[2]);
        return 1;
      }
      release(out);
    }
    samples[r] = (now_ns() - start) / (double)calls;
  }
  qsort(samples, (size_t)repeats, sizeof samples[0], compare_doubles);
  printf("%.1f\n", samples[repeats / 2]);
  return 0;
}
