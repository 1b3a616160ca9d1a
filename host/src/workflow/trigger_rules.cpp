#include "workflow/trigger_rules.hpp"

namespace ork::host {

const std::vector<std::string>& trigger_rule_names() {
  static const std::vector<std::string> names{"all_succeeded", "all_done", "none_failed", "any_failed"};
  return names;
}

std::optional<TriggerRule> parse_trigger_rule(std::string_view name) {
  if (name == "all_succeeded") return TriggerRule::all_succeeded;
  if (name == "all_done") return TriggerRule::all_done;
  if (name == "none_failed") return TriggerRule::none_failed;
  if (name == "any_failed") return TriggerRule::any_failed;
  return std::nullopt;
}

std::string trigger_rule_name(TriggerRule rule) {
  return trigger_rule_names().at(static_cast<std::size_t>(rule));
}

bool may_run_without_every_upstream(TriggerRule rule) {
  return rule != TriggerRule::all_succeeded;
}

std::optional<std::string> trigger_rule_verdict(TriggerRule rule, const UpstreamOutcomes& upstream) {
  const std::string culprit =
      "upstream task '" + upstream.first_unsuccessful + "' " + upstream.first_unsuccessful_status;
  switch (rule) {
    case TriggerRule::all_succeeded:
      if (upstream.failed + upstream.cancelled + upstream.skipped == 0) return std::nullopt;
      return culprit;
    case TriggerRule::all_done:
      return std::nullopt;
    case TriggerRule::none_failed:
      if (upstream.failed + upstream.cancelled == 0) return std::nullopt;
      return culprit + " (trigger_rule: none_failed)";
    case TriggerRule::any_failed:
      if (upstream.failed > 0) return std::nullopt;
      return std::string("no upstream task failed (trigger_rule: any_failed)");
  }
  return std::nullopt;
}

}  // namespace ork::host
