/*
 * Compile test of the plugin ABI header as C11 (-std=c11 -Wall -Wextra
 * -Wpedantic -Werror): proves ork/plugin.h and ork/limits.h stay plain C
 * that any C compiler accepts, and freezes the layout of ABI 1.x on x86_64. Every member of every
 * struct keeps its offset and every struct its size: members may only be
 * added at the end (with a `since 1.N` comment), which changes the frozen
 * size on purpose and must then be reflected here. A failing assert breaks
 * the build; that is the test. The tiny main() runs as a ctest so the suite
 * counts it. The numbers were measured with offsetof/sizeof on x86_64 (LP64,
 * g++/clang) from the header as it stood at API 1.1.
 */
#include <ork/limits.h>
#include <ork/plugin.h>
#include <ork/storage_queries.h> /* compiled as strict C11 too */

#include <stddef.h>
#include <string.h>

#define ORK_FREEZE_OFFSET(type, member, offset)                                                    \
  _Static_assert(offsetof(type, member) == (offset), #type "." #member                             \
                 " moved: ABI 1.x structs only grow at their end; moving a member is a major bump")
#define ORK_FREEZE_SIZE(type, size)                                                                \
  _Static_assert(sizeof(type) == (size), "sizeof(" #type ") changed: a member was added, removed " \
                 "or resized; appending (since 1.N) is a minor bump, anything else a major one")

/* ork/limits.h is plain C too: every limit is an integer constant expression. */
_Static_assert(ORK_MAX_YAML_NODES > 0 && ORK_MAX_YAML_DEPTH > 0 && ORK_MAX_TYPE_DEPTH > 0 && ORK_MAX_TYPE_NODES > 0 &&
                   ORK_MAX_JSON_DEPTH > 0 && ORK_MAX_OUTPUT_BYTES > 0 && ORK_MAX_LOG_LINE_BYTES > 0 &&
                   ORK_DEFAULT_ATTEMPT_LOG_BYTES > 0 && ORK_MAX_REQUEST_BODY_BYTES > 0,
               "limits are positive integer constants");
_Static_assert(ORK_MAX_YAML_DEPTH <= ORK_MAX_TYPE_DEPTH, "a constant's inferred type is as deep as the constant");

/* Values that cross the boundary as numbers. */
_Static_assert(ORK_PLUGIN_API_MAJOR == 1, "this file freezes ABI 1.x; a new major needs a new freeze");
_Static_assert(ORK_PLUGIN_API_MINOR >= 6, "this file freezes members up to 1.6; the minor version only grows");
_Static_assert(sizeof(ork_status) == 4 && sizeof(ork_log_stream) == 4 && sizeof(ork_task_outcome) == 4 &&
                   sizeof(ork_query_kind) == 4,
               "enums cross the boundary as 4-byte ints");
_Static_assert(ORK_STATUS_OK == 0 && ORK_STATUS_ERROR == 1 && ORK_STATUS_UNSUPPORTED == 2 &&
                   ORK_STATUS_NOT_FOUND == 3 && ORK_STATUS_CONFLICT == 4,
               "ork_status values are frozen");
_Static_assert(ORK_LOG_STDOUT == 1 && ORK_LOG_STDERR == 2 && ORK_LOG_SYSTEM == 3, "ork_log_stream values are frozen");
_Static_assert(ORK_TASK_SUCCEEDED == 0 && ORK_TASK_FAILED == 1 && ORK_TASK_TIMED_OUT == 2 && ORK_TASK_CANCELLED == 3,
               "ork_task_outcome values are frozen");
_Static_assert(ORK_QUERY_LIST_RUNS == 1 && ORK_QUERY_GET_RUN == 2 && ORK_QUERY_LOGS == 3 && ORK_QUERY_EVENTS == 4 &&
                   ORK_QUERY_LIST_WORKFLOWS == 5 && ORK_QUERY_GET_WORKFLOW == 6 &&
                   ORK_QUERY_WORKFLOW_SETTINGS == 7 && ORK_QUERY_ORPHANED_RUNS == 8 &&
                   ORK_QUERY_QUEUED_ATTEMPT == 9 && ORK_QUERY_WORKERS == 10,
               "ork_query_kind values are frozen");
_Static_assert(ORK_EXECUTOR_INTROSPECTS == 1u, "capability bits are frozen");
_Static_assert(sizeof(ork_str_sink) == sizeof(ork_json_sink), "ork_str_sink is an ork_json_sink");

#if defined(__x86_64__) && defined(__LP64__)
ORK_FREEZE_OFFSET(ork_str, ptr, 0);
ORK_FREEZE_OFFSET(ork_str, len, 8);
ORK_FREEZE_SIZE(ork_str, 16);

