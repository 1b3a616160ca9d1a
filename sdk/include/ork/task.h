/*
 * ork task ABI, version 1 — the C boundary between ork's `library` executor
 * and a shared library that implements tasks. Included by task libraries
 * written in C or C++ (the C++ SDK, ork/task.hpp, includes it for you); any
 * language that can export C functions (Rust, Zig, Go with cgo, ...) follows
 * the same contract without this header. This ABI is versioned separately
 * from the plugin ABI (ork/plugin.h): it only changes when what a task
 * library exports changes.
 *
 * A task library exports:
 *
 *   char* <function>(const char* input_json);                    required
 *     The task. `function` is the YAML `function:` key, default
 *     "ork_task_run". `input_json` is a NUL-terminated JSON object: the
 *     task's bound inputs plus "upstream": {task: output} (the same object a
 *     process task reads on stdin). Ownership: `input_json` is borrowed for
 *     the call. Returns a NUL-terminated JSON text (the task's output),
 *     allocated by the library; ork releases it with the library's own
 *     `ork_task_free`, never with its own allocator. NULL means the task
 *     failed. The function may be called from several threads at once.
 *
 *   void ork_task_free(char* text);                              required
 *     Releases a string returned by a task function. Called exactly once
 *     per non-NULL result, possibly from another thread than the call.
 *
 *   const char* ork_task_last_error(void);                       optional
 *     Why the last task function called *on this thread* returned NULL.
 *     Ownership: library-owned (typically thread-local); ork copies it at
 *     once, and it need only stay valid until the next task call on that
 *     thread. Without it, ork reports a generic message.
 *
 *   const char* ork_task_signature(void);                        optional
 *   const char* <function>_signature(void);                      optional
 *     The task's signature as JSON, looked up as `<function>_signature`
 *     first, then `ork_task_signature`:
 *       {"inputs": {"NAME": TYPE, ...}, "output": TYPE,
 *        "defaults": ["NAME", ...]}          (optional: inputs that may be absent)
 *     TYPE is a string in ork's type syntax ("int", "list[str]",
 *     "{id: int, note?: str}", "float | None") or a JSON object of
 *     field -> TYPE, or a named object {"$name": "Order", "fields": {...}}.
 *     Ownership: library-owned, static; ork copies it.
 *
 *   int ork_task_abi_version(void);                              optional
 *     Returns ORK_TASK_ABI_VERSION the library was built against. When it
 *     is exported and differs from the executor's version, the workflow is
 *     refused at compile time.
 *
 * Nothing may unwind out of these functions: a C++ exception or a Rust panic
 * crossing them is undefined behaviour (ork's SDKs catch them for you).
 */
#ifndef ORK_TASK_H
#define ORK_TASK_H

#ifdef __cplusplus
extern "C" {
#endif

#define ORK_TASK_ABI_VERSION 1

/* Symbol names ork looks up. */
#define ORK_TASK_DEFAULT_FUNCTION "ork_task_run"
#define ORK_TASK_FREE_SYMBOL "ork_task_free"
#define ORK_TASK_LAST_ERROR_SYMBOL "ork_task_last_error"
#define ORK_TASK_SIGNATURE_SYMBOL "ork_task_signature"
#define ORK_TASK_SIGNATURE_SUFFIX "_signature"
#define ORK_TASK_ABI_VERSION_SYMBOL "ork_task_abi_version"

#if defined(_WIN32)
#define ORK_TASK_EXPORT __declspec(dllexport)
#else
#define ORK_TASK_EXPORT __attribute__((visibility("default")))
#endif

/* The shapes of the exported functions, for code that looks them up. */
typedef char* (*ork_task_run_fn)(const char* input_json);
typedef void (*ork_task_free_fn)(char* text);
typedef const char* (*ork_task_last_error_fn)(void);
typedef const char* (*ork_task_signature_fn)(void);
typedef int (*ork_task_abi_version_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ORK_TASK_H */
