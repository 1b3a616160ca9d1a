#include "scheduler/run_setup.hpp"

#include "core/error.hpp"
#include "scheduler/run_scheduler.hpp"
#include "types/assignability.hpp"
#include "types/temporal.hpp"
#include "types/type.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <cerrno>
#include <csignal>
#include <iomanip>
#include <random>
#include <sstream>
#include <unistd.h>

namespace ork::host {

namespace {

const WorkflowInput& declared_input(const CompiledWorkflow& workflow, const std::string& name);
boost::json::value parse_input_value(const std::string& text);
void check_fits(const WorkflowInput& input, const boost::json::value& value, std::string_view how_given);
std::string fit_problem(const WorkflowInput& input, const boost::json::value& value);
std::optional<bool> spelled_bool(const std::string& text);
void fill_defaults(const CompiledWorkflow& workflow, boost::json::object& values, std::string_view how_to_give);

}  // namespace

boost::json::object resolve_workflow_inputs(const CompiledWorkflow& workflow, const std::vector<std::string>& given) {
  boost::json::object values;
  for (const auto& item : given) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(ErrorKind::usage, "--input needs NAME=VALUE, got '" + item + "'");
    }
    std::string name = item.substr(0, eq);
    const WorkflowInput& declared = declared_input(workflow, name);
    boost::json::value value = parse_input_value(item.substr(eq + 1));
    // `--input id=007` for a `str` input means the text, not the number 7.
    if (declared.type.without_null().kind() == TypeKind::string && !value.is_string() && !value.is_null()) {
      value = boost::json::value(item.substr(eq + 1));
    }
    // `--input full=True` (Python's spelling) for a `bool` input means true.
    if (declared.type.without_null().kind() == TypeKind::boolean && value.is_string()) {
      if (std::optional<bool> flag = spelled_bool(item.substr(eq + 1))) value = *flag;
    }
    check_fits(declared, value, "--input " + name);
    values[name] = std::move(value);
  }
  fill_defaults(workflow, values, "--input NAME=VALUE");
  return values;
}

boost::json::object check_workflow_inputs(const CompiledWorkflow& workflow, const boost::json::object& given) {
  boost::json::object values;
  for (const auto& [key, value] : given) {
    std::string name(key);
    check_fits(declared_input(workflow, name), value, "input '" + name + "'");
    values[name] = value;
  }
  fill_defaults(workflow, values, "\"inputs\": {NAME: VALUE}");
  return values;
}

std::vector<InputProblem> input_problems(const CompiledWorkflow& workflow, const boost::json::object& given) {
  std::vector<InputProblem> problems;
  for (const auto& [key, value] : given) {
    std::string name(key);
    auto declared = std::find_if(workflow.inputs.begin(), workflow.inputs.end(),
                                 [&](const WorkflowInput& in) { return in.name == name; });
    if (declared == workflow.inputs.end()) {
      problems.push_back({name, "workflow '" + workflow.name + "' has no input '" + name + "'"});
    } else if (std::string problem = fit_problem(*declared, value); !problem.empty()) {
      problems.push_back({name, problem});
    }
  }
  for (const auto& in : workflow.inputs) {
    if (!given.contains(in.name) && !in.default_value) {
      problems.push_back({in.name, "required (" + in.type.to_string() + ")"});
    }
  }
  return problems;
}

std::string new_run_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::ostringstream o;
  o << std::hex << std::setw(12) << std::setfill('0') << (rng() & 0xffffffffffffULL);
  return o.str();
}

std::string owner_name() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

CreatedRunId record_run(Store& store, const CompiledWorkflow& workflow, const RunRequest& request) {
  Millis now = now_millis();
  std::int64_t version = store.save_workflow(workflow.name, workflow.content_hash, workflow.file.string(),
                                             workflow.source, workflow.spec_text(), now);
  NewRun run;
  run.run_id = new_run_id();
  run.workflow_version_id = version;
  run.workflow_name = workflow.name;
  run.inputs_json = boost::json::serialize(request.inputs);
  run.idempotency_key = request.idempotency_key;
  run.trigger = request.trigger;
  run.owner = request.owner;
  run.created_at = now;
  for (const auto& t : workflow.tasks) run.task_names.push_back(t.name);
  return store.create_run(run);
}

std::string provably_dead_owner(const std::string& owner) {
  auto colon = owner.rfind(':');
  if (colon == std::string::npos) return "";
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  if (owner.substr(0, colon) != host) return "";
  pid_t pid = static_cast<pid_t>(std::atol(owner.c_str() + colon + 1));
  if (pid <= 0) return "";
  if (kill(pid, 0) == 0 || errno != ESRCH) return "";
  return owner;
}

void claim_new_run(Store& store, const std::string& run_id, const std::string& owner) {
  if (!store.supports_ownership()) return;
  if (!store.claim_run(run_id, owner, "", now_millis(), RunOptions{}.lease.count())) {
    throw Error(ErrorKind::store, "could not take ownership of new run " + run_id);
  }
}

namespace {

const WorkflowInput& declared_input(const CompiledWorkflow& workflow, const std::string& name) {
  auto declared = std::find_if(workflow.inputs.begin(), workflow.inputs.end(),
                               [&](const WorkflowInput& in) { return in.name == name; });
  if (declared != workflow.inputs.end()) return *declared;
  std::string known;
  for (const auto& in : workflow.inputs) known += (known.empty() ? "" : ", ") + in.name;
  throw Error(ErrorKind::usage, "workflow '" + workflow.name + "' has no input '" + name + "'" +
                                    (known.empty() ? " (it declares no inputs)" : " (inputs: " + known + ")"));
}

boost::json::value parse_input_value(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (!ec) return v;
  return boost::json::value(text);  // not JSON: a plain string
}

// ISO-8601 text counts as the date/datetime an input expects (types/temporal.hpp).
void check_fits(const WorkflowInput& input, const boost::json::value& value, std::string_view how_given) {
  if (std::string problem = fit_problem(input, value); !problem.empty()) {
    throw Error(ErrorKind::usage, std::string(how_given) + ": " + problem);
  }
}

// What is wrong with `value` for `input`, or "" when it fits.
std::string fit_problem(const WorkflowInput& input, const boost::json::value& value) {
  GivenType given = type_of_given(value, input.type);
  if (!given.problem.empty()) return given.problem;
  if (Assignability fit = is_assignable(given.type, input.type); !fit) {
    return given.type.to_string() + " does not fit " + input.type.to_string() + (fit.plain ? "" : " (" + fit.reason + ")");
  }
  return "";
}

// true/false in any case (`True`, `FALSE`), as Python and YAML users write them.
std::optional<bool> spelled_bool(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

void fill_defaults(const CompiledWorkflow& workflow, boost::json::object& values, std::string_view how_to_give) {
  for (const auto& in : workflow.inputs) {
    if (values.contains(in.name)) continue;
    if (!in.default_value) {
      throw Error(ErrorKind::usage, "workflow '" + workflow.name + "' needs input '" + in.name + "' (" +
                                        in.type.to_string() + "); give it as " + std::string(how_to_give));
    }
    values[in.name] = *in.default_value;
  }
}

}  // namespace

}  // namespace ork::host
