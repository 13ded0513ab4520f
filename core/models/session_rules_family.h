// File: session_rules_family.h
//
// The `session_rules` family: "what do people click right after this item" — the last-item
// most-frequent-successor rule of session-based recommendation, generalised to the sequential
// rules (SR) of Ludewig et al. Fitting walks every user's interactions in time order
// (TrainingData is sorted by (user, timestamp); in session evaluation every user is one session)
// and, for every pair of interactions a at position i and b at position i + d with
// 1 <= d <= window (and no gap longer than max_gap_minutes between them), adds
//
//   rule(a -> b) += 1 / d
//
// so with the default window 1 rule(a -> b) is the number of times b directly follows a.
// Repeats count: a click on a followed by another click on a adds to rule(a -> a) (turn this off
// with self_transitions=false). On rsc15-100k (quality-baselines.md section 6d) the repeats make
// the difference between HR@20 0.35 and 0.59; see docs/models.md for the measured figures.
// Each item's popularity (its interactions, weighted by event type) is kept for the backfill.
//
// Serving: the request's source item is the most recent session item (ctx.session_items[0]),
// else the most recent history item (ctx.user_history[0]), else the first anchor. Retrieve
// returns the source's rules, best first (ties by lower item index), skipping items ctx.filter
// excludes; with backfill on, the rest of the n are the most popular items not already
// returned. Scores: rule(source -> item) (> 0) for the source's successors; with backfill,
// popularity / max popularity - 1 (in (-1, 0]) for other trained items; -1 for them without
// backfill; kUnknownScore for items the model has never seen. Items already in the session are
// not excluded by the model (the request's filter decides). Ready when there is a source item
// and it has rules, or backfill is on. Similar(item) is item's rule list (no backfill).
//
// Params:
//   backfill           bool, default true: fill the list with popular items
//   window             int in [1, 100], default 1: how far apart (in positions) a pair may be
//   self_transitions   bool, default true: count a -> a
//   max_gap_minutes    double >= 0, default 0 (none): pairs spanning a longer pause between two
//                      consecutive interactions are not counted (splits users' histories into
//                      sessions when training on the state store's per-user histories)
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::models {

class SessionRulesFamily final : public ModelFamily {
 public:
  absl::string_view name() const override { return "session_rules"; }
  absl::Status ValidateParams(const ModelParams& params) const override;
  // FAILED_PRECONDITION when `data` has no interactions.
  absl::StatusOr<std::unique_ptr<Model>> Fit(const TrainingData& data,
                                             const ModelParams& params) const override;
  // The serving parameters (backfill) come from the artifact; `params` is only validated.
  absl::StatusOr<std::unique_ptr<Model>> Load(const std::filesystem::path& dir,
                                              const ModelParams& params) const override;
};

}  // namespace recplat::models
