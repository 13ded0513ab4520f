#include "trainers/similarity/internal/features.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace recplat::similarity::internal {
namespace {

// Running min / max / sum of one numeric attribute over the rows having it.
struct NumericStats {
  double min = 0.0;
  double max = 0.0;
  double sum = 0.0;
  uint64_t count = 0;

  void Add(double v) {
    min = count == 0 ? v : std::min(min, v);
    max = count == 0 ? v : std::max(max, v);
    sum += v;
    ++count;
  }
  // Min-max normalisation, 0.5 when min == max (or nothing was seen). The halves keep
  // max - min finite for any finite inputs; halving is exact, so the result is that of
  // (v - min) / (max - min) whenever the latter does not overflow.
  double Normalize(double v) const {
    if (count == 0 || !(max > min)) return 0.5;
    const double x = (v * 0.5 - min * 0.5) / (max * 0.5 - min * 0.5);
    return std::isfinite(x) ? x : 0.5;
  }
  double NormalizedMean() const { return Normalize(count == 0 ? 0.0 : sum / count); }
};

float WeightOf(const uint32_t* u, const uint32_t* v, uint32_t n) {
  uint32_t uni = 0;
  uint32_t inter = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uni += static_cast<uint32_t>(std::popcount(u[i] | v[i]));
    inter += static_cast<uint32_t>(std::popcount(u[i] & v[i]));
  }
  return MaskWeight(uni, inter);
}

bool LiveItem(const models::TrainingData& data, uint32_t i) {
  return data.items.empty() || i >= data.items.size() || data.items[i].live;
}

const models::ItemInfo* InfoOf(const models::TrainingData& data, uint32_t i) {
  return i < data.items.size() ? &data.items[i] : nullptr;
}

}  // namespace

uint32_t ItemFeatures::num_patterns() const {
  const uint32_t stride = numeric_words + categorical_words;
  return stride == 0 ? 0 : static_cast<uint32_t>(pattern_masks.size() / stride);
}

float ItemFeatures::NumericWeight(uint32_t p, uint32_t q) const {
  const size_t stride = numeric_words + categorical_words;
  return WeightOf(&pattern_masks[p * stride], &pattern_masks[q * stride], numeric_words);
}

float ItemFeatures::CategoricalWeight(uint32_t p, uint32_t q) const {
  const size_t stride = numeric_words + categorical_words;
  return WeightOf(&pattern_masks[p * stride + numeric_words],
                  &pattern_masks[q * stride + numeric_words], categorical_words);
}

float RowDistance(const ItemFeatures& f, uint32_t a, uint32_t b) {
  // Keep in step with the kernel in neighbors.cc: same operations, same order.
  const Eigen::Index d = f.numeric.cols();
  float sq = 0.0f;
  for (Eigen::Index c = 0; c < d; ++c) {
    const float diff = f.numeric(b, c) - f.numeric(a, c);
    sq += diff * diff;
  }
  const uint32_t pa = f.pattern[a];
  const uint32_t pb = f.pattern[b];
  float dist = std::sqrt(sq) * f.NumericWeight(pa, pb);
  const uint32_t k = f.num_categorical;
  if (k > 0) {
    const size_t rows = f.rows();
    uint32_t differing = 0;
    for (uint32_t c = 0; c < k; ++c) {
      differing += f.categorical[c * rows + b] != f.categorical[c * rows + a] ? 1u : 0u;
    }
    dist += (static_cast<float>(differing) / static_cast<float>(k)) * f.CategoricalWeight(pa, pb);
  }
  return dist;
}

