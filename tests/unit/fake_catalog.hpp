// A fake ExecutorCatalog for compiler tests: "process" (key `command`, no
// signature), "typed" (keys `sig` and `file`; reports the `sig` mapping as its
// signature, or a `sig` string verbatim, and refuses `file: missing.py`) and
// "broken" (its check always throws, as a crashed plugin would). For
// `cache:`, "typed" names its `file` (in the workflow directory) as the
// task's code, and "process" says its code lives outside it.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "workflow/executor_catalog.hpp"

namespace ork::host::testing {

class FakeCatalog : public ExecutorCatalog {
 public:
  FakeCatalog() {
    executors_ = {{"process", {"command"}, false}, {"typed", {"sig", "file"}, true}, {"broken", {}, false}};
  }

  const ExecutorInfo* find_executor(std::string_view name) const override {
    for (const ExecutorInfo& info : executors_) {
      if (info.name == name) return &info;
    }
    return nullptr;
  }

  std::vector<std::string> executor_names() const override {
    std::vector<std::string> names;
    for (const ExecutorInfo& info : executors_) names.push_back(info.name);
    return names;
  }

  TaskCheckResult check_task(std::string_view executor, const TaskCheckRequest& request) const override {
    requests.push_back(request);
    if (executor == "broken") throw Error(ErrorKind::plugin, "worker crashed");
    boost::json::object config = boost::json::parse(request.config_json).as_object();
    TaskCheckResult result;
    if (executor == "process" && !config.contains("command")) result.errors.emplace_back("", "missing \"command\"");
    if (const boost::json::value* file = config.if_contains("file"); file && *file == "missing.py") {
      result.errors.emplace_back("file", "file \"missing.py\" not found");
    }
    if (executor == "typed") {
      if (const boost::json::value* file = config.if_contains("file"); file && file->is_string()) {
        result.code = CodeIdentity{{request.workflow_dir + "/" + std::string(file->get_string())}, ""};
      }
    } else if (executor == "process") {
      result.code = CodeIdentity{{}, "its code lives outside the workflow directory: /usr/bin/curl"};
    }
    if (const boost::json::value* sig = config.if_contains("sig")) {
      result.signature_json = sig->is_string() ? std::string(sig->get_string()) : boost::json::serialize(*sig);
    }
    return result;
  }

  mutable std::vector<TaskCheckRequest> requests;

 private:
  std::vector<ExecutorInfo> executors_;
};

}  // namespace ork::host::testing
