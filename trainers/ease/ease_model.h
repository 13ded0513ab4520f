// File: ease_model.h
//
// EaseModel: the serving half of the `ease` family. It holds the item-item weight matrix B of
// the items kept at fitting time (see ease_family.h for the fit and ease_solver.h for B) and
// answers requests from it:
//
//   source items  = the distinct known items of ctx.user_history, ctx.session_items and
//                   ctx.anchors (each counts once, weight 1: binary, no decay)
//   score(i)      = Σ over source items j of B[j][i]            (B[i][i] = 0)
//
// Ready iff the request has at least one known source item. Retrieve returns the best n kept
// items that pass ctx.filter (scores may be <= 0 when few items relate to the sources);
// Score gives every kept item its sum (0 with no source) and items that were not kept (never
// interacted with, pruned by max_items, or outside the catalog) models::kUnknownScore.
// Similar(item) is row `item` of B: the items it predicts, best first, only weights > 0, the
// item itself excluded. Ties go to the lower item index.
//
// Cost per request: |sources| × n float adds plus a partial sort of n (n = kept items).
// Memory: n² × 4 bytes for B (1.6 GB at n = 20000, 4.9 GB at 35000). Save writes it into one
// artifact section (transiently 2 more copies of B while serialising); Load holds 2 copies
// while parsing.
//
// Artifact (artifact_io.h, family "ease", or the family given): num_items (I64, catalog size at fit), kept_items
// (U32, ascending item indices), weights (F32, n² row-major B), l2 (F64), metric_names
// (String, '\n'-separated) and metric_values (F64), the figures returned by Metrics().
//
// Thread-safety: immutable after construction; const methods may run concurrently (each
// thread accumulates into its own buffer).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model.h"

namespace recplat::ease {

class EaseModel final : public models::Model {
 public:
  using MetricList = std::vector<std::pair<std::string, double>>;

  // REQUIRES: kept_items strictly ascending, all < num_items; weights.size() == n² with
  // n = kept_items.size(). `family` names the artifact's family ("ease", or "dlae" / "edlae",
  // whose weights are served the same way).
  EaseModel(uint32_t num_items, std::vector<uint32_t> kept_items, std::vector<float> weights,
            double l2, MetricList metrics, std::string family = "ease");

  // Reads an artifact written by Save by a model of `family`. DATA_LOSS when it is missing,
  // corrupt, inconsistent or of another family.
  static absl::StatusOr<std::unique_ptr<EaseModel>> Load(const std::filesystem::path& dir,
                                                         const std::string& family = "ease");

  bool Ready(const models::RecommendContext& ctx) const override;
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                       std::vector<models::ScoredItem>* out) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  MetricList Metrics() const override { return metrics_; }

  uint32_t num_items() const { return num_items_; }
  const std::vector<uint32_t>& kept_items() const { return kept_items_; }
  // B row-major over kept indices: weights()[a * n + b] = B[kept_items[a]][kept_items[b]].
  const std::vector<float>& weights() const { return weights_; }
  double l2() const { return l2_; }

 private:
  // Index of `item` among the kept items, or -1.
  int64_t KeptIndex(uint32_t item) const {
    return item < kept_index_.size() ? kept_index_[item] : -1;
  }
  // Sums the B rows of the request's source items into the calling thread's buffer (size n)
  // and returns it; the count of source items in `*sources`.
  const std::vector<float>& Accumulate(const models::RecommendContext& ctx, size_t* sources) const;

  const std::string family_;
  const uint32_t num_items_;
  const std::vector<uint32_t> kept_items_;
  const std::vector<float> weights_;
  const double l2_;
  const MetricList metrics_;
  // By item index (size num_items_): kept index or -1.
  std::vector<int32_t> kept_index_;
};

}  // namespace recplat::ease
