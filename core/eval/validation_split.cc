#include "core/eval/validation_split.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/common/random.h"

namespace recplat::eval {

absl::StatusOr<HoldoutSplit> CarveValidation(const InteractionFile& train,
                                             const HoldoutOptions& options) {
  if (!(options.fraction > 0) || !(options.fraction < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the validation holdout fraction must be in (0, 1), got ", options.fraction));
  }
  // Distinct items of every user, both in order of first appearance.
  absl::flat_hash_map<std::string, size_t> user_index;
  std::vector<std::vector<std::string>> user_items;
  {
    std::vector<absl::flat_hash_set<std::string>> seen;
    for (const RawInteraction& x : train.interactions) {
      auto [it, inserted] = user_index.try_emplace(x.user, user_items.size());
      if (inserted) {
        user_items.emplace_back();
        seen.emplace_back();
      }
      if (seen[it->second].insert(x.item).second) {
        user_items[it->second].push_back(x.item);
      }
    }
  }
  common::Rng rng(options.seed);
  std::vector<absl::flat_hash_set<std::string>> held(user_items.size());
  HoldoutSplit split;
  for (size_t u = 0; u < user_items.size(); ++u) {
    std::vector<std::string>& items = user_items[u];
    if (items.size() < 2) {
      continue;
    }
    const size_t n = items.size();
    const size_t hold = std::clamp<size_t>(
        static_cast<size_t>(std::llround(options.fraction * static_cast<double>(n))), 1, n - 1);
    for (size_t k = 0; k < hold; ++k) {  // Partial Fisher-Yates: the first `hold` are held out.
      std::swap(items[k], items[k + rng.Uniform(n - k)]);
    }
    held[u].insert(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(hold));
    ++split.validation_users;
  }
  if (split.validation_users == 0) {
    return absl::FailedPreconditionError(
        "no user of the training file has two distinct items: nothing to hold out for "
        "validation");
  }
  split.fit.format = split.validation.format = train.format;
  split.fit.has_timestamps = split.validation.has_timestamps = train.has_timestamps;
  for (const RawInteraction& x : train.interactions) {
    const size_t u = user_index.at(x.user);
    (held[u].contains(x.item) ? split.validation : split.fit).interactions.push_back(x);
  }
  return split;
}

}  // namespace recplat::eval
