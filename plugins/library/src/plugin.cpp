// Exports the library executor as this shared object's plugin.
#include <ork/plugin.hpp>

#include "library_executor.hpp"

ORK_EXECUTOR_PLUGIN(ork::plugins::library::LibraryExecutor, "library", "1.0.0",
                    "Runs tasks exported from shared libraries through the ork/task.h C ABI")
