// A C++ task library whose author forgot extern "C": the symbol is mangled.
#include <cstdlib>

extern "C" __attribute__((visibility("default"))) void ork_task_free(char* text) { std::free(text); }

__attribute__((visibility("default"))) char* sum_numbers(const char* input_json) {
  (void)input_json;
  return nullptr;
}
