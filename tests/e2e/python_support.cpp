#include "python_support.hpp"

#include <gtest/gtest.h>

namespace ork::test::python {

namespace fs = std::filesystem;
namespace json = boost::json;

fs::path source_path(const std::string& relative) { return fs::path(ORK_SOURCE_DIR) / relative; }

void prepare(const TempDir& dir, const std::string& yaml) {
  fs::copy(source_path("tests/e2e/fixtures/python"), dir.path(), fs::copy_options::recursive);
  dir.write("wf.yaml", yaml);
}

json::object run_json(const TempDir& dir, int expected_exit, const std::vector<std::string>& extra_args) {
  std::vector<std::string> args{"run", "wf.yaml", "--json"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  CommandResult r = run_ork(args, dir.path());
  EXPECT_EQ(r.exit_code, expected_exit) << r.err;
  if (r.out.empty()) ADD_FAILURE() << "no JSON on stdout; stderr:\n" << r.err;
  return r.out.empty() ? json::object{} : parse_json(r.out).as_object();
}

const json::object& task_of(const json::object& run, const std::string& name) {
  return run.at("tasks").at(name).as_object();
}

void expect_refused(const std::string& yaml, const std::vector<std::string>& errors) {
  TempDir dir;
  prepare(dir, yaml);
  CommandResult r = run_ork({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string expected;
  for (std::string e : errors) {
    if (std::size_t at = e.find("{dir}"); at != std::string::npos) e.replace(at, 5, dir.path().string());
    expected += e + "\n";
  }
  expected += "ork: workflow refused (" + std::to_string(errors.size()) +
              (errors.size() == 1 ? " error" : " errors") + "); nothing was run or recorded\n";
  EXPECT_EQ(r.err, expected);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(dir.path() / ".ork")) << "a refused workflow must record nothing";
}

std::string logs_after_worker_line(const TempDir& dir, const std::string& run_id, const std::string& task) {
  CommandResult r = run_ork({"logs", run_id, task}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string note = "# python worker pid ";
  EXPECT_EQ(r.out.rfind(note, 0), 0u) << r.out;
  std::size_t end_of_note = r.out.find('\n');
  return end_of_note == std::string::npos ? "" : r.out.substr(end_of_note + 1);
}

}  // namespace ork::test::python
