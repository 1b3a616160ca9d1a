// What both halves of the C++ plugin wrapper share (included through
// ork/plugin.hpp; plugin authors do not include it themselves): string views
// over `ork_str`, the host's services, the exceptions that map to statuses,
// and `guarded`, the one place where an exception is turned into a status so
// that none ever crosses the C boundary.
#pragma once

#include <ork/plugin.h>

#include <exception>
#include <stdexcept>
#include <string_view>

namespace ork::plugin {

// Borrowed views in both directions: neither copies, so both are valid only
// as long as the string they view (see "Ownership" in plugin.h).
inline std::string_view view(ork_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }
inline ork_str str(std::string_view s) { return ork_str{s.data(), s.size()}; }

// The host's services, set once by the init trampoline.
inline const ork_host_api*& host_api() {
  static const ork_host_api* api = nullptr;
  return api;
}

// A diagnostic shown with `ork -v` (0 debug, 1 info, 2 warning, 3 error).
inline void diagnostic(int level, std::string_view message) {
  if (const ork_host_api* api = host_api(); api && api->log) api->log(level, str(message));
}

// Thrown by a plugin to answer ORK_STATUS_NOT_FOUND / ORK_STATUS_CONFLICT /
// ORK_STATUS_UNSUPPORTED; any other std::exception answers ORK_STATUS_ERROR.
struct NotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Conflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {

inline void set_error(ork_error* err, std::string_view message) {
  if (const ork_host_api* api = host_api(); api && api->set_error) api->set_error(err, str(message));
}

// Runs `body`, mapping exceptions to statuses and messages.
template <typename Body>
ork_status guarded(ork_error* err, Body&& body) noexcept {
  try {
    body();
    return ORK_STATUS_OK;
  } catch (const NotFound& e) {
    set_error(err, e.what());
    return ORK_STATUS_NOT_FOUND;
  } catch (const Conflict& e) {
    set_error(err, e.what());
    return ORK_STATUS_CONFLICT;
  } catch (const Unsupported& e) {
    set_error(err, e.what());
    return ORK_STATUS_UNSUPPORTED;
  } catch (const std::exception& e) {
    set_error(err, e.what());
    return ORK_STATUS_ERROR;
  } catch (...) {
    set_error(err, "unknown C++ exception in plugin");
    return ORK_STATUS_ERROR;
  }
}

template <typename Plugin>
ork_status init(const ork_host_api* host, void** out_state, ork_error* err) {
  host_api() = host;
  return guarded(err, [&] { *out_state = new Plugin(); });
}

template <typename Plugin>
void shutdown(void* state) {
  delete static_cast<Plugin*>(state);
}

}  // namespace detail
}  // namespace ork::plugin
