// Tasks that fail: by throwing, and by crashing the process.
#include <csignal>
#include <cstdint>
#include <stdexcept>

std::int64_t fail(std::int64_t x) {
  if (x > 0) throw std::runtime_error("x must not be positive, got " + std::to_string(x));
  return x;
}

std::int64_t segfault(std::int64_t x) {
  std::raise(SIGSEGV);
  return x;
}
