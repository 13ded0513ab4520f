#include "core/training/training_data_builder.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace recplat::training {

namespace {

constexpr int kItemPageSize = 1000;

// Copies the attributes (sorted by name; proto maps iterate in no particular order), title,
// categories and the head of the text of every live item listed by the store into d->items. Items past d->items (created after the catalog
// snapshot) are skipped.
absl::Status FillItemAttributes(const state::StateStore& state, const std::string& tenant,
                                models::TrainingData* d) {
  std::vector<v1::Item> page;
  uint32_t start = 0;
  while (true) {
    page.clear();
    uint32_t next = 0;
    if (absl::Status s = state.ListItems(tenant, start, kItemPageSize, &page, &next); !s.ok()) {
      return s;
    }
    for (v1::Item& item : page) {
      if (item.index() >= d->items.size()) continue;
      models::ItemInfo& info = d->items[item.index()];
      info.numeric.assign(item.numeric_attributes().begin(), item.numeric_attributes().end());
      info.categorical.assign(item.categorical_attributes().begin(),
                              item.categorical_attributes().end());
      std::sort(info.numeric.begin(), info.numeric.end());
      std::sort(info.categorical.begin(), info.categorical.end());
      info.title = std::move(*item.mutable_title());
      info.categories.assign(item.categories().begin(), item.categories().end());
      std::string* text = item.mutable_text();
      if (text->size() > models::ItemInfo::kMaxTextBytes) {
        // Cut at a UTF-8 character boundary.
        size_t cut = models::ItemInfo::kMaxTextBytes;
        while (cut > 0 && (static_cast<unsigned char>((*text)[cut]) & 0xC0) == 0x80) --cut;
        text->resize(cut);
      }
      info.text = std::move(*text);
    }
    if (next == 0) return absl::OkStatus();
    start = next;
  }
}

}  // namespace

absl::StatusOr<BuiltTrainingData> BuildTrainingData(
    const state::StateStore& state, const std::string& tenant,
    const std::map<std::string, config::EventTypeConfig>& event_types, int64_t now_ms,
    bool item_attributes) {
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
      d.items[i].live = m.live;
      d.items[i].available = m.recommendable;
      d.items[i].published_at_ms = m.published_at_ms;
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
  if (item_attributes) {
    if (absl::Status s = FillItemAttributes(state, tenant, &d); !s.ok()) return s;
  }
  return out;
}

}  // namespace recplat::training
