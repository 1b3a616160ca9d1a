// Trigger rules (`trigger_rule:` on a task, issue 14): when a task runs once
// all its upstream tasks have finished, whatever they ended as. The compiler
// reads the rule and types the task's inputs with it (an upstream that may
// not have succeeded hands the task null); the scheduler asks
// `trigger_rule_verdict` whether to run or skip. Both sides use this one
// definition so that what is type-checked is what runs. A later `map:` task
// is one node here (its instances finish before its downstream is judged),
// so the rules apply to it unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ork::host {

enum class TriggerRule {
  all_succeeded,  // the default: every upstream succeeded
  all_done,       // every upstream finished, however it ended (a report, a cleanup)
  none_failed,    // no upstream failed or was cancelled; skipped ones are fine (joins the branches of a `when`)
  any_failed,     // at least one upstream failed (an on-failure hook)
};

// The rule names in the order the docs list them.
const std::vector<std::string>& trigger_rule_names();

std::optional<TriggerRule> parse_trigger_rule(std::string_view name);

std::string trigger_rule_name(TriggerRule rule);

// Whether under `rule` the task may run although some upstream did not
// succeed — and so receives null in place of that upstream's output.
bool may_run_without_every_upstream(TriggerRule rule);

// How the upstream tasks of one task ended (each final).
struct UpstreamOutcomes {
  int succeeded = 0;
  int failed = 0;
  int cancelled = 0;
  int skipped = 0;
  std::string first_unsuccessful;  // the name of one that did not succeed, for the reason
  std::string first_unsuccessful_status;
};

// nullopt: run the task. Otherwise why it is skipped, for the task's recorded error.
std::optional<std::string> trigger_rule_verdict(TriggerRule rule, const UpstreamOutcomes& upstream);

}  // namespace ork::host
