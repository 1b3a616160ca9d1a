// The C++ task SDK's library exports (included through ork/task.hpp): the
// C ABI of ork/task.h for a typed function, with ORK_LIBRARY_TASK(fn) or
// ORK_LIBRARY_TASK_NAMED(fn, symbol). No exception crosses the ABI.
#pragma once

#include <ork/task.h>
#include <ork/task_types.hpp>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>

namespace ork::sdk::detail {

// The thread's message for ork_task_last_error.
inline std::string& last_error() {
  thread_local std::string message;
  return message;
}

inline void set_last_error(std::string_view message) noexcept {
  try {
    last_error().assign(message);
  } catch (...) {
    last_error().clear();  // out of memory: an empty message beats none
  }
}

inline char* malloc_copy(std::string_view text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

// The body of an exported task function: never throws, NULL + last_error on
// any failure.
template <auto Fn>
char* library_call(const char* input_json) noexcept {
  try {
    auto fn = Fn;
    std::string_view text = input_json != nullptr ? std::string_view(input_json) : std::string_view("{}");
    boost::json::value output = call_task(fn, parse_input(text));
    return malloc_copy(boost::json::serialize(output));
  } catch (const InputError& e) {
    set_last_error(std::string("ork task input: ") + e.what());
  } catch (const std::exception& e) {
    set_last_error(e.what());
  } catch (...) {
    set_last_error("the task threw an exception that is not a std::exception");
  }
  return nullptr;
}

template <auto Fn>
const char* library_signature() noexcept {
  try {
    static const std::string signature = signature_of<decltype(Fn)>();
    return signature.c_str();
  } catch (...) {
    return nullptr;  // no memory for the text: report no signature rather than crash
  }
}

}  // namespace ork::sdk::detail

// The support functions of the task ABI. Defined inline and marked `used` so
// that every library including this header exports them exactly once, however
// many tasks it declares.
extern "C" {
ORK_TASK_EXPORT __attribute__((used)) inline void ork_task_free(char* text) noexcept { std::free(text); }
ORK_TASK_EXPORT __attribute__((used)) inline const char* ork_task_last_error(void) noexcept {
  return ::ork::sdk::detail::last_error().c_str();
}
ORK_TASK_EXPORT __attribute__((used)) inline int ork_task_abi_version(void) noexcept { return ORK_TASK_ABI_VERSION; }
}

// Exports `fn` as the library's default task: `ork_task_run` and
// `ork_task_signature`.
#define ORK_LIBRARY_TASK(fn) ORK_DETAIL_LIBRARY_TASK(fn, ork_task_run, ork_task_signature)

// Exports `fn` as task `symbol` (YAML `function: symbol`) with its signature
// as `symbol_signature`; use once per task to put several in one library.
#define ORK_LIBRARY_TASK_NAMED(fn, symbol) ORK_DETAIL_LIBRARY_TASK(fn, symbol, symbol##_signature)

#define ORK_DETAIL_LIBRARY_TASK(fn, symbol, signature_symbol)                        \
  extern "C" ORK_TASK_EXPORT char* symbol(const char* input_json) noexcept {         \
    return ::ork::sdk::detail::library_call<&fn>(input_json);                         \
  }                                                                                   \
  extern "C" ORK_TASK_EXPORT const char* signature_symbol(void) noexcept {           \
    return ::ork::sdk::detail::library_signature<&fn>();                              \
  }