ORK_FREEZE_OFFSET(ork_host_api, struct_size, 0);
ORK_FREEZE_OFFSET(ork_host_api, api_major, 4);
ORK_FREEZE_OFFSET(ork_host_api, api_minor, 8);
ORK_FREEZE_OFFSET(ork_host_api, set_error, 16);
ORK_FREEZE_OFFSET(ork_host_api, log, 24);
ORK_FREEZE_SIZE(ork_host_api, 32);

ORK_FREEZE_OFFSET(ork_task_spec, struct_size, 0);
ORK_FREEZE_OFFSET(ork_task_spec, workflow_name, 8);
ORK_FREEZE_OFFSET(ork_task_spec, workflow_file, 24);
ORK_FREEZE_OFFSET(ork_task_spec, workflow_dir, 40);
ORK_FREEZE_OFFSET(ork_task_spec, task_name, 56);
ORK_FREEZE_OFFSET(ork_task_spec, config_json, 72);
ORK_FREEZE_OFFSET(ork_task_spec, workdir, 88);   /* since 1.5 */
ORK_FREEZE_OFFSET(ork_task_spec, env, 104);      /* since 1.5 */
ORK_FREEZE_OFFSET(ork_task_spec, env_count, 112); /* since 1.5 */
ORK_FREEZE_OFFSET(ork_task_spec, check_pass, 120); /* since 1.6 */
ORK_FREEZE_SIZE(ork_task_spec, 128);

ORK_FREEZE_OFFSET(ork_check_sink, struct_size, 0);
ORK_FREEZE_OFFSET(ork_check_sink, ctx, 8);
ORK_FREEZE_OFFSET(ork_check_sink, error, 16);
ORK_FREEZE_OFFSET(ork_check_sink, signature, 24);
/* since 1.7: a 1.6 check sink is 32 bytes and ends here */
ORK_FREEZE_OFFSET(ork_check_sink, code_files, 32);
ORK_FREEZE_SIZE(ork_check_sink, 40);

ORK_FREEZE_OFFSET(ork_task_request, struct_size, 0);
ORK_FREEZE_OFFSET(ork_task_request, attempt_token, 8);
ORK_FREEZE_OFFSET(ork_task_request, spec, 16);
ORK_FREEZE_OFFSET(ork_task_request, run_id, 24);
ORK_FREEZE_OFFSET(ork_task_request, attempt, 40);
ORK_FREEZE_OFFSET(ork_task_request, input_json, 48);
ORK_FREEZE_OFFSET(ork_task_request, workdir, 64);
ORK_FREEZE_OFFSET(ork_task_request, env, 80);
ORK_FREEZE_OFFSET(ork_task_request, env_count, 88);
ORK_FREEZE_OFFSET(ork_task_request, timeout_ms, 96);
ORK_FREEZE_SIZE(ork_task_request, 104);

ORK_FREEZE_OFFSET(ork_task_sink, struct_size, 0);
ORK_FREEZE_OFFSET(ork_task_sink, ctx, 8);
ORK_FREEZE_OFFSET(ork_task_sink, log, 16);
ORK_FREEZE_OFFSET(ork_task_sink, finish, 24);
ORK_FREEZE_SIZE(ork_task_sink, 32);

ORK_FREEZE_OFFSET(ork_executor_vtable, struct_size, 0);
ORK_FREEZE_OFFSET(ork_executor_vtable, name, 8);
ORK_FREEZE_OFFSET(ork_executor_vtable, task_keys, 16);
ORK_FREEZE_OFFSET(ork_executor_vtable, capabilities, 24);
ORK_FREEZE_OFFSET(ork_executor_vtable, check_task, 32);
ORK_FREEZE_OFFSET(ork_executor_vtable, run_task, 40);
ORK_FREEZE_OFFSET(ork_executor_vtable, cancel_task, 48);
ORK_FREEZE_OFFSET(ork_executor_vtable, warm, 56); /* since 1.8 */
ORK_FREEZE_SIZE(ork_executor_vtable, 64);

ORK_FREEZE_OFFSET(ork_workflow_record, struct_size, 0);
ORK_FREEZE_OFFSET(ork_workflow_record, name, 8);
ORK_FREEZE_OFFSET(ork_workflow_record, content_hash, 24);
ORK_FREEZE_OFFSET(ork_workflow_record, file, 40);
ORK_FREEZE_OFFSET(ork_workflow_record, source, 56);
ORK_FREEZE_OFFSET(ork_workflow_record, spec_json, 72);
ORK_FREEZE_OFFSET(ork_workflow_record, created_at, 88);
ORK_FREEZE_SIZE(ork_workflow_record, 96);

