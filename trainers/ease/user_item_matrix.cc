#include "trainers/ease/user_item_matrix.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace recplat::ease {

absl::StatusOr<UserItemMatrix> BuildUserItemMatrix(const models::TrainingData& data,
                                                   const MatrixOptions& p,
                                                   absl::string_view family) {
  struct Entry {
    uint32_t user;
    uint32_t item;
    float value;
  };
  UserItemMatrix m;
  m.num_items = data.num_items;
  uint32_t num_users = data.num_users;
  // Weight of each event type: the model's own when it names any, else the profile's.
  std::vector<float> type_weights = data.event_type_weights;
  if (!p.event_weights.empty()) {
    type_weights.assign(data.event_types.size(), 0.0f);
    for (size_t t = 0; t < data.event_types.size(); ++t) {
      for (const auto& [name, w] : p.event_weights) {
        if (name == data.event_types[t]) type_weights[t] = w;
      }
    }
  }
  std::vector<Entry> entries;
  entries.reserve(data.interactions.size());
  for (const models::Interaction& x : data.interactions) {
    const float w = x.type < type_weights.size() ? type_weights[x.type] : 1.0f;
    if (!(w > 0)) {
      continue;
    }
    entries.push_back({x.user, x.item, p.weighted ? w * (p.use_value ? x.value : 1.0f) : 1.0f});
    num_users = std::max(num_users, x.user + 1);
    m.num_items = std::max(m.num_items, x.item + 1);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.user != b.user ? a.user < b.user : a.item < b.item;
  });
  // Interactions per item, then the distinct (user, item) entries with their summed value.
  std::vector<uint64_t> count(m.num_items, 0);
  size_t out = 0;
  for (size_t k = 0; k < entries.size(); ++k) {
    ++count[entries[k].item];
    if (out > 0 && entries[out - 1].user == entries[k].user &&
        entries[out - 1].item == entries[k].item) {
      entries[out - 1].value += entries[k].value;
    } else {
      entries[out++] = entries[k];
    }
  }
  entries.resize(out);
  for (Entry& e : entries) {
    e.value = p.weighted ? std::min(e.value, static_cast<float>(p.weight_cap)) : 1.0f;
  }
  std::erase_if(entries, [](const Entry& e) { return !(e.value > 0); });
  for (uint32_t i = 0; i < m.num_items; ++i) {
    if (count[i] > 0) {
      m.kept_items.push_back(i);
    }
  }
  if (m.kept_items.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        family, ": no interactions with a positive event type weight to train on"));
  }
  if (m.kept_items.size() > p.max_items) {
    std::nth_element(
        m.kept_items.begin(), m.kept_items.begin() + p.max_items, m.kept_items.end(),
        [&](uint32_t a, uint32_t b) { return count[a] != count[b] ? count[a] > count[b] : a < b; });
    m.kept_items.resize(p.max_items);
    std::sort(m.kept_items.begin(), m.kept_items.end());
  }
  std::vector<int32_t> col(m.num_items, -1);
  for (size_t a = 0; a < m.kept_items.size(); ++a) {
    col[m.kept_items[a]] = static_cast<int32_t>(a);
  }
  m.rows.num_cols = static_cast<uint32_t>(m.kept_items.size());
  m.rows.offsets.reserve(num_users + 1);
  m.rows.cols.reserve(entries.size());
  m.rows.values.reserve(entries.size());
  size_t k = 0;
  for (uint32_t u = 0; u < num_users; ++u) {
    for (; k < entries.size() && entries[k].user == u; ++k) {
      if (col[entries[k].item] >= 0) {  // Ascending: item order is column order.
        m.rows.cols.push_back(static_cast<uint32_t>(col[entries[k].item]));
        m.rows.values.push_back(entries[k].value);
      }
    }
    m.rows.offsets.push_back(m.rows.cols.size());
  }
  return m;
}

}  // namespace recplat::ease