absl::StatusOr<ItemFeatures> BuildFeatures(const models::TrainingData& data,
                                           const FeatureOptions& options) {
  ItemFeatures f;
  f.num_items = data.num_items;
  f.row_of.assign(data.num_items, kNoRow);
  for (uint32_t i = 0; i < data.num_items; ++i) {
    if (LiveItem(data, i)) {
      f.row_of[i] = static_cast<uint32_t>(f.items.size());
      f.items.push_back(i);
    }
  }
  if (f.items.empty()) {
    return absl::FailedPreconditionError("content_similarity: no live items to featurise");
  }
  const std::string& price_name = options.price_attribute;

  // Pass 1: attribute names and their statistics over the live items.
  NumericStats price;
  std::map<std::string_view, NumericStats> numeric_stats;
  std::map<std::string_view, absl::flat_hash_map<std::string_view, uint64_t>> value_counts;
  for (uint32_t item : f.items) {
    const models::ItemInfo* info = InfoOf(data, item);
    if (info == nullptr) continue;
    for (const auto& [name, value] : info->numeric) {
      if (!std::isfinite(value)) continue;
      (name == price_name ? price : numeric_stats[name]).Add(value);
    }
    for (const auto& [name, value] : info->categorical) ++value_counts[name][value];
  }
  if (price.count == 0 && numeric_stats.empty() && value_counts.empty()) {
    return absl::FailedPreconditionError(
        "content_similarity: no live item has a numeric or categorical attribute");
  }

  // Columns. Numeric column 0 is the price; names iterate sorted (std::map).
  const size_t rows = f.items.size();
  const uint32_t d = 1 + static_cast<uint32_t>(numeric_stats.size());
  const uint32_t k = static_cast<uint32_t>(value_counts.size());
  absl::flat_hash_map<std::string_view, uint32_t> numeric_column;
  std::vector<const NumericStats*> column_stats = {&price};
  f.numeric.resize(static_cast<Eigen::Index>(rows), d);
  f.numeric.col(0).setConstant(0.5f);
  for (const auto& [name, stats] : numeric_stats) {
    const uint32_t c = static_cast<uint32_t>(column_stats.size());
    numeric_column[name] = c;
    column_stats.push_back(&stats);
    f.numeric.col(c).setConstant(static_cast<float>(stats.NormalizedMean()));
  }
  // Categorical codes: rank by frequency desc, then value.
  absl::flat_hash_map<std::string_view, uint32_t> categorical_column;
  std::vector<absl::flat_hash_map<std::string_view, uint32_t>> codes(k);
  for (const auto& [name, counts] : value_counts) {
    const uint32_t c = static_cast<uint32_t>(categorical_column.size());
    categorical_column[name] = c;
    std::vector<std::pair<std::string_view, uint64_t>> ranked(counts.begin(), counts.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (size_t r = 0; r < ranked.size(); ++r) codes[c][ranked[r].first] = static_cast<uint32_t>(r);
  }
  f.num_categorical = k;
  f.categorical.assign(static_cast<size_t>(k) * rows, 0);

  // Pass 2: values and masks; patterns by first appearance.
  f.numeric_words = (d + 31) / 32;
  f.categorical_words = (k + 31) / 32;
  const size_t stride = f.numeric_words + f.categorical_words;
  absl::flat_hash_map<std::vector<uint32_t>, uint32_t> pattern_ids;
  std::vector<uint32_t> mask(stride);
  f.pattern.resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    std::fill(mask.begin(), mask.end(), 0u);
    if (const models::ItemInfo* info = InfoOf(data, f.items[r]); info != nullptr) {
      for (const auto& [name, value] : info->numeric) {
        if (!std::isfinite(value)) continue;
        const uint32_t c = name == price_name ? 0 : numeric_column.at(name);
        f.numeric(static_cast<Eigen::Index>(r), c) =
            static_cast<float>(column_stats[c]->Normalize(value));
        mask[c / 32] |= 1u << (c % 32);
      }
      for (const auto& [name, value] : info->categorical) {
        const uint32_t c = categorical_column.at(name);
        f.categorical[c * rows + r] = codes[c].at(value);
        mask[f.numeric_words + c / 32] |= 1u << (c % 32);
      }
    }
    auto [it, inserted] = pattern_ids.try_emplace(mask, static_cast<uint32_t>(pattern_ids.size()));
    if (inserted) f.pattern_masks.insert(f.pattern_masks.end(), mask.begin(), mask.end());
    f.pattern[r] = it->second;
  }
  return f;
}

absl::Status FinishLoadedFeatures(ItemFeatures* f) {
  auto bad = [](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("content_similarity artifact: ", what));
  };
  const size_t rows = f->items.size();
  const uint32_t d = f->num_numeric();
  const uint32_t k = f->num_categorical;
  if (rows == 0 || d == 0 || f->numeric.rows() != static_cast<Eigen::Index>(rows)) {
    return bad("bad numeric matrix shape");
  }
  if (f->categorical.size() != static_cast<size_t>(k) * rows || f->pattern.size() != rows) {
    return bad("inconsistent sizes");
  }
  if (f->numeric_words != (d + 31) / 32 || f->categorical_words != (k + 31) / 32 ||
      f->pattern_masks.size() % (f->numeric_words + f->categorical_words) != 0) {
    return bad("bad pattern masks");
  }
  f->row_of.assign(f->num_items, kNoRow);
  for (size_t r = 0; r < rows; ++r) {
    if (f->items[r] >= f->num_items || (r > 0 && f->items[r] <= f->items[r - 1])) {
      return bad(absl::StrCat("bad item at row ", r));
    }
    f->row_of[f->items[r]] = static_cast<uint32_t>(r);
  }
  if (!f->numeric.allFinite()) return bad("non-finite numeric feature");
  const uint32_t patterns = f->num_patterns();
  for (uint32_t p : f->pattern) {
    if (p >= patterns) return bad("pattern out of range");
  }
  // Mask bits past the last column would change the weights.
  const size_t stride = f->numeric_words + f->categorical_words;
  for (uint32_t p = 0; p < patterns; ++p) {
    const uint32_t* m = &f->pattern_masks[p * stride];
    for (uint32_t c = d; c < f->numeric_words * 32; ++c) {
      if (m[c / 32] & (1u << (c % 32))) return bad("numeric mask bit past the last column");
    }
    for (uint32_t c = k; c < f->categorical_words * 32; ++c) {
      if (m[f->numeric_words + c / 32] & (1u << (c % 32))) {
        return bad("categorical mask bit past the last column");
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace recplat::similarity::internal
