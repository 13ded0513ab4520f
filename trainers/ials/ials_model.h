// File: ials_model.h
//
// IalsModel: the serving half of the `ials` family (ials_family.h). It holds the item factors H
// (items × d) and their Gramian HᵀH, and serves a request by folding it in: the request's
// source items (the distinct known items of ctx.user_history, ctx.session_items and
// ctx.anchors, binary) are treated as a new user's observed row, whose vector w is the exact
// solve of the training objective given H (als::SolveRow, the same half-step as fitting), so
// new users and fresh histories are served without refitting. score(i) = ⟨w, h_i⟩.
//
// Ready iff the request has at least one known source item (an item with an interaction at
// fitting time). Retrieve returns the best n known items passing ctx.filter; Score gives known
// items their dot product and the others models::kUnknownScore. Similar(item) ranks the known
// items by the cosine of their factors to `item`'s. Ties go to the lower item index.
//
// Cost per request: O(|sources|·d² + d³ + items·d). Memory: items × d floats + d² floats.
//
// Artifact (artifact_io.h, family "ials"): num_items (I64), dim (I64), known (U32, ascending
// item indices), item_factors (F32, num_items × d row-major), options (F64: l2,
// unobserved_weight, nu), metric_names (String, '\n'-separated), metric_values (F64).
//
// Thread-safety: immutable after construction; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model.h"
#include "trainers/als/ials_solver.h"

namespace recplat::ials {

class IalsModel final : public models::Model {
 public:
  using MetricList = std::vector<std::pair<std::string, double>>;

  // REQUIRES: item_factors.size() == num_items · dim; known ascending, all < num_items;
  // options passes als::CheckIalsOptions (only l2, unobserved_weight and nu are used).
  IalsModel(uint32_t num_items, uint32_t dim, std::vector<uint32_t> known,
            std::vector<float> item_factors, const als::IalsOptions& options, MetricList metrics);

  // Reads an artifact written by Save. DATA_LOSS when it is missing, corrupt or inconsistent.
  static absl::StatusOr<std::unique_ptr<IalsModel>> Load(const std::filesystem::path& dir);

  bool Ready(const models::RecommendContext& ctx) const override;
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                       std::vector<models::ScoredItem>* out) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  MetricList Metrics() const override { return metrics_; }

  // The folded-in user vector of a request (d values; zeros when no source item is known).
  std::vector<float> UserVector(const models::RecommendContext& ctx) const;

 private:
  bool Known(uint32_t item) const { return item < is_known_.size() && is_known_[item] != 0; }
  // The distinct known source items of a request.
  std::vector<uint32_t> Sources(const models::RecommendContext& ctx) const;

  const uint32_t num_items_;
  const uint32_t dim_;
  const std::vector<uint32_t> known_;
  const std::vector<float> item_factors_;
  const als::IalsOptions options_;
  const MetricList metrics_;
  std::vector<uint8_t> is_known_;
  std::vector<float> gramian_;
};

}  // namespace recplat::ials
