#include "core/training/training_data_builder.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace recplat::training {

absl::StatusOr<BuiltTrainingData> BuildTrainingData(
    const state::StateStore& state, const std::string& tenant,
    const std::map<std::string, config::EventTypeConfig>& event_types, int64_t now_ms) {
  BuiltTrainingData out;
  models::TrainingData& d = out.data;
  d.now_ms = now_ms;
  // Store type ids -> dense training type ids, assigned in order of first appearance.
  absl::flat_hash_map<uint16_t, uint16_t> type_map;
  uint32_t num_users = 0;
  auto scanned = state.ScanInteractions(tenant, &num_users, [&](const state::HistoryEntry& e) {
    auto [it, inserted] = type_map.try_emplace(e.type, static_cast<uint16_t>(type_map.size()));
    if (inserted) {
      std::string name = state.EventTypeName(e.type);
      auto cfg = event_types.find(name);
      d.event_types.push_back(name);
      d.event_type_weights.push_back(
          cfg == event_types.end() ? 1.0f : static_cast<float>(cfg->second.weight));
    }
    d.interactions.push_back({e.user, e.item, it->second, e.value, e.timestamp_ms});
  });
  if (!scanned.ok()) return scanned.status();
  out.log_offset = *scanned;
  d.num_users = num_users;
  std::sort(d.interactions.begin(), d.interactions.end(),
            [](const models::Interaction& a, const models::Interaction& b) {
              return a.user != b.user ? a.user < b.user : a.timestamp_ms < b.timestamp_ms;
            });
  if (const catalog::Catalog* c = state.FindCatalog(tenant); c != nullptr) {
    auto r = c->Read();
    d.num_items = r.size();
    d.items.resize(d.num_items);
    d.item_ids.resize(d.num_items);
    for (uint32_t i = 0; i < d.num_items; ++i) {
      const catalog::ItemMeta& m = r.Meta(i);
      d.items[i] = {m.live, m.recommendable, m.published_at_ms};
      d.item_ids[i] = r.Id(i);
    }
  }
  // Interactions may name items the catalog snapshot does not have yet (applied after it was
  // read): widen so that every index is valid.
  for (const models::Interaction& i : d.interactions) {
    if (i.item >= d.num_items) d.num_items = i.item + 1;
    if (i.user >= d.num_users) d.num_users = i.user + 1;
  }
  d.items.resize(d.num_items);
  d.item_ids.resize(d.num_items);
  return out;
}

}  // namespace recplat::training
