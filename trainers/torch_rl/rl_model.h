// File: rl_model.h
//
// EoscRlModel: the serving half of the `eosc_rl` family (rl_family.h): the fixed item space and
// one trained policy per K. Its artifact (core/models/artifact_io.h, family "eosc_rl"):
// "net" (i64: se, lstm_layers, history_len, then the hidden layer sizes), "items.count" (i64),
// "items.vectors" (f32, row-major [count, se]), "ks" (i64), "policy.<K>" (string: the
// policy's Serialize), "metric_names" / "metric_values".
//
// Thread-safety: immutable after construction; Score/Retrieve run concurrently.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/model.h"
#include "trainers/torch_rl/rl_types.h"

namespace recplat::rl {

class EoscRlModel final : public models::Model {
 public:
  // `params` carries the network shape the policies were made with (k is set per policy).
  EoscRlModel(RlParams params, RlItemSpace items, std::map<int, std::unique_ptr<RlPolicy>> agents,
              std::vector<std::pair<std::string, double>> metrics);

  // Ready for a request of k services when an agent of K = ctx.k exists.
  bool Ready(const models::RecommendContext& ctx) const override;
  // Up to n (= the agent's K) services among the items ctx.filter lets through.
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  // The agent of ctx.k picks K of `items`; they get their masked engagement, the rest -1.
  // FAILED_PRECONDITION without an agent of that K or with fewer than K known items.
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  std::vector<std::pair<std::string, double>> Metrics() const override { return metrics_; }

  // The K services (item indices) and scores the agent of K picks for a user with `history`
  // (most recent first, as RecommendContext::user_history) among `allowed`.
  absl::StatusOr<RlChoice> Choose(int k, std::span<const uint32_t> history,
                                  std::vector<int64_t> allowed) const;

  std::vector<int> Ks() const;

 private:
  const RlParams params_;
  const RlItemSpace items_;
  const std::map<int, std::unique_ptr<RlPolicy>> agents_;
  const std::vector<std::pair<std::string, double>> metrics_;
};

// Reads an artifact written by EoscRlModel::Save. DATA_LOSS when it is missing or corrupt;
// FAILED_PRECONDITION when the LibTorch module cannot be loaded.
absl::StatusOr<std::unique_ptr<EoscRlModel>> LoadEoscRlModel(const std::filesystem::path& dir);

}  // namespace recplat::rl