ORK_FREEZE_OFFSET(ork_run_record, struct_size, 0);
ORK_FREEZE_OFFSET(ork_run_record, run_id, 8);
ORK_FREEZE_OFFSET(ork_run_record, workflow_version_id, 24);
ORK_FREEZE_OFFSET(ork_run_record, workflow_name, 32);
ORK_FREEZE_OFFSET(ork_run_record, inputs_json, 48);
ORK_FREEZE_OFFSET(ork_run_record, idempotency_key, 64);
ORK_FREEZE_OFFSET(ork_run_record, trigger, 80);
ORK_FREEZE_OFFSET(ork_run_record, owner, 96);
ORK_FREEZE_OFFSET(ork_run_record, created_at, 112);
ORK_FREEZE_OFFSET(ork_run_record, task_names, 120);
ORK_FREEZE_OFFSET(ork_run_record, task_count, 128);
ORK_FREEZE_SIZE(ork_run_record, 136);

ORK_FREEZE_OFFSET(ork_task_update, struct_size, 0);
ORK_FREEZE_OFFSET(ork_task_update, run_id, 8);
ORK_FREEZE_OFFSET(ork_task_update, task_name, 24);
ORK_FREEZE_OFFSET(ork_task_update, attempt, 40);
ORK_FREEZE_OFFSET(ork_task_update, status, 48);
ORK_FREEZE_OFFSET(ork_task_update, at, 64);
ORK_FREEZE_OFFSET(ork_task_update, output_json, 72);
ORK_FREEZE_OFFSET(ork_task_update, error, 88);
ORK_FREEZE_OFFSET(ork_task_update, next_attempt_at, 104);
ORK_FREEZE_SIZE(ork_task_update, 112);

ORK_FREEZE_OFFSET(ork_log_line, struct_size, 0);
ORK_FREEZE_OFFSET(ork_log_line, run_id, 8);
ORK_FREEZE_OFFSET(ork_log_line, task_name, 24);
ORK_FREEZE_OFFSET(ork_log_line, attempt, 40);
ORK_FREEZE_OFFSET(ork_log_line, stream, 44);
ORK_FREEZE_OFFSET(ork_log_line, at, 48);
ORK_FREEZE_OFFSET(ork_log_line, line, 56);
ORK_FREEZE_SIZE(ork_log_line, 72);

ORK_FREEZE_OFFSET(ork_json_sink, struct_size, 0);
ORK_FREEZE_OFFSET(ork_json_sink, ctx, 8);
ORK_FREEZE_OFFSET(ork_json_sink, write, 16);
ORK_FREEZE_SIZE(ork_json_sink, 24);

ORK_FREEZE_OFFSET(ork_storage_vtable, struct_size, 0);
ORK_FREEZE_OFFSET(ork_storage_vtable, url_schemes, 8);
ORK_FREEZE_OFFSET(ork_storage_vtable, open, 16);
ORK_FREEZE_OFFSET(ork_storage_vtable, close, 24);
ORK_FREEZE_OFFSET(ork_storage_vtable, save_workflow, 32);
ORK_FREEZE_OFFSET(ork_storage_vtable, create_run, 40);
ORK_FREEZE_OFFSET(ork_storage_vtable, update_task, 48);
ORK_FREEZE_OFFSET(ork_storage_vtable, update_run, 56);
ORK_FREEZE_OFFSET(ork_storage_vtable, append_logs, 64);
ORK_FREEZE_OFFSET(ork_storage_vtable, query, 72);
/* since 1.1: a 1.0 storage table is 80 bytes and ends here */
ORK_FREEZE_OFFSET(ork_storage_vtable, claim_run, 80);
ORK_FREEZE_OFFSET(ork_storage_vtable, renew_leases, 88);
ORK_FREEZE_OFFSET(ork_storage_vtable, request_cancel, 96);
ORK_FREEZE_OFFSET(ork_storage_vtable, set_workflow_setting, 104);
/* since 1.2: a 1.1 storage table is 112 bytes and ends here */
ORK_FREEZE_OFFSET(ork_storage_vtable, update_tasks, 112);
/* since 1.3: a 1.2 storage table is 120 bytes and ends here */
ORK_FREEZE_OFFSET(ork_storage_vtable, enqueue_attempt, 120);
ORK_FREEZE_OFFSET(ork_storage_vtable, claim_attempt, 128);
ORK_FREEZE_OFFSET(ork_storage_vtable, complete_attempt, 136);
ORK_FREEZE_OFFSET(ork_storage_vtable, worker_heartbeat, 144);
ORK_FREEZE_OFFSET(ork_storage_vtable, cancel_attempt, 152);
/* since 1.4: a 1.3 storage table is 160 bytes and ends here */
ORK_FREEZE_OFFSET(ork_storage_vtable, wait_for_queue, 160);
/* since 1.7: a 1.4 storage table is 168 bytes and ends here */
ORK_FREEZE_OFFSET(ork_storage_vtable, cache_put, 168);
ORK_FREEZE_OFFSET(ork_storage_vtable, cache_lookup, 176);
ORK_FREEZE_OFFSET(ork_storage_vtable, cache_clear, 184);
/* since 1.9: a 1.7 storage table is 192 bytes and ends here */
ORK_FREEZE_OFFSET(ork_storage_vtable, append_logs_and_update_tasks, 192);
ORK_FREEZE_SIZE(ork_storage_vtable, 200);

