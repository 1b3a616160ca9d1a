// The one exported symbol of ork_executor_shell.so: the process executor
// under the upstream ork's name `shell` (see ShellExecutor).
#include "process_executor.hpp"

ORK_EXECUTOR_PLUGIN(ork::plugins::process::ShellExecutor, "shell", "1.0.0",
                    "Runs a shell command (/bin/sh -c) or script (file:) as a task, like the process executor")
