#include "tools/renewal_sim/assignments.h"

#include <algorithm>

namespace recplat::renewal_sim {

Assignments::Assignments(std::vector<std::string> users, size_t recsystems_per_user)
    : users_(std::move(users)), per_user_(recsystems_per_user) {}

bool Assignments::Knows(const std::string& recsystem) const {
  return std::find(recsystems_.begin(), recsystems_.end(), recsystem) != recsystems_.end();
}

std::vector<size_t> Assignments::RecsystemsOf(size_t user_index) const {
  const size_t n = recsystems_.size();
  std::vector<size_t> out;
  if (n == 0) return out;
  const size_t k = per_user_ == 0 ? n : std::min(per_user_, n);
  const size_t shift = static_cast<size_t>(epoch_ % static_cast<int64_t>(n));
  for (size_t j = 0; j < k; ++j) out.push_back((user_index + shift + j) % n);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::vector<bool>> Assignments::Table() const {
  std::vector<std::vector<bool>> table(recsystems_.size(), std::vector<bool>(users_.size()));
  for (size_t u = 0; u < users_.size(); ++u) {
    for (size_t r : RecsystemsOf(u)) table[r][u] = true;
  }
  return table;
}

std::vector<Assignments::Change> Assignments::Diff(
    const std::vector<std::vector<bool>>& before,
    const std::vector<std::vector<bool>>& after) const {
  std::vector<Change> removed, added;
  for (size_t r = 0; r < after.size(); ++r) {
    for (size_t u = 0; u < users_.size(); ++u) {
      const bool was = r < before.size() && before[r][u];
      if (was && !after[r][u]) removed.push_back({recsystems_[r], users_[u], false});
      if (!was && after[r][u]) added.push_back({recsystems_[r], users_[u], true});
    }
  }
  removed.insert(removed.end(), added.begin(), added.end());
  return removed;
}

std::vector<Assignments::Change> Assignments::AddRecsystem(const std::string& recsystem) {
  if (Knows(recsystem)) return {};
  const auto before = Table();
  recsystems_.push_back(recsystem);
  std::vector<Change> changes = Diff(before, Table());
  // Assigned ones first: the newcomer learns its users before others lose theirs.
  std::stable_partition(changes.begin(), changes.end(), [](const Change& c) { return c.assigned; });
  return changes;
}

std::vector<Assignments::Change> Assignments::Rotate() {
  const auto before = Table();
  ++epoch_;
  return Diff(before, Table());
}

std::vector<std::string> Assignments::UsersOf(const std::string& recsystem) const {
  std::vector<std::string> out;
  auto it = std::find(recsystems_.begin(), recsystems_.end(), recsystem);
  if (it == recsystems_.end()) return out;
  const size_t r = static_cast<size_t>(it - recsystems_.begin());
  for (size_t u = 0; u < users_.size(); ++u) {
    const std::vector<size_t> rs = RecsystemsOf(u);
    if (std::binary_search(rs.begin(), rs.end(), r)) out.push_back(users_[u]);
  }
  return out;
}

}  // namespace recplat::renewal_sim
