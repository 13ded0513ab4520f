#include "core/eval/eval_dataset.h"

#include <algorithm>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace recplat::eval {
namespace {

// Dense index of `id` in `index`, assigning the next one (and recording the id) when new.
uint32_t Intern(absl::flat_hash_map<std::string, uint32_t>* index, std::vector<std::string>* ids,
                const std::string& id) {
  auto [it, inserted] = index->try_emplace(id, static_cast<uint32_t>(ids->size()));
  if (inserted) {
    ids->push_back(id);
  }
  return it->second;
}

}  // namespace

absl::StatusOr<EvalDataset> BuildEvalDataset(const InteractionFile& train,
                                             const InteractionFile& test, float weight) {
  if (!(weight > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the interaction event weight must be positive, got ", weight));
  }
  EvalDataset ds;
  models::TrainingData& d = ds.train;
  absl::flat_hash_map<std::string, uint32_t> user_index;
  absl::flat_hash_map<std::string, uint32_t> item_index;
  d.event_types = {"interaction"};
  d.event_type_weights = {weight};
  d.interactions.reserve(train.interactions.size());
  int64_t now_ms = std::numeric_limits<int64_t>::min();
  for (const RawInteraction& x : train.interactions) {
    models::Interaction i;
    i.user = Intern(&user_index, &d.user_ids, x.user);
    i.item = Intern(&item_index, &d.item_ids, x.item);
    i.timestamp_ms = x.timestamp_ms;
    d.interactions.push_back(i);
    now_ms = std::max(now_ms, x.timestamp_ms);
  }
  d.num_users = static_cast<uint32_t>(d.user_ids.size());
  d.num_items = static_cast<uint32_t>(d.item_ids.size());
  d.now_ms = now_ms;
  // Stable: equal timestamps keep file order.
  std::stable_sort(d.interactions.begin(), d.interactions.end(),
                   [](const models::Interaction& a, const models::Interaction& b) {
                     return a.user != b.user ? a.user < b.user : a.timestamp_ms < b.timestamp_ms;
                   });
  models::ItemInfo all_live;  // No attributes: files carry none.
  all_live.published_at_ms = std::numeric_limits<int64_t>::max();
  d.items.assign(d.num_items, all_live);
  ds.history.resize(d.num_users);
  for (const models::Interaction& i : d.interactions) {
    ds.history[i.user].push_back(i.item);
    d.items[i.item].published_at_ms = std::min(d.items[i.item].published_at_ms, i.timestamp_ms);
  }
  for (std::vector<uint32_t>& h : ds.history) {
    std::reverse(h.begin(), h.end());
  }

  absl::flat_hash_map<std::string, size_t> test_index;
  std::vector<std::vector<std::string>> test_items;
  for (const RawInteraction& x : test.interactions) {
    auto [it, inserted] = test_index.try_emplace(x.user, ds.test_users.size());
    if (inserted) {
      EvalTestUser u;
      u.id = x.user;
      if (auto known = user_index.find(x.user); known != user_index.end()) {
        u.train_user = known->second;
      }
      ds.test_users.push_back(std::move(u));
      test_items.emplace_back();
    }
    test_items[it->second].push_back(x.item);
    ++ds.test_interactions;
  }
  for (size_t t = 0; t < ds.test_users.size(); ++t) {
    std::vector<std::string>& items = test_items[t];
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    EvalTestUser& u = ds.test_users[t];
    u.num_relevant = items.size();
    for (const std::string& id : items) {
      if (auto known = item_index.find(id); known != item_index.end()) {
        u.relevant.push_back(known->second);
      }
    }
    std::sort(u.relevant.begin(), u.relevant.end());
  }
  return ds;
}

}  // namespace recplat::eval
