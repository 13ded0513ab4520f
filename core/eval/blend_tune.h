// File: blend_tune.h
//
// The blind choice of a `blend`'s components inside `recplat tune --model blend` (tune.h): which
// families to blend, with which params, decided on the validation folds carved from the
// training file only, never on test figures. It applies when the tuned family is `blend` and
// the base params hold no `components` (a configured blend with components is scored as it
// is, as any family without a search space).
//
// The rule, in order (all on the same folds, the objective NDCG@k as for any tune):
//   1. Candidates: TuneOptions::blend_candidates, or kDefaultBlendCandidates minus the families
//      not registered. Each is searched as `recplat tune` would (method auto) from its own
//      defaults with at most blend_candidate_trials trials; with --budget-seconds B each
//      candidate search may start trials for 0.6·B / (number of candidates) seconds.
//   2. Ranking: candidates by their best validation NDCG (ties: the earlier in the list); a
//      candidate whose every trial failed is dropped.
//   3. Diversity: walking the ranking, a candidate is picked unless a picked one is of the same
//      kind (FamilyKind: linear autoencoders ease/dlae/edlae; item graphs item_knn/rp3beta;
//      factorisation ials; popularity; any other family is its own kind); at most 3 picked.
//   4. Size: the blends of the top 2 and the top 3 picked (each with its tuned params, weights
//      fitted by the blend family itself on a holdout of the fold's fit part) are scored as
//      trials; the top 2 first, the top 3 only while the budget lasts. The result is the best
//      of {the top candidate alone, top 2, top 3} by validation NDCG (ties: fewer components).
//      The top candidate alone is reported as a one-component blend, so best_params always
//      reads {"components": "family:key=value,...;..."} and `recplat eval --model blend
//      --params '<best_params>'` refits exactly that blend on the whole training file.
//
// Without a time budget the trials, the choice and best_params depend only on the training
// file, the options and the seed. Like every tune, it reads the training file once and nothing
// else.
//
// Thread-safety: reentrant, as RunTune.
#pragma once

#include <array>
#include <functional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/eval/tune.h"
#include "core/models/model_family.h"

namespace recplat::eval {

// The candidate families tried when TuneOptions::blend_candidates is empty (those registered).
inline constexpr std::array<absl::string_view, 6> kDefaultBlendCandidates = {
    "dlae", "edlae", "ease", "ials", "rp3beta", "item_knn"};

// The kind of model a family is, for the diversity rule: "linear_autoencoder", "item_graph",
// "factorisation", "popularity", or the family name itself.
absl::string_view FamilyKind(absl::string_view family);

// True when `options` asks for the blind choice: family "blend", no `components` base param.
bool IsBlindBlendTune(const TuneOptions& options);

// Runs the rule above. INVALID_ARGUMENT when `blend` or an explicitly listed candidate is not
// registered, a candidate is `blend`, fewer than two candidates remain, or the options are bad;
// the file's errors as RunTune; the last error when every candidate failed.
absl::StatusOr<TuneResult> RunBlindBlendTune(
    const TuneOptions& options, const models::ModelFamilyRegistry& families,
    const std::function<void(const TrialResult&)>& on_trial);

}  // namespace recplat::eval