/* since 1.3 */
ORK_FREEZE_OFFSET(ork_queued_attempt, struct_size, 0);
ORK_FREEZE_OFFSET(ork_queued_attempt, run_id, 8);
ORK_FREEZE_OFFSET(ork_queued_attempt, task_name, 24);
ORK_FREEZE_OFFSET(ork_queued_attempt, attempt, 40);
ORK_FREEZE_OFFSET(ork_queued_attempt, executor, 48);
ORK_FREEZE_OFFSET(ork_queued_attempt, payload_json, 64);
ORK_FREEZE_OFFSET(ork_queued_attempt, at, 80);
ORK_FREEZE_SIZE(ork_queued_attempt, 88);

ORK_FREEZE_OFFSET(ork_plugin_descriptor, struct_size, 0);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, api_major, 4);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, min_host_minor, 8);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, name, 16);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, version, 24);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, description, 32);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, init, 40);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, shutdown, 48);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, executor, 56);
ORK_FREEZE_OFFSET(ork_plugin_descriptor, storage, 64);
/* since 1.7: a 1.6 descriptor is 72 bytes and ends here */
ORK_FREEZE_OFFSET(ork_plugin_descriptor, language, 72);
ORK_FREEZE_SIZE(ork_plugin_descriptor, 80);

/* since 1.7 */
ORK_FREEZE_OFFSET(ork_language_task, struct_size, 0);
ORK_FREEZE_OFFSET(ork_language_task, workflow_name, 8);
ORK_FREEZE_OFFSET(ork_language_task, workflow_file, 24);
ORK_FREEZE_OFFSET(ork_language_task, workflow_dir, 40);
ORK_FREEZE_OFFSET(ork_language_task, task_name, 56);
ORK_FREEZE_OFFSET(ork_language_task, file, 72);
ORK_FREEZE_OFFSET(ork_language_task, file_path, 88);
ORK_FREEZE_OFFSET(ork_language_task, function, 104);
ORK_FREEZE_OFFSET(ork_language_task, config_json, 120);
ORK_FREEZE_OFFSET(ork_language_task, executor, 136);
ORK_FREEZE_OFFSET(ork_language_task, build_dir, 152);
ORK_FREEZE_OFFSET(ork_language_task, workdir, 168);
ORK_FREEZE_OFFSET(ork_language_task, env, 184);
ORK_FREEZE_OFFSET(ork_language_task, env_count, 192);
ORK_FREEZE_OFFSET(ork_language_task, check_pass, 200);
ORK_FREEZE_SIZE(ork_language_task, 208);
ORK_FREEZE_OFFSET(ork_language_vtable, struct_size, 0);
ORK_FREEZE_OFFSET(ork_language_vtable, name, 8);
ORK_FREEZE_OFFSET(ork_language_vtable, extensions, 16);
ORK_FREEZE_OFFSET(ork_language_vtable, task_keys, 24);
ORK_FREEZE_OFFSET(ork_language_vtable, executors, 32);
ORK_FREEZE_OFFSET(ork_language_vtable, describe, 40);
ORK_FREEZE_OFFSET(ork_language_vtable, introspect, 48);
ORK_FREEZE_OFFSET(ork_language_vtable, prepare, 56);
ORK_FREEZE_SIZE(ork_language_vtable, 64);
#endif /* x86_64 */

/* The entry point's type and name, as the host looks them up. */
static const ork_plugin_descriptor* abi_describe(void) { return NULL; }
static const ork_plugin_describe_fn abi_entry = &abi_describe;

int main(void) {
  ork_plugin_descriptor descriptor;
  memset(&descriptor, 0, sizeof descriptor);
  descriptor.struct_size = ORK_STRUCT_SIZE(ork_plugin_descriptor);
  if (descriptor.struct_size != sizeof(ork_plugin_descriptor)) return 1;
  if (strcmp(ORK_PLUGIN_ENTRY_SYMBOL, "ork_plugin_describe") != 0) return 2;
  if (abi_entry() != NULL) return 3;
  return 0;
}
