// Where a process task's program was looked for at compile time, remembered
// for the rest of that compile. A workflow of 10 000 tasks that all run
// `true` would otherwise search PATH (a stat per PATH entry) 10 000 times;
// with this, each distinct (program, workdir, PATH) is looked up once per
// compile and every task that names it still gets the answer, a missing
// program's error included. The host numbers each compile's checks
// (ork_task_spec.check_pass, plugin API 1.6); an answer is reused only under
// the number it was found under, so a program installed or removed between
// two compiles (`ork serve` recompiling a workflow) is seen by the next one.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

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

 private:
  // Checks of one compile may run on several threads (plugin.h).
  std::mutex mutex_;
  std::uint64_t check_pass_ = 0;  // the compile `problems_` belong to
  std::unordered_map<std::string, std::optional<std::string>> problems_;
};

}  // namespace ork::plugins::process
