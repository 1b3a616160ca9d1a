// Where a process task's program was looked for at compile time, and the
// code identity of each command, remembered for the rest of that compile
// (ProgramLookups); where a bare name was found at run time, remembered for
// a second (ResolvedPrograms). A workflow of 10 000 tasks that all run
// `true` would otherwise search PATH (a stat per PATH entry) 10 000 times;
// with this, each distinct (program, workdir, PATH) is looked up once per
// compile and every task that names it still gets the answer, a missing
// program's error included. The host numbers each compile's checks
// (ork_task_spec.check_pass, plugin API 1.6); an answer is reused only under
// the number it was found under, so a program installed or removed between
// two compiles (`ork serve` recompiling a workflow) is seen by the next one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "code_identity.hpp"

namespace ork::plugins::process {

class ProgramLookups {
 public:
  // What is wrong with running the program (nullopt: nothing), as `look_up`
  // says. `look_up` runs when `where` has not been looked up under
  // `check_pass` yet, and every time when `check_pass` is 0 (run time, or an
  // older host). `where` identifies the lookup: the program, the directory it
  // is resolved from and the search path.
  std::optional<std::string> problem(std::uint64_t check_pass, const std::string& where,
                                     const std::function<std::optional<std::string>()>& look_up);
  // Where the program named by `where` resolves (its path on PATH), as
  // `look_up` says; cached the same way, for the code identity of `cache:`.
  std::string resolved(std::uint64_t check_pass, const std::string& where, const std::function<std::string()>& look_up);
  // A command's code identity (code_identity.hpp), keyed by everything it
  // depends on; cached the same way.
  CodeIdentity identity(std::uint64_t check_pass, const std::string& where,
                        const std::function<CodeIdentity()>& work_out);

 private:
  // Checks of one compile may run on several threads (plugin.h).
  std::mutex mutex_;
  std::uint64_t check_pass_ = 0;  // the compile `problems_` belong to
  std::unordered_map<std::string, std::optional<std::string>> problems_;
  std::unordered_map<std::string, std::string> resolved_;
  std::unordered_map<std::string, CodeIdentity> identities_;

  // Forgets the answers of an older compile (lock held).
  void start_pass(std::uint64_t check_pass);
};

// Where a bare program name was found on PATH at run time, remembered for
// `freshness` (1 s by default): 1000 tasks that run `true` in a second cost
// one PATH search (a stat per PATH entry) instead of 1000. A program that
// disappears from where it was found is looked up again at once (the spawn
// fails, and the executor calls `forget`); one installed earlier on PATH is
// seen by the tasks that start once its entry is older than `freshness`.
// Thread-safe: attempts run on several threads.
class ResolvedPrograms {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ResolvedPrograms(std::chrono::milliseconds freshness = std::chrono::seconds(1)) : freshness_(freshness) {}

  // The path `where` (program, PATH and workdir) resolved to, when it was
  // found less than `freshness` ago.
  std::optional<std::string> find(const std::string& where);
  void remember(const std::string& where, const std::string& path);
  void forget(const std::string& where);

 private:
  struct Entry {
    std::string path;
    Clock::time_point found_at;
  };
  std::chrono::milliseconds freshness_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace ork::plugins::process
