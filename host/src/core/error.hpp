// The host's error type: a kind, a user-facing message and, when the error is
// about a place in a workflow file, its location. Included everywhere in host/.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace ork::host {

struct SourceLocation {
  std::string file;  // as given by the user (relative or absolute)
  int line = 0;      // 1-based; 0 = unknown
  int col = 0;       // 1-based; 0 = unknown

  bool known() const { return line > 0; }
  std::string to_string() const;  // "file:line:col" or "file"
};

enum class ErrorKind {
  invalid_workflow,  // the workflow was refused at compile time (exit code 2)
  usage,             // bad command line (exit code 2)
  plugin,            // a plugin failed to load or broke
  store,             // the store (the database runs are recorded in) failed
  not_found,         // a run/workflow/task the user named does not exist
  internal,
};

// One diagnostic about a workflow file.
struct Diagnostic {
  SourceLocation where;
  std::string message;

  std::string to_string() const;  // "file:line:col: message"
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace ork::host
