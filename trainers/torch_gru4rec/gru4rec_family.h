// File: gru4rec_family.h
//
// The `gru4rec` family: GRU4Rec, the session-based recurrent recommender of Hidasi et al.
// ("Session-based Recommendations with Recurrent Neural Networks", ICLR'16; "Recurrent Neural
// Networks with Top-k Gains for Session-based Recommendations", CIKM'18), trained with LibTorch
// on the CPU and served without torch (gru4rec_model.h, Eigen).
//
// Fit: the training data's interactions (of the `event_types` param, default all) are cut into
// sessions (session_data.h: per user, split at idle gaps > session_gap_minutes; sessions of one
// item are dropped). The model's items are the items of those sessions. The network
// (gru4rec_weights.h) is trained for `epochs` epochs with session-parallel mini-batches,
// in-batch plus popularity-sampled negatives and the chosen loss (internal/torch_trainer.h,
// internal/losses.h). FAILED_PRECONDITION when no session has two items.
//
// Update (incremental training, called by the trainer, see ModelFamily::Update): continues the
// previous model's weights and Adagrad state on the sessions that have an interaction after
// since_ms, for `incremental_epochs`; items new since then get fresh rows in the item tables,
// and the sampling counts add the new interactions. FAILED_PRECONDITION when `previous` is not
// a gru4rec model or the params changed its architecture (layers, embedding,
// constrained_embedding): the trainer then fits from scratch. Without new sessions the result
// is the previous model unchanged.
//
// Metrics() of a fitted or updated model: incremental (0/1), epochs, sessions, items,
// new_items, train_events, train_seconds, events_per_second, final_loss.
//
// Params: see gru4rec_params.h and docs/gru4rec.md (defaults tuned on rsc15-100k).
//
// This header includes no torch header: apps register the family without torch.
//
// Thread-safety: the family is stateless, its models immutable. Fit/Update set torch's
// process-wide intra-op thread count (the trainer runs one training at a time).
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::gru4rec {

class Gru4RecFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override { return "gru4rec"; }
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Update(const models::Model& previous,
                                                        const models::TrainingData& data,
                                                        const models::ModelParams& params,
                                                        int64_t since_ms) const override;
};

// Registers Gru4RecFamily under "gru4rec". ALREADY_EXISTS when the name is taken.
absl::Status RegisterGru4RecFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::gru4rec
