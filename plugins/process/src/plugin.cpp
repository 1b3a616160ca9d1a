// The one exported symbol of ork_executor_process.so.
#include "process_executor.hpp"

ORK_EXECUTOR_PLUGIN(ork::plugins::process::ProcessExecutor, "process", "1.0.0",
                    "Runs any program as a task: JSON inputs on stdin, result as one ORK_OUTPUT: line on stdout")
