/* Calls into a storage plugin with values of the C ABI's enums that no
 * enumerator names, as a newer host might send them. Written in C: there an
 * int converts to an enum type with any value, while in C++ an out-of-range
 * enum value is undefined behaviour (which UBSan rightly stops). Used by the
 * storage conformance suite (storage_support.cpp). */
#include <ork/plugin.h>

#include <string.h>

ork_status ork_test_query_raw(const ork_storage_vtable* vtable, void* store, int kind, ork_str params,
                              const ork_json_sink* out, ork_error* err) {
  return vtable->query(store, (ork_query_kind)kind, params, out, err);
}

void ork_test_set_stream_raw(ork_log_line* line, int stream) { line->stream = (ork_log_stream)stream; }
