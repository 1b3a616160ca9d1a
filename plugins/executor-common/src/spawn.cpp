#include "ork_executor/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include <system_error>

namespace ork::plugins::executor {

namespace {

void check(int rc, const char* call) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), call);
}

// RAII for posix_spawn's file-actions object.
class FileActions {
 public:
  FileActions() { check(posix_spawn_file_actions_init(&actions_), "posix_spawn_file_actions_init"); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// RAII for posix_spawn's attributes object.
class Attributes {
 public:
  Attributes() { check(posix_spawnattr_init(&attributes_), "posix_spawnattr_init"); }
  ~Attributes() { posix_spawnattr_destroy(&attributes_); }
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
  posix_spawnattr_t* get() { return &attributes_; }

 private:
  posix_spawnattr_t attributes_;
};

void add_file_actions(const SpawnRecipe& recipe, posix_spawn_file_actions_t* actions) {
  for (const auto& [parent, child] : recipe.fds) {
    if (parent < 0) {
      check(posix_spawn_file_actions_addopen(actions, child, "/dev/null", O_RDONLY, 0),
            "posix_spawn_file_actions_addopen");
    } else {
      check(posix_spawn_file_actions_adddup2(actions, parent, child), "posix_spawn_file_actions_adddup2");
    }
  }
  // Other host code may open fds without O_CLOEXEC; the child gets none of them.
  check(posix_spawn_file_actions_addclosefrom_np(actions, recipe.close_from),
        "posix_spawn_file_actions_addclosefrom_np");
  if (recipe.workdir) {
    check(posix_spawn_file_actions_addchdir_np(actions, recipe.workdir->c_str()), "posix_spawn_file_actions_addchdir_np");
  }
}

void set_attributes(posix_spawnattr_t* attributes) {
  check(posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF),
        "posix_spawnattr_setflags");
  check(posix_spawnattr_setpgroup(attributes, 0), "posix_spawnattr_setpgroup");
  sigset_t none;
  sigemptyset(&none);
  check(posix_spawnattr_setsigmask(attributes, &none), "posix_spawnattr_setsigmask");
  sigset_t all;
  sigfillset(&all);
  check(posix_spawnattr_setsigdefault(attributes, &all), "posix_spawnattr_setsigdefault");
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  // posix_spawn's prototype takes char* const[], but never writes through it.
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

int spawn_process(const SpawnRecipe& recipe, pid_t& pid) {
  FileActions actions;
  add_file_actions(recipe, actions.get());
  Attributes attributes;
  set_attributes(attributes.get());
  std::vector<char*> argv_pointers = pointers(recipe.argv);
  std::vector<char*> env_pointers = pointers(recipe.env);
  return posix_spawn(&pid, recipe.program.c_str(), actions.get(), attributes.get(), argv_pointers.data(),
                     env_pointers.data());
}

}  // namespace ork::plugins::executor
