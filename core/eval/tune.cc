#include "core/eval/tune.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/json.h"
#include "core/common/status_macros.h"
#include "core/eval/blend_tune.h"
#include "core/eval/internal/eval_common.h"
#include "core/eval/internal/tune_search.h"

namespace recplat::eval {

absl::StatusOr<SearchMethod> ParseSearchMethod(absl::string_view name) {
  if (name == "auto") return SearchMethod::kAuto;
  if (name == "grid") return SearchMethod::kGrid;
  if (name == "random") return SearchMethod::kRandom;
  if (name == "halving") return SearchMethod::kHalving;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown search method '", name, "' (known: auto, grid, random, halving)"));
}

absl::string_view SearchMethodName(SearchMethod method) {
  switch (method) {
    case SearchMethod::kAuto: return "auto";
    case SearchMethod::kGrid: return "grid";
    case SearchMethod::kRandom: return "random";
    case SearchMethod::kHalving: return "halving";
  }
  return "auto";
}

absl::StatusOr<TuneResult> RunTune(const TuneOptions& options,
                                   const models::ModelFamilyRegistry& families,
                                   const std::function<void(const TrialResult&)>& on_trial) {
  if (options.max_trials < 1 || !(options.budget_seconds >= 0) || options.folds < 1 ||
      options.folds > 20) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_trials must be >= 1, budget_seconds >= 0 and folds in [1, 20], got ",
                     options.max_trials, ", ", options.budget_seconds, " and ", options.folds));
  }
  if (IsBlindBlendTune(options)) {
    return RunBlindBlendTune(options, families, on_trial);
  }
  RECPLAT_ASSIGN_OR_RETURN(
      const models::ModelFamily* family,
      internal::CheckCommonOptions(options.k, options.threads, options.family,
                                   options.base_params, families));
  const models::SearchSpace space = family->TuningSpace();
  RECPLAT_RETURN_IF_ERROR(CheckSearchSpace(space));
  if (options.method == SearchMethod::kHalving && space.budget_param.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("family '", options.family,
                     "' has no budget param (it fits in closed form): use grid or random search"));
  }
  RECPLAT_ASSIGN_OR_RETURN(internal::TuneFolds folds, internal::PrepareFolds(options));
  const common::Clock& clock = options.clock != nullptr ? *options.clock : common::Clock::Default();
  return internal::SearchFamily(options, *family, folds, clock, "", on_trial);
}

std::string TrialToJson(const TrialResult& t) {
  std::string out = absl::StrCat("{\"trial\":", t.index);
  if (!t.family.empty()) {
    absl::StrAppend(&out, ",\"family\":", common::JsonString(t.family));
  }
  absl::StrAppend(&out, ",\"params\":", ParamSetToJson(t.params));
  if (!t.status.ok()) {
    absl::StrAppend(&out, ",\"error\":", common::JsonString(t.status.ToString()), "}");
    return out;
  }
  if (t.budget > 0) {
    absl::StrAppend(&out, ",\"rung\":", t.rung, ",\"budget\":", t.budget);
  }
  absl::StrAppend(&out,
                  absl::StrFormat(",\"validation_ndcg\":%.6f,\"validation_recall\":%.6f,"
                                  "\"fit_seconds\":%.4f,\"score_seconds\":%.4f}",
                                  t.report.ndcg, t.report.recall, t.report.fit_seconds,
                                  t.report.score_seconds));
  return out;
}

std::string TuneResultToJson(const TuneResult& r, absl::string_view model) {
  return absl::StrCat("{\"model\":", common::JsonString(model),
                      ",\"best_params\":", ParamSetToJson(r.best_params),
                      absl::StrFormat(",\"validation_ndcg\":%.6f}", r.validation_ndcg));
}

}  // namespace recplat::eval
