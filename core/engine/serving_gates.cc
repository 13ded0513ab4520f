#include "core/engine/serving_gates.h"

namespace recplat::engine {

ServingGates::ServingGates(const std::map<std::string, config::ModelConfig>& models,
                           const state::StateStore& state)
    : state_(state) {
  for (const auto& [name, model] : models) {
    Rule rule;
    rule.gate = model.serve_gate;
    for (const std::string& need : model.serve_requires) {
      // The config validation admits only these three.
      rule.needs_user |= need == "user";
      rule.needs_session |= need == "session";
      rule.needs_anchor |= need == "anchor";
    }
    if (!rule.gate.event_type.empty() || rule.needs_user || rule.needs_session ||
        rule.needs_anchor) {
      rules_.emplace(name, std::move(rule));
    }
  }
}

bool ServingGates::GateHolds(absl::string_view tenant, const config::GateConfig& gate) const {
  if (gate.event_type.empty()) return true;
  const double events = static_cast<double>(state_.EventCount(tenant, gate.event_type));
  const double items = static_cast<double>(state_.LiveItemCount(tenant));
  return events > gate.per_item * items;
}

bool ServingGates::GateHolds(absl::string_view tenant, absl::string_view model) const {
  auto it = rules_.find(model);
  return it == rules_.end() || GateHolds(tenant, it->second.gate);
}

bool ServingGates::Allows(absl::string_view tenant, absl::string_view model,
                          const RequestFacts& facts) const {
  auto it = rules_.find(model);
  if (it == rules_.end()) return true;
  const Rule& rule = it->second;
  if ((rule.needs_user && !facts.has_user) || (rule.needs_session && !facts.has_session_history) ||
      (rule.needs_anchor && !facts.has_anchor)) {
    return false;
  }
  return GateHolds(tenant, rule.gate);
}

}  // namespace recplat::engine
