// Helpers of the python executor's end-to-end tests (python_*_test.cpp):
// a temporary workflow directory holding the fixtures of fixtures/python/,
// `ork run --json` on it, and the exact refusal a workflow must get.
#pragma once

#include "e2e_support.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ork::test::python {

std::filesystem::path source_path(const std::string& relative);

// Copies the python fixtures into `dir` and writes `yaml` as dir/wf.yaml.
void prepare(const TempDir& dir, const std::string& yaml);

// Runs `ork run wf.yaml --json ARGS...` and returns the run object; the exit
// code must be `expected_exit`.
boost::json::object run_json(const TempDir& dir, int expected_exit, const std::vector<std::string>& extra_args = {});

const boost::json::object& task_of(const boost::json::object& run, const std::string& name);

// A refused workflow: exit 2, exactly `errors` (each `file:line:col: message`;
// `{dir}` stands for the workflow's directory) then the summary line on
// stderr, nothing on stdout, nothing recorded.
void expect_refused(const std::string& yaml, const std::vector<std::string>& errors);

// `ork logs RUN TASK` without the first line, the executor's note naming the
// worker (its pid changes from run to run).
std::string logs_after_worker_line(const TempDir& dir, const std::string& run_id, const std::string& task);

}  // namespace ork::test::python
