// Header-only C++ wrapper over the C plugin API (ork/plugin.h) for plugin
// authors. Implement a class derived from ork::plugin::Executor (or
// ork::plugin::Storage, see storage_plugin.hpp for the optional groups; or
// ork::plugin::Language, see language_plugin.hpp) and
// export it with one macro:
//
//   class Echo final : public ork::plugin::Executor {
//    public:
//     static constexpr const char* task_keys[] = {"message", nullptr};
//     static constexpr uint32_t capabilities = 0;
//     void run(const ork::plugin::TaskRequest& request, ork::plugin::TaskSink& sink) override;
//   };
//   ORK_EXECUTOR_PLUGIN(Echo, "echo", "1.0.0", "Echoes its input")
//
// Every trampoline catches exceptions and turns them into an error status with
// the exception's message: no exception ever crosses the C boundary.
#pragma once

#include <ork/executor_plugin.hpp>
#include <ork/language_plugin.hpp>
#include <ork/plugin.h>
#include <ork/plugin_support.hpp>
#include <ork/storage_plugin.hpp>

// Exports `Class` (an ork::plugin::Executor with static `task_keys` and
// `capabilities`) as this shared object's executor plugin.
#define ORK_EXECUTOR_PLUGIN(Class, name, version, description)                       \
  extern "C" ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_describe(void) { \
    return ::ork::plugin::describe_executor<Class>(name, version, description);       \
  }

// Exports `Class` (an ork::plugin::Storage with static `url_schemes` and, for
// the optional groups, `using store_type = …`) as this shared object's
// storage plugin.
#define ORK_STORAGE_PLUGIN(Class, name, version, description)                        \
  extern "C" ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_describe(void) { \
    return ::ork::plugin::describe_storage<Class>(name, version, description);        \
  }

// Exports `Class` (an ork::plugin::Language, and optionally an Executor that
// runs what it builds; see language_plugin.hpp) as this shared object's
// language plugin.
#define ORK_LANGUAGE_PLUGIN(Class, name, version, description)                       \
  extern "C" ORK_PLUGIN_EXPORT const ork_plugin_descriptor* ork_plugin_describe(void) { \
    return ::ork::plugin::describe_language<Class>(name, version, description);       \
  }
