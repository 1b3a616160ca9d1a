// The language half of the C++ plugin wrapper (included through
// ork/plugin.hpp): a typed view of a function-task, the `Language` base class
// and the trampolines and descriptor that expose a class as an
// `ork_language_vtable`. A language plugin usually also runs what it builds:
// a class deriving from both `Language` and `Executor` is exported with both
// tables in one descriptor (its executor named `Plugin::executor_name`).
#pragma once

#include <ork/executor_plugin.hpp>
#include <ork/plugin_support.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ork::plugin {

// Views into the host's ork_language_task: borrowed for the call.
struct LanguageTask {
  std::string_view workflow_name;
  std::string_view workflow_file;
  std::string_view workflow_dir;
  std::string_view task_name;
  std::string_view file;       // as written in the workflow
  std::string_view file_path;  // absolute
  std::string_view function;
  std::string_view config_json;  // language-specific keys as a JSON object
  std::string_view executor;     // the executor the task will run on
  std::string_view build_dir;    // absolute, exists; where builds are kept
  std::string_view workdir;
  std::vector<std::string_view> env;  // "KEY=VALUE"
  std::uint64_t check_pass = 0;
};

inline LanguageTask to_language_task(const ork_language_task& t) {
  LanguageTask task{view(t.workflow_name), view(t.workflow_file), view(t.workflow_dir), view(t.task_name),
                    view(t.file),          view(t.file_path),     view(t.function),     view(t.config_json),
                    view(t.executor),      view(t.build_dir),     view(t.workdir),      {},
                    t.check_pass};
  task.env.reserve(t.env_count);
  for (std::size_t i = 0; i < t.env_count; ++i) task.env.push_back(view(t.env[i]));
  return task;
}

class Language {
 public:
  virtual ~Language() = default;
  // The toolchain as JSON (see ork_language_vtable.describe).
  virtual std::string describe() = 0;
  // Report the function's signature, or its problems, through `sink`.
  virtual void introspect(const LanguageTask& task, const CheckSink& sink) = 0;
  // Build if needed; the JSON {"config": {...}} for task.executor, or nullopt
  // after reporting the build's problems through `sink`.
  virtual std::optional<std::string> prepare(const LanguageTask& task, const CheckSink& sink) = 0;
};

namespace detail {

template <typename Plugin>
ork_status describe_language(void* state, const ork_json_sink* out, ork_error* err) {
  return guarded(err, [&] {
    std::string json = static_cast<Plugin*>(state)->describe();
    out->write(out->ctx, str(json));
  });
}

template <typename Plugin>
ork_status introspect(void* state, const ork_language_task* task, const ork_check_sink* sink, ork_error* err) {
  return guarded(err, [&] { static_cast<Plugin*>(state)->introspect(to_language_task(*task), CheckSink(*sink)); });
}

template <typename Plugin>
ork_status prepare(void* state, const ork_language_task* task, const ork_check_sink* sink, const ork_json_sink* out,
                   ork_error* err) {
  return guarded(err, [&] {
    std::optional<std::string> json = static_cast<Plugin*>(state)->prepare(to_language_task(*task), CheckSink(*sink));
    if (json) out->write(out->ctx, str(*json));
  });
}

template <typename Plugin>
const ork_language_vtable* language_vtable(const char* name) {
  static const ork_language_vtable vtable = {ORK_STRUCT_SIZE(ork_language_vtable),
                                             name,
                                             Plugin::extensions,
                                             Plugin::task_keys,
                                             Plugin::executors,
                                             &describe_language<Plugin>,
                                             &introspect<Plugin>,
                                             &prepare<Plugin>};
  return &vtable;
}

}  // namespace detail

// Builds the static descriptor of a language plugin class: `Plugin` derives
// from Language and has static NULL-terminated `extensions`, `task_keys` and
// `executors`. When it also derives from Executor, the descriptor carries its
// executor table too, named `Plugin::executor_name`, with
// `Plugin::executor_task_keys` and `Plugin::capabilities`.
template <typename Plugin>
const ork_plugin_descriptor* describe_language(const char* name, const char* version, const char* description) {
  static const ork_executor_vtable* executor = [] {
    if constexpr (std::derived_from<Plugin, Executor>) {
      static const ork_executor_vtable vtable = {
          ORK_STRUCT_SIZE(ork_executor_vtable), Plugin::executor_name,     Plugin::executor_task_keys,
          Plugin::capabilities,                 &detail::check_task<Plugin>, &detail::run_task<Plugin>,
          &detail::cancel_task<Plugin>,         &detail::warm<Plugin>};
      return &vtable;
    } else {
      return static_cast<const ork_executor_vtable*>(nullptr);
    }
  }();
  static const ork_plugin_descriptor descriptor = {
      ORK_STRUCT_SIZE(ork_plugin_descriptor), ORK_PLUGIN_API_MAJOR,
      7,                                      name,
      version,                                description,
      &detail::init<Plugin>,                  &detail::shutdown<Plugin>,
      executor,                               nullptr,
      detail::language_vtable<Plugin>(name)};
  return &descriptor;
}

}  // namespace ork::plugin
