// File: gru4rec_model.h
//
// Gru4RecModel: the serving half of the `gru4rec` family. It holds the trained network as plain
// arrays (gru4rec_weights.h) and runs it with Eigen; no torch is needed to load or serve it.
//
// A request's session is ctx.session_items (most recent first), or when that is empty the most
// recent ctx.user_history items; at most max_session_length of the most recent ones are used.
// Their known items are fed to the GRU oldest first from a zero state; the scores of all model
// items are s = Wy·h + By (raw scores: the final activation is monotonic and left out).
//
//   Ready     iff that session has a known item.
//   Retrieve  the best n model items that pass ctx.filter (the session's own items included:
//             GRU4Rec may predict a repeat), ties by lower item index.
//   Score     s(item) for model items; internal::kUnknownScore for the others. Without a
//             known session item every model item scores By (the learned item bias).
//
// Cost per request: per session item and layer ~3·H·(in + H) multiply-adds, plus n·H for the
// scores (2M at 20k items and H = 100) and a top-n pass over n.
//
// Artifact (artifact_io.h, family "gru4rec"): catalog_size (I64), items (U32, model index →
// catalog index), support (F64, training count per model item), layers (I64 list),
// embedding (I64), constrained (I64 0/1), w/<param> and acc/<param> (F32, row-major, one per
// parameter of gru4rec_weights.h: weights and Adagrad accumulators), metric_names (String,
// '\n'-separated) and metric_values (F64).
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
#include "trainers/torch_gru4rec/gru4rec_weights.h"

namespace recplat::gru4rec {

class Gru4RecModel final : public models::Model {
 public:
  using MetricList = std::vector<std::pair<std::string, double>>;

  // Everything a model is made of.
  struct Parts {
    // Catalog size at training (item indices are < catalog_size).
    uint32_t catalog_size = 0;
    // Model index → catalog item index (distinct).
    std::vector<uint32_t> items;
    // Model index → count in the training data so far (negative sampling, logQ).
    std::vector<double> support;
    GruWeights weights;
    // Adagrad accumulators (same shapes as weights), so that Update can continue training.
    GruWeights adagrad;
    MetricList metrics;
  };

  // REQUIRES: parts consistent (CheckParts OK); max_session_length >= 1.
  Gru4RecModel(Parts parts, int max_session_length);

  // OK when `parts` is consistent; INVALID_ARGUMENT naming the problem otherwise.
  static absl::Status CheckParts(const Parts& parts);

  // Reads an artifact written by Save. DATA_LOSS when it is missing, corrupt or inconsistent.
  static absl::StatusOr<std::unique_ptr<Gru4RecModel>> Load(const std::filesystem::path& dir,
                                                            int max_session_length);

  bool Ready(const models::RecommendContext& ctx) const override;
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  MetricList Metrics() const override { return parts_.metrics; }

  const Parts& parts() const { return parts_; }
  int max_session_length() const { return max_session_length_; }
  // The model index of catalog item `item`, or -1.
  int64_t ModelIndex(uint32_t item) const {
    return item < model_index_.size() ? model_index_[item] : -1;
  }

  // Scores of every model item after feeding `session` (catalog items, OLDEST first; unknown
  // ones skipped). Empty when no item is known.
  std::vector<float> ScoresOf(std::span<const uint32_t> session) const;

 private:
  // The known items of the request's session as model indices, oldest first.
  std::vector<uint32_t> SessionOf(const models::RecommendContext& ctx) const;
  // Scores after feeding model items `session` (oldest first; may be empty: biases only).
  std::vector<float> Forward(std::span<const uint32_t> session) const;

  const Parts parts_;
  const int max_session_length_;
  // By catalog index: model index or -1.
  std::vector<int32_t> model_index_;
};

}  // namespace recplat::gru4rec
