// `ork cache clear [WORKFLOW]`: forgets the outputs the task cache keeps
// (`cache:` on a task, docs/workflows.md "Caching"), of one workflow or of
// all, so that the next run runs those tasks again.
#include "cli/cli.hpp"

#include "core/error.hpp"

#include <boost/json.hpp>

#include <iostream>

namespace ork::host {

int cache_command(CliContext& ctx) {
  const std::vector<std::string>& operands = ctx.cl.positional;
  if (operands.empty() || operands[0] != "clear" || operands.size() > 2) {
    throw Error(ErrorKind::usage, "usage: ork cache clear [WORKFLOW] (without WORKFLOW, every workflow's entries)");
  }
  const std::string workflow = operands.size() == 2 ? operands[1] : "";
  Store store = ctx.open_store();
  const std::int64_t removed = store.cache_clear(workflow);
  if (ctx.cl.has("--json")) {
    boost::json::object out{{"removed", removed}};
    out["workflow"] = workflow.empty() ? boost::json::value(nullptr) : boost::json::value(workflow);
    std::cout << boost::json::serialize(out) << '\n';
    return exit_ok;
  }
  std::cout << "removed " << removed << " cached task output" << (removed == 1 ? "" : "s")
            << (workflow.empty() ? std::string() : " of workflow " + workflow) << '\n';
  return exit_ok;
}

}  // namespace ork::host
