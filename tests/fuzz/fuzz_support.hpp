// Shared by the fuzz targets of tests/fuzz: the libFuzzer entry point's
// signature, and a check that stops the run when a property the code
// promises does not hold — libFuzzer (or the corpus replay of the normal
// test suite) reports it like a crash, with the input that caused it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace ork::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `text` at its first newline: {first line, the rest}.
inline std::pair<std::string_view, std::string_view> first_line(std::string_view text) {
  std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return {text, {}};
  return {text.substr(0, newline), text.substr(newline + 1)};
}

[[noreturn]] inline void property_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", file, line, what);
  std::abort();
}

}  // namespace ork::fuzz

#define ORK_FUZZ_CHECK(condition) \
  ((condition) ? (void)0 : ::ork::fuzz::property_failed(#condition, __FILE__, __LINE__))
