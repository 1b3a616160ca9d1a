// How `ork worker` runs a function-task of a language plugin (issue 13): the
// queued attempt carries the config prepared at compile time and the task's
// source keys; the worker asks its own copy of the language to prepare the
// task again (cached: it costs a look-up when the build is already there, and
// builds when it is missing on this machine), and runs with that config. A
// worker without the language runs the queued config as it is (a shared
// filesystem, or the machine that compiled the workflow).
#pragma once

#include "loader/registry.hpp"

#include <optional>
#include <string>

namespace ork::host {

// Updates `request.config_json`; returns why the task cannot run here, or
// nullopt.
std::optional<std::string> prepare_on_worker(const PluginRegistry& registry, ExecutorRunRequest& request,
                                             const std::string& executor);

}  // namespace ork::host
