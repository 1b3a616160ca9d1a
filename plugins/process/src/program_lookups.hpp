// What a compile found on disk about process tasks, remembered for the rest
// of that compile (CompileMemo, ProgramLookups), and where a bare program
// name was found at run time, remembered for a second (ResolvedPrograms). A workflow of 10 000 tasks that all run `true` would
// otherwise search PATH (a stat per PATH entry), resolve the program and
// canonicalise the files of its code identity (a readlink per path
// component) 10 000 times; with this, each distinct (program, workdir, PATH)
// or command is looked at once per compile and every task that names it
// still gets the answer, a missing program's error included. The host
// numbers each compile's checks (ork_task_spec.check_pass, plugin API 1.6);
// an answer is reused only under the number it was found under, so a program
// installed or removed between two compiles (`ork serve` recompiling a
// workflow) is seen by the next one.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace ork::plugins::process {

// Answers of type `Value` by key, kept for one compile (check pass).
template <typename Value>
class CompileMemo {
 public:
  // The answer for `key` under `check_pass`: `look_up` runs when `key` has
  // not been looked up under `check_pass` yet, and every time when
  // `check_pass` is 0 (run time, or an older host).
  Value get(std::uint64_t check_pass, const std::string& key, const std::function<Value()>& look_up) {
    if (check_pass == 0) return look_up();
    std::lock_guard lock(mutex_);
    // Another compile's answers may be stale now; one compile at a time is
    // kept (two interleaved compiles only look up more often, never wrongly).
    if (check_pass != check_pass_) {
      answers_.clear();
      check_pass_ = check_pass;
    }
    auto found = answers_.find(key);
    if (found != answers_.end()) return found->second;
    // Kept until the next compile, i.e. for the whole run: a workflow whose
    // tasks all differ (one command line each) must not leave one answer
    // per task behind. Starting over only looks up again.
    if (answers_.size() >= max_answers) answers_.clear();
    return answers_.emplace(key, look_up()).first->second;
  }

  static constexpr std::size_t max_answers = 4096;

 private:
  // Checks of one compile may run on several threads (plugin.h).
  std::mutex mutex_;
  std::uint64_t check_pass_ = 0;  // the compile `answers_` belong to
  std::unordered_map<std::string, Value> answers_;
};

class ProgramLookups {
 public:
  // What is wrong with running the program (nullopt: nothing), as `look_up`
  // says, remembered per compile (CompileMemo). `where` identifies the
  // lookup: the program, the directory it is resolved from and the search
  // path.
  std::optional<std::string> problem(std::uint64_t check_pass, const std::string& where,
                                     const std::function<std::optional<std::string>()>& look_up) {
    return problems_.get(check_pass, where, look_up);
  }

 private:
  CompileMemo<std::optional<std::string>> problems_;
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
