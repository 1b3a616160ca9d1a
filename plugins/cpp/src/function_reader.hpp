// Reads a C++ task function's parameters from its source with clang's JSON
// AST dump (`clang++-14 -fsyntax-only -Xclang -ast-dump=json
// -Xclang -ast-dump-filter=NAME`): a child process, so a clang crash never
// reaches the host, and no libclang to link. Only names, positions, defaults
// and the qualified name come from here; the types themselves are mapped by
// the compiler in the generated wrapper (task_build.hpp), so what ork checks is
// exactly what the C++ task SDK converts at run time.
#pragma once

#include "toolchain.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ork::plugins::cpp {

// Where a task's source is and what it is called, for reading and messages.
struct TaskSource {
  std::filesystem::path path;  // absolute
  std::string shown;           // the task's `file:` as written, used in messages
  std::filesystem::path workflow_dir;
  std::string function;        // as written in the workflow (maybe ns::name)
};

struct Position {
  int line = 0;
  int col = 0;
};

struct Parameter {
  std::string name;
  std::string written_type;  // as in the source, e.g. "const std::vector<Scored> &"
  bool has_default = false;
  Position where;
};

struct FunctionInfo {
  std::string qualified_name;  // callable from the wrapper, e.g. "ns::rank"
  std::string written_return;
  Position where;
  std::vector<Parameter> parameters;
};

struct SourceProblem {
  std::string key;      // "file" or "function"
  std::string message;  // starts with FILE:LINE:COL when it is about a place in the source
};

struct ReadResult {
  std::optional<FunctionInfo> function;
  std::vector<SourceProblem> problems;
};

ReadResult read_function(const Toolchain& toolchain, const TaskSource& source,
                         const std::filesystem::path& scratch_dir);

// The first "FILE:LINE:COL: error: ..." line of compiler output, with `path`
// shown as `shown`; empty when there is none.
std::string first_error(const std::string& output, const std::filesystem::path& path, const std::string& shown);

}  // namespace ork::plugins::cpp
