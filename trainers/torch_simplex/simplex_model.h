// File: simplex_model.h
//
// SimplexModel: the serving half of the `simplex` family (simplex_family.h), plain Eigen, no
// torch. It holds the item table E [num_items, dim] (and its row-normalised copy) and the
// aggregation map V [dim, dim].
//
// A request is folded in through the aggregation: its source items (the distinct known items
// of ctx.user_history, ctx.session_items and ctx.anchors) give p = V · mean_j E[j], and an
// item's score is cos(p, E[i]). The user's own embedding (gamma > 0) is not used: a
// RecommendContext carries no user identity, only items (core/models/model.h), so every
// request — a user from the training or not, with a history that grew since — is served the
// same way; the (1 - gamma) factor does not change a cosine.
//
// Known items are the items with a training interaction. Ready iff the request has at least
// one known source item. Retrieve returns the best n known items passing ctx.filter; Score
// gives known items their cosine and the others models::kUnknownScore; Similar(item) ranks the
// known items by the cosine of their embeddings to `item`'s. Ties go to the lower item index.
//
// Cost per request: O(|sources|·d + d² + known·d). Memory: 2 · items · d floats + d² floats.
//
// Artifact (artifact_io.h, family "simplex"; simplex_model_io.cc): dims (I64: num_items, dim),
// gamma (F64), known (U32, ascending), items (F32, num_items × dim row-major), aggregation
// (F32, dim × dim row-major), metric_names (String, '\n'-separated), metric_values (F64).
//
// Thread-safety: immutable after construction; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model.h"
#include "trainers/torch_simplex/simplex_weights.h"

namespace recplat::simplex {

class SimplexModel final : public models::Model {
 public:
  using MetricList = std::vector<std::pair<std::string, double>>;

  // INVALID_ARGUMENT when the shapes do not fit together, a value is not finite, or `known`
  // is not ascending within [0, num_items).
  static absl::StatusOr<std::unique_ptr<SimplexModel>> Create(SimplexWeights weights,
                                                              std::vector<uint32_t> known,
                                                              MetricList metrics);
  // Reads an artifact written by Save. DATA_LOSS when it is missing, corrupt or inconsistent.
  static absl::StatusOr<std::unique_ptr<SimplexModel>> Load(const std::filesystem::path& dir);
  ~SimplexModel() override;

  bool Ready(const models::RecommendContext& ctx) const override;
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                       std::vector<models::ScoredItem>* out) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  MetricList Metrics() const override { return metrics_; }

  // The unit-length user vector of a request (dim values; zeros when no source is known).
  std::vector<float> UserVector(const models::RecommendContext& ctx) const;

  const SimplexWeights& weights() const { return w_; }
  const std::vector<uint32_t>& known() const { return known_; }

 private:
  struct Normalised;
  SimplexModel(SimplexWeights weights, std::vector<uint32_t> known, MetricList metrics);
  bool Known(uint32_t item) const { return item < is_known_.size() && is_known_[item] != 0; }
  std::vector<uint32_t> Sources(const models::RecommendContext& ctx) const;
  // cos(user, E[item]) for a known item.
  double Cosine(const std::vector<float>& user, uint32_t item) const;

  SimplexWeights w_;
  std::vector<uint32_t> known_;
  MetricList metrics_;
  std::vector<uint8_t> is_known_;
  std::unique_ptr<Normalised> norm_;
};

}  // namespace recplat::simplex
