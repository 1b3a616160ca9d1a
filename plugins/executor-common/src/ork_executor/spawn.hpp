// The one spawn recipe of the executor plugins (process, python, library),
// started with vfork + execve (spawn.cpp says why not posix_spawn): a child in its own process group (a kill reaches whatever it
// starts), with an empty signal mask and default dispositions (signals the
// host blocks or ignores, e.g. SIGPIPE, behave normally in user code), the
// given descriptors dup2'ed into place and every other one closed. Every
// set-up call's return code is checked: a failure throws naming the call.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ork::plugins::executor {

struct SpawnRecipe {
  std::string program;             // path passed to execve (no PATH search)
  std::vector<std::string> argv;   // argv[0] included
  std::vector<std::string> env;    // "KEY=VALUE", the child's whole environment
  // (parent fd, child fd) pairs, applied in order; -1 as the parent fd opens
  // /dev/null read-only as that child fd instead.
  std::vector<std::pair<int, int>> fds;
  int close_from = 3;                 // every child fd >= this is closed
  std::optional<std::string> workdir;  // chdir in the child
};

// Starts the child. Returns 0, or the errno of a failed exec or child set-up
// step (ENOENT for a missing program or workdir, which callers phrase for
// their users), and sets `pid` on success; throws std::system_error when
// the recipe is unusable (a negative child descriptor) or vfork fails.
int spawn_process(const SpawnRecipe& recipe, pid_t& pid);

}  // namespace ork::plugins::executor
