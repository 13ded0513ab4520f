#include "trainers/similarity/similarity_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/models/artifact_io.h"

namespace recplat::similarity {
namespace {

using internal::kNoRow;

bool Excluded(const models::CandidateFilter* filter, uint32_t item) {
  return filter != nullptr && filter->Excluded(item);
}

// Nearer first, ties by lower item index (the fitted lists' order).
bool Nearer(const models::ScoredItem& a, const models::ScoredItem& b) {
  return a.score != b.score ? a.score > b.score : a.item < b.item;
}

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("content_similarity artifact: ", what));
}

}  // namespace

ContentSimilarityModel::ContentSimilarityModel(internal::ItemFeatures features,
                                               internal::NeighborLists lists)
    : features_(std::move(features)), lists_(std::move(lists)) {}

std::optional<double> ContentSimilarityModel::Distance(uint32_t a, uint32_t b) const {
  const uint32_t ra = features_.RowOf(a);
  const uint32_t rb = features_.RowOf(b);
  if (ra == kNoRow || rb == kNoRow) return std::nullopt;
  return internal::RowDistance(features_, ra, rb);
}

uint32_t ContentSimilarityModel::FirstKnownAnchorRow(const models::RecommendContext& ctx) const {
  for (uint32_t item : ctx.anchors) {
    if (const uint32_t row = features_.RowOf(item); row != kNoRow) return row;
  }
  return kNoRow;
}

bool ContentSimilarityModel::Ready(const models::RecommendContext& ctx) const {
  return FirstKnownAnchorRow(ctx) != kNoRow;
}

void ContentSimilarityModel::Nearest(uint32_t row, size_t n, const models::CandidateFilter* filter,
                                     std::vector<models::ScoredItem>* out) const {
  if (n == 0) return;
  const size_t start = out->size();
  const std::span<const uint32_t> items = lists_.ItemsOf(row);
  const std::span<const float> distances = lists_.DistancesOf(row);
  for (size_t k = 0; k < items.size(); ++k) {
    if (Excluded(filter, items[k])) continue;
    out->push_back({items[k], -static_cast<double>(distances[k])});
    if (out->size() - start == n) return;
  }
  const size_t rows = features_.rows();
  if (static_cast<size_t>(lists_.per_row) + 1 >= rows) return;  // The list holds every item.
  // The list was cut at `neighbors` and the filter took too many: scan all rows exactly.
  out->resize(start);
  std::vector<models::ScoredItem> all;
  for (uint32_t r = 0; r < rows; ++r) {
    const uint32_t item = features_.items[r];
    if (r == row || Excluded(filter, item)) continue;
    all.push_back({item, -static_cast<double>(internal::RowDistance(features_, row, r))});
  }
  const size_t keep = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                    Nearer);
  out->insert(out->end(), all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep));
}

absl::Status ContentSimilarityModel::Retrieve(const models::RecommendContext& ctx, size_t n,
                                              std::vector<models::ScoredItem>* out) const {
  if (const uint32_t row = FirstKnownAnchorRow(ctx); row != kNoRow) {
    Nearest(row, n, ctx.filter, out);
  }
  return absl::OkStatus();
}

absl::Status ContentSimilarityModel::Score(const models::RecommendContext& ctx,
                                           std::span<models::ScoredItem> items) const {
  // Computing the distance is as cheap as finding it in the anchor's list, and equal to the
  // stored value bit for bit, so every known item is computed.
  const uint32_t anchor = FirstKnownAnchorRow(ctx);
  for (models::ScoredItem& s : items) {
    const uint32_t row = features_.RowOf(s.item);
    s.score = anchor == kNoRow || row == kNoRow
                  ? kUnknownScore
                  : -static_cast<double>(internal::RowDistance(features_, anchor, row));
  }
  return absl::OkStatus();
}

absl::Status ContentSimilarityModel::Similar(uint32_t item, size_t n,
                                             const models::CandidateFilter* filter,
                                             std::vector<models::ScoredItem>* out) const {
  if (const uint32_t row = features_.RowOf(item); row != kNoRow) Nearest(row, n, filter, out);
  return absl::OkStatus();
}

void ContentSimilarityModel::RerankForDiversity(size_t head,
                                                std::vector<models::ScoredItem>* items) const {
  const size_t h = std::min(head, items->size());
  if (h < 3) return;  // Item 0 first, then the only other one: the order is kept.
  std::vector<uint32_t> rows(h);
  for (size_t k = 0; k < h; ++k) rows[k] = features_.RowOf((*items)[k].item);
  // sum[k]: summed distance of item k to the items chosen so far.
  std::vector<double> sum(h, 0.0);
  std::vector<size_t> remaining;  // Positions not chosen yet, in their original order.
  for (size_t k = 1; k < h; ++k) remaining.push_back(k);
  std::vector<models::ScoredItem> chosen = {(*items)[0]};
  size_t last = 0;
  while (!remaining.empty()) {
    size_t best = 0;
    for (size_t q = 0; q < remaining.size(); ++q) {
      const size_t k = remaining[q];
      if (rows[last] != kNoRow && rows[k] != kNoRow) {
        sum[k] += internal::RowDistance(features_, rows[last], rows[k]);
      }
      if (sum[k] > sum[remaining[best]]) best = q;
    }
    last = remaining[best];
    chosen.push_back((*items)[last]);
    remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(best));
  }
  std::copy(chosen.begin(), chosen.end(), items->begin());
}

