// The size and time limits of `ork serve`'s HTTP layer, in one place so that
// docs/reliability.md (the Limits table) and docs/serve.md can name them and
// the tests can check behaviour at and past each one. Included by the HTTP
// server, the event hub, the run-graph cache and their tests.
#pragma once

#include <ork/limits.h>

#include <chrono>
#include <cstddef>

namespace ork::host::http_limits {

// A request body larger than this is answered 413 (HttpServerOptions can
// lower or raise it per server).
inline constexpr std::size_t max_body_bytes = ORK_MAX_REQUEST_BODY_BYTES;

// Past max_body_bytes the body of an authorised request is still read and
// dropped up to this much, so its client sees the 413 instead of a reset.
inline constexpr std::size_t max_drained_bytes = 64u << 20;

// A refused request (bad token, Host, Origin or Content-Type) is answered
// without reading its body; a declared body up to this size is drained
// afterwards (within body_read_deadline) so the answer is not lost to a reset.
inline constexpr std::size_t max_refused_drain_bytes = 64u << 10;

// Open connections from one client address at once; more are closed at
// once, before they take a request thread.
inline constexpr int max_connections_per_address = 16;

// Each read of a request line, header or body waits at most this long for
// bytes (Poco's socket receive timeout); a client that sends nothing for
// this long loses its connection.
inline constexpr std::chrono::seconds socket_read_timeout{10};

// A whole request body must arrive within this time (408 past it).
inline constexpr std::chrono::seconds body_read_deadline{10};

// An idle keep-alive connection is closed after this time, and after this
// many requests.
inline constexpr std::chrono::seconds keep_alive_timeout{5};
inline constexpr int max_keep_alive_requests = 100;

// Events one event-stream client holds in memory: its live queue (a reader
// slower than this is dropped) and the page size of its catch-up from the
// store after Last-Event-ID.
inline constexpr std::size_t max_queued_events = 100'000;
inline constexpr int catch_up_page_events = 1000;

// Workflow versions whose run graph is kept in memory.
inline constexpr std::size_t graph_cache_versions = 1000;

}  // namespace ork::host::http_limits
