// The error type shared by the library executor's parts: a problem with one
// task, tied to the YAML key it is about ("file", "function", "isolate") so
// check_task can point the user at the right line. Included by every file of
// the plugin and by the worker.
#pragma once

#include <stdexcept>
#include <string>

namespace ork::plugins::library {

struct TaskProblem {
  std::string key;  // the task's YAML key, or empty for the task as a whole
  std::string message;
};

// Thrown where a task cannot be checked or run; `key` as in TaskProblem.
class TaskProblemError : public std::runtime_error {
 public:
  TaskProblemError(std::string key, const std::string& message)
      : std::runtime_error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }
  TaskProblem problem() const { return TaskProblem{key_, what()}; }

 private:
  std::string key_;
};

}  // namespace ork::plugins::library
