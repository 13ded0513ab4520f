#include "core/training/training_data_builder.h"

#include <algorithm>
#include <optional>

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

constexpr size_t kServedPageSize = 1000;
constexpr size_t kDocumentPageSize = 1000;

// Fills d->served_lists (every surface, serving-time order, the newest kMaxServedLists).
absl::Status FillServedLists(const state::StateStore& state, const std::string& tenant,
                             models::TrainingData* d) {
  const catalog::Catalog* cat = state.FindCatalog(tenant);
  absl::flat_hash_map<std::string, uint32_t> users;
  std::vector<v1::ServedList> page;
  state::ServedListScan scan;
  scan.limit = kServedPageSize;
  while (true) {
    page.clear();
    std::string next;
    if (absl::Status s = state.ScanServed(tenant, scan, &page, &next); !s.ok()) return s;
    for (v1::ServedList& list : page) {
      models::ServedListRecord r;
      if (!list.user_id().empty()) {
        auto [it, inserted] = users.try_emplace(list.user_id(), models::ServedListRecord::kUnknownUser);
        if (inserted) {
          absl::StatusOr<v1::User> user = state.GetUser(tenant, list.user_id());
          if (user.ok() && user->index() < d->num_users) {
            it->second = user->index();
          } else if (!user.ok() && !absl::IsNotFound(user.status())) {
            return user.status();
          }
        }
        r.user = it->second;
      }
      r.user_id = std::move(*list.mutable_user_id());
      r.session_id = std::move(*list.mutable_session_id());
      r.surface = std::move(*list.mutable_surface());
      r.served_at_ms = list.served_at_ms();
      r.scoring_model = std::move(*list.mutable_scoring_model());
      r.scoring_model_version = list.scoring_model_version();
      if (cat != nullptr) {
        auto reader = cat->Read();
        for (const std::string& id : list.item_ids()) {
          std::optional<uint32_t> idx = reader.Find(id);
          if (idx.has_value() && *idx < d->num_items) {
            r.items.push_back(*idx);
          } else {
            r.complete = false;
          }
        }
      } else {
        r.complete = list.item_ids().empty();
      }
      r.context.assign(list.context().begin(), list.context().end());
      std::sort(r.context.begin(), r.context.end());
      d->served_lists.push_back(std::move(r));
    }
    if (d->served_lists.size() > kMaxServedLists) {
      d->served_lists.erase(d->served_lists.begin(),
                            d->served_lists.begin() + (d->served_lists.size() - kMaxServedLists));
    }
    if (next.empty()) return absl::OkStatus();
    scan.page_token = std::move(next);
  }
}

// Appends the live documents of `collection` in key order to d->documents (up to
// kMaxDocuments in all).
absl::Status FillDocuments(const state::StateStore& state, const std::string& tenant,
                           const std::string& collection, models::TrainingData* d) {
  std::vector<v1::Document> page;
  std::string start;
  while (d->documents.size() < kMaxDocuments) {
    page.clear();
    std::string next;
    if (absl::Status s = state.ScanDocuments(tenant, collection, "", start, kDocumentPageSize,
                                             false, false, &page, &next);
        !s.ok()) {
      return s;
    }
    for (v1::Document& doc : page) {
      if (d->documents.size() >= kMaxDocuments) break;
      d->documents.push_back({collection, std::move(*doc.mutable_key()),
                              std::move(*doc.mutable_body()), doc.updated_at_ms()});
    }
    if (next.empty()) break;
    start = std::move(next);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BuiltTrainingData> BuildTrainingData(
    const state::StateStore& state, const std::string& tenant,
    const std::map<std::string, config::EventTypeConfig>& event_types, int64_t now_ms,
    const TrainingDataExtras& extras) {
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
  if (extras.item_attributes) {
    if (absl::Status s = FillItemAttributes(state, tenant, &d); !s.ok()) return s;
  }
  if (extras.served_lists) {
    if (absl::Status s = FillServedLists(state, tenant, &d); !s.ok()) return s;
  }
  for (const std::string& collection : extras.document_collections) {
    if (absl::Status s = FillDocuments(state, tenant, collection, &d); !s.ok()) return s;
  }
  return out;
}

}  // namespace recplat::training