absl::Status DiversityRerank(const models::Model& model, size_t head,
                             std::vector<models::ScoredItem>* items) {
  const auto* similarity = dynamic_cast<const ContentSimilarityModel*>(&model);
  if (similarity == nullptr) {
    return absl::FailedPreconditionError(
        "diversity re-rank needs a content_similarity model for its distances");
  }
  similarity->RerankForDiversity(head, items);
  return absl::OkStatus();
}

std::vector<std::pair<std::string, double>> ContentSimilarityModel::Metrics() const {
  return {{"items", static_cast<double>(features_.rows())},
          {"numeric_columns", static_cast<double>(features_.num_numeric())},
          {"categorical_columns", static_cast<double>(features_.num_categorical)},
          {"patterns", static_cast<double>(features_.num_patterns())},
          {"neighbor_pairs", static_cast<double>(lists_.items.size())}};
}

absl::Status ContentSimilarityModel::Save(const std::filesystem::path& dir) const {
  const internal::ItemFeatures& f = features_;
  models::ArtifactWriter w(kContentSimilarityFamily);
  const int64_t num_items[] = {f.num_items};
  const int64_t shape[] = {f.num_numeric(), f.num_categorical, f.numeric_words, f.categorical_words,
                           lists_.per_row};
  w.AddI64("num_items", num_items);
  w.AddI64("shape", shape);
  w.AddU32("items", f.items);
  w.AddF32("numeric", std::span<const float>(f.numeric.data(), f.numeric.size()));
  w.AddU32("categorical", f.categorical);
  w.AddU32("pattern", f.pattern);
  w.AddU32("pattern_masks", f.pattern_masks);
  w.AddU32("neighbors", lists_.items);
  w.AddF32("distances", lists_.distances);
  return w.WriteFile(dir / models::kModelArtifactFile);
}

absl::StatusOr<std::unique_ptr<ContentSimilarityModel>> ContentSimilarityModel::Load(
    const std::filesystem::path& dir) {
  RECPLAT_ASSIGN_OR_RETURN(
      models::ArtifactReader r,
      models::ArtifactReader::ReadFile(dir / models::kModelArtifactFile, kContentSimilarityFamily));
  RECPLAT_ASSIGN_OR_RETURN(int64_t num_items, r.I64Scalar("num_items"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<int64_t> shape, r.I64("shape"));
  if (shape.size() != 5 || num_items < 0 || num_items > UINT32_MAX) return Bad("bad header");
  for (int64_t v : shape) {
    if (v < 0 || v > UINT32_MAX) return Bad("bad shape");
  }
  internal::ItemFeatures f;
  f.num_items = static_cast<uint32_t>(num_items);
  f.num_categorical = static_cast<uint32_t>(shape[1]);
  f.numeric_words = static_cast<uint32_t>(shape[2]);
  f.categorical_words = static_cast<uint32_t>(shape[3]);
  RECPLAT_ASSIGN_OR_RETURN(f.items, r.U32("items"));
  RECPLAT_ASSIGN_OR_RETURN(std::vector<float> numeric, r.F32("numeric"));
  const auto rows = static_cast<Eigen::Index>(f.items.size());
  if (shape[0] == 0 || numeric.size() != static_cast<size_t>(rows) * shape[0]) {
    return Bad("numeric matrix size");
  }
  f.numeric = Eigen::Map<const Eigen::MatrixXf>(numeric.data(), rows, shape[0]);
  RECPLAT_ASSIGN_OR_RETURN(f.categorical, r.U32("categorical"));
  RECPLAT_ASSIGN_OR_RETURN(f.pattern, r.U32("pattern"));
  RECPLAT_ASSIGN_OR_RETURN(f.pattern_masks, r.U32("pattern_masks"));
  RECPLAT_RETURN_IF_ERROR(internal::FinishLoadedFeatures(&f));

  internal::NeighborLists lists;
  lists.per_row = static_cast<uint32_t>(shape[4]);
  RECPLAT_ASSIGN_OR_RETURN(lists.items, r.U32("neighbors"));
  RECPLAT_ASSIGN_OR_RETURN(lists.distances, r.F32("distances"));
  if (lists.per_row >= f.rows() || lists.items.size() != f.rows() * lists.per_row ||
      lists.distances.size() != lists.items.size()) {
    return Bad("neighbour lists size");
  }
  for (size_t k = 0; k < lists.items.size(); ++k) {
    const uint32_t row = f.RowOf(lists.items[k]);
    if (row == kNoRow || row == k / lists.per_row || !std::isfinite(lists.distances[k]) ||
        lists.distances[k] < 0) {
      return Bad(absl::StrCat("bad neighbour entry ", k));
    }
  }
  return std::make_unique<ContentSimilarityModel>(std::move(f), std::move(lists));
}

}  // namespace recplat::similarity
