#include "trainers/torch_rl/rl_sars.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace recplat::rl {
namespace {

using nlohmann::json;

// Journey actions followed from one root at most (a guard against cyclic visit ids).
constexpr size_t kMaxJourneyActions = 1000;

std::string StringField(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string IdField(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return "";
  return absl::StrCat(it->get<int64_t>());
}

const json& Child(const json& object, const char* key) {
  static const json* const kNull = new json();
  if (!object.is_object()) return *kNull;
  auto it = object.find(key);
  return it == object.end() ? *kNull : *it;
}

std::string ContextValue(const models::ServedListRecord& list, absl::string_view key) {
  for (const auto& [k, v] : list.context) {
    if (k == key) return v;
  }
  return "";
}

// A user's accessed services (distinct, first access time), oldest first.
struct Accessed {
  std::vector<std::pair<int64_t, uint32_t>> items;  // (timestamp_ms, item)
};

}  // namespace

int PanelSize(absl::string_view panel_id) {
  if (panel_id == "v1") return 3;
  if (panel_id == "v2") return 2;
  return 0;
}

std::optional<JourneyRecord> ParseJourneyRecord(absl::string_view body) {
  json value = json::parse(body, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  JourneyRecord r;
  const json& source = Child(value, "source");
  const json& target = Child(value, "target");
  const json& root = Child(source, "root");
  r.source_visit_id = StringField(source, "visit_id");
  r.source_page_id = StringField(source, "page_id");
  r.target_visit_id = StringField(target, "visit_id");
  r.target_page_id = StringField(target, "page_id");
  if (r.target_visit_id.empty()) return std::nullopt;
  r.root_type = StringField(root, "type");
  r.root_panel_id = StringField(root, "panel_id");
  r.root_service_id = IdField(root, "service_id");
  if (r.root_service_id.empty()) {
    const std::string type = StringField(root, "resource_type");
    if (type.empty() || type == "service") r.root_service_id = IdField(root, "resource_id");
  }
  const json& action = Child(value, "action");
  auto order = action.is_object() ? action.find("order") : action.end();
  r.order = action.is_object() && order != action.end() && order->is_boolean() && order->get<bool>();
  return r;
}

std::vector<RlTransition> BuildSars(const models::TrainingData& data, const TransitionTable& table,
                                    const SarsOptions& o, SarsStats* stats) {
  *stats = SarsStats();
  // Journeys by source visit.
  std::vector<JourneyRecord> actions;
  absl::flat_hash_map<std::string, std::vector<size_t>> by_source;
  for (const models::TrainingDocument& doc : data.documents) {
    if (doc.collection != o.journey_collection) continue;
    std::optional<JourneyRecord> r = ParseJourneyRecord(doc.body);
    if (!r.has_value()) continue;
    by_source[r->source_visit_id].push_back(actions.size());
    actions.push_back(*std::move(r));
  }
  stats->journey_actions = static_cast<int64_t>(actions.size());

  // Accessed services per user.
  int order_type = -1;
  for (size_t t = 0; t < data.event_types.size(); ++t) {
    if (data.event_types[t] == o.order_event) order_type = static_cast<int>(t);
  }
  absl::flat_hash_map<uint32_t, Accessed> accessed;
  for (const models::Interaction& x : data.interactions) {
    if (static_cast<int>(x.type) != order_type || x.item >= data.num_items) continue;
    auto& items = accessed[x.user].items;
    if (std::none_of(items.begin(), items.end(), [&](const auto& e) { return e.second == x.item; })) {
      items.emplace_back(x.timestamp_ms, x.item);
    }
  }
  // Every live, available service.
  auto pool = std::make_shared<std::vector<int64_t>>();
  for (uint32_t i = 0; i < data.num_items; ++i) {
    if (data.items.empty() || (i < data.items.size() && data.items[i].live &&
                               data.items[i].available)) {
      pool->push_back(i);
    }
  }
  auto state_at = [&](uint32_t user, int64_t t) {
    RlState s;
    s.pool = pool;
    if (auto it = accessed.find(user); it != accessed.end()) {
      for (const auto& [ts, item] : it->second.items) {
        if (ts > t) continue;
        s.history.push_back(item);
        s.excluded.push_back(item);
      }
    }
    if (static_cast<int>(s.history.size()) > o.max_history) {
      s.history.erase(s.history.begin(), s.history.end() - o.max_history);
    }
    return s;
  };
  auto item_id = [&](uint32_t item) -> std::string {
    return item < data.item_ids.size() ? data.item_ids[item] : absl::StrCat(item);
  };
  // The reward of one served service: the best action of the journeys that started from it.
  auto service_reward = [&](const std::string& visit, const std::string& panel,
                            const std::string& service) {
    auto roots = by_source.find(visit);
    if (roots == by_source.end()) return 0.0;
    std::vector<JourneyAction> journey;
    std::vector<std::string> frontier;
    absl::flat_hash_set<std::string> seen_visits = {visit};
    for (size_t a : roots->second) {
      const JourneyRecord& r = actions[a];
      if (r.root_type != "recommendation_panel" || r.root_service_id != service) continue;
      if (!panel.empty() && !r.root_panel_id.empty() && r.root_panel_id != panel) continue;
      journey.push_back({r.source_page_id, r.target_page_id, r.order});
      frontier.push_back(r.target_visit_id);
    }
    while (!frontier.empty() && journey.size() < kMaxJourneyActions) {
      const std::string v = std::move(frontier.back());
      frontier.pop_back();
      if (!seen_visits.insert(v).second) continue;
      auto children = by_source.find(v);
      if (children == by_source.end()) continue;
      for (size_t a : children->second) {
        const JourneyRecord& r = actions[a];
        journey.push_back({r.source_page_id, r.target_page_id, r.order});
        frontier.push_back(r.target_visit_id);
      }
    }
    return JourneyReward(table, journey);
  };

  // The lists that make transitions, in serving-time order.
  std::vector<const models::ServedListRecord*> used;
  for (const models::ServedListRecord& list : data.served_lists) {
    if (list.user == models::ServedListRecord::kUnknownUser || list.user >= data.num_users) {
      continue;
    }
    if (!list.complete || static_cast<int>(list.items.size()) != o.k) continue;
    if (!o.surface.empty() && list.surface != o.surface) continue;
    const std::string panel = ContextValue(list, "panel_id");
    if (!panel.empty() && PanelSize(panel) != o.k) continue;
    if (ContextValue(list, "visit_id").empty()) continue;
    used.push_back(&list);
  }
  std::vector<RlTransition> out;
  out.reserve(used.size());
  // The index in `out` of each user's last transition, to link its next state.
  absl::flat_hash_map<uint32_t, std::pair<size_t, int64_t>> last;
  double reward_sum = 0;
  for (const models::ServedListRecord* list : used) {
    RlTransition t;
    t.state = state_at(list->user, list->served_at_ms);
    const std::string visit = ContextValue(*list, "visit_id");
    const std::string panel = ContextValue(*list, "panel_id");
    std::vector<double> sub;
    for (uint32_t item : list->items) {
      t.action.push_back(item);
      sub.push_back(service_reward(visit, panel, item_id(item)));
    }
    t.reward = static_cast<float>(CombineRewards(sub));
    t.next_state = t.state;
    t.done = true;
    if (auto it = last.find(list->user); it != last.end()) {
      const auto [previous, served_at] = it->second;
      if (list->served_at_ms - served_at <= o.episode_seconds * 1000.0) {
        out[previous].next_state = t.state;
        out[previous].done = false;
      }
    }
    last[list->user] = {out.size(), list->served_at_ms};
    reward_sum += t.reward;
    if (t.reward > 0) ++stats->rewarded;
    out.push_back(std::move(t));
  }
  stats->transitions = static_cast<int64_t>(out.size());
  stats->mean_reward = out.empty() ? 0.0 : reward_sum / static_cast<double>(out.size());
  return out;
}

}  // namespace recplat::rl
