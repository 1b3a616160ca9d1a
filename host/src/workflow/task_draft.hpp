// A task while the compiler works on it: the CompiledTask being filled in
// plus what the later checks need to place their errors (where each key is)
// and the declarations not yet applied. Shared by the compiler's passes
// (compiler.cpp and the files of workflow_compiler.hpp, task_graph.cpp,
// binding_check.cpp); not used outside them.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "types/type.hpp"
#include "workflow/compiled.hpp"
#include "workflow/executor_catalog.hpp"
#include "workflow/language_catalog.hpp"

namespace ork::host {

struct TaskDraft {
  // The task being filled in, in place in the compiled workflow's task list
  // (in file order until the compiler puts it in topological order): a
  // workflow of 100 000 tasks never holds a second array of them.
  explicit TaskDraft(CompiledTask& compiled) : task(compiled) {}

  CompiledTask& task;
  const ExecutorInfo* executor = nullptr;  // null when missing or unknown (already reported)
  const LanguageInfo* language = nullptr;  // set for a function-task of a language plugin
  bool language_by_executor = false;       // its language is its executor's plugin (`executor: python`)
  // `depends_on` entries as written, with their locations.
  std::vector<std::pair<std::string, SourceLocation>> explicit_depends;
  std::map<std::string, SourceLocation, std::less<>> key_where;  // task key -> location of the key
  std::optional<Type> input_type;   // `input_type:`, an object type
  std::optional<Type> output_type;  // `output_type:`
  SourceLocation pool_where;        // where its `pool:` was given (task or defaults)
  // Inputs whose binding was refused (already reported): not "unbound" too.
  std::vector<std::string> refused_inputs;
  std::map<std::string, SourceLocation, std::less<>> map_key_where;  // mapped parameter -> where it is named
  SourceLocation when_where;        // where the text of its `when:` condition starts (past any quote)

  SourceLocation where_of(const std::string& key) const {
    auto found = key_where.find(key);
    return found == key_where.end() ? task.where : found->second;
  }
};

}  // namespace ork::host
