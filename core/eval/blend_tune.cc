#include "core/eval/blend_tune.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/common/status_macros.h"
#include "core/eval/internal/eval_common.h"
#include "core/eval/internal/tune_search.h"

namespace recplat::eval {
namespace {

constexpr size_t kMaxPicked = 3;
// Share of --budget-seconds the candidate searches may use together; the blends get the rest.
constexpr double kCandidateBudgetShare = 0.6;

struct Candidate {
  std::string family;
  absl::string_view kind = {};
  absl::StatusOr<TuneResult> tuned = absl::UnknownError("not run");
};

// "family:key=value,key=value"; INVALID_ARGUMENT when a value would break the blend's syntax.
absl::StatusOr<std::string> ComponentSpec(const std::string& family, const ParamSet& params) {
  std::vector<std::string> kv;
  for (const auto& [key, value] : params) {
    if (value.find_first_of(",;:=") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(family, ": param ", key, "='", value, "' cannot go into a blend spec"));
    }
    kv.push_back(absl::StrCat(key, "=", value));
  }
  return absl::StrCat(family, ":", absl::StrJoin(kv, ","));
}

}  // namespace

absl::string_view FamilyKind(absl::string_view family) {
  if (family == "ease" || family == "dlae" || family == "edlae") return "linear_autoencoder";
  if (family == "item_knn" || family == "rp3beta") return "item_graph";
  if (family == "ials") return "factorisation";
  if (family == "popularity") return "popularity";
  return family;
}

bool IsBlindBlendTune(const TuneOptions& options) {
  return options.family == "blend" && !options.base_params.values().contains("components");
}

absl::StatusOr<TuneResult> RunBlindBlendTune(
    const TuneOptions& options, const models::ModelFamilyRegistry& families,
    const std::function<void(const TrialResult&)>& on_trial) {
  const models::ModelFamily* blend = families.Find("blend");
  if (blend == nullptr) {
    return absl::InvalidArgumentError("blind blend tuning: family 'blend' is not registered");
  }
  if (options.blend_candidate_trials < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("blend_candidate_trials must be >= 1, got ", options.blend_candidate_trials));
  }
  std::vector<Candidate> candidates;
  if (options.blend_candidates.empty()) {
    for (absl::string_view name : kDefaultBlendCandidates) {
      if (families.Find(name) != nullptr) candidates.push_back({std::string(name)});
    }
  } else {
    for (const std::string& name : options.blend_candidates) {
      if (name == "blend") {
        return absl::InvalidArgumentError("blind blend tuning: 'blend' cannot be a candidate");
      }
      candidates.push_back({name});
    }
  }
  for (Candidate& c : candidates) {
    RECPLAT_RETURN_IF_ERROR(internal::CheckCommonOptions(options.k, options.threads, c.family,
                                                         models::ModelParams(), families)
                                .status());
    c.kind = FamilyKind(c.family);
  }
  if (candidates.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "blind blend tuning needs at least two candidate families, got ", candidates.size()));
  }
  RECPLAT_ASSIGN_OR_RETURN(internal::TuneFolds folds, internal::PrepareFolds(options));
  const common::Clock& clock = options.clock != nullptr ? *options.clock : common::Clock::Default();
  const double start = clock.MonotonicSeconds();
  int trials = 0;
  const std::function<void(const TrialResult&)> renumber = [&](const TrialResult& t) {
    TrialResult copy = t;
    copy.index = trials++;
    if (on_trial) on_trial(copy);
  };

  // 1. Every candidate searched from its defaults on the same folds.
  for (Candidate& c : candidates) {
    TuneOptions sub = options;
    sub.family = c.family;
    sub.base_params = models::ModelParams();
    sub.method = SearchMethod::kAuto;
    sub.max_trials = options.blend_candidate_trials;
    sub.budget_seconds = options.budget_seconds > 0
                             ? kCandidateBudgetShare * options.budget_seconds /
                                   static_cast<double>(candidates.size())
                             : 0;
    c.tuned =
        internal::SearchFamily(sub, *families.Find(c.family), folds, clock, c.family, renumber);
  }

  // 2. Ranking and 3. one family per kind.
  std::vector<const Candidate*> ranked;
  for (const Candidate& c : candidates) {
    if (c.tuned.ok()) ranked.push_back(&c);
  }
  if (ranked.empty()) {
    return candidates.back().tuned.status();
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Candidate* a, const Candidate* b) {
    return a->tuned->validation_ndcg > b->tuned->validation_ndcg;
  });
  TuneResult result;
  std::vector<std::string> specs;
  for (const Candidate* c : ranked) {
    std::string verdict = "skipped: a better family of its kind is picked";
    const bool kind_taken = std::any_of(specs.begin(), specs.end(), [&](const std::string& s) {
      return FamilyKind(s.substr(0, s.find(':'))) == c->kind;
    });
    if (specs.size() >= kMaxPicked) {
      verdict = "skipped: three families picked";
    } else if (!kind_taken) {
      absl::StatusOr<std::string> spec = ComponentSpec(c->family, c->tuned->best_params);
      if (spec.ok()) {
        specs.push_back(*spec);
        verdict = absl::StrCat("picked #", specs.size());
      } else {
        verdict = absl::StrCat("skipped: ", spec.status().message());
      }
    }
    result.notes.push_back(
        absl::StrFormat("candidate %s (%s): validation NDCG %.6f after %d trials, params %s; %s",
                        c->family, c->kind, c->tuned->validation_ndcg, c->tuned->trials,
                        ParamSetToJson(c->tuned->best_params), verdict));
  }
  for (const Candidate& c : candidates) {
    if (!c.tuned.ok()) {
      result.notes.push_back(
          absl::StrCat("candidate ", c.family, ": failed: ", c.tuned.status().ToString()));
    }
  }
  if (specs.empty()) {
    return absl::InvalidArgumentError("blind blend tuning: no candidate fits a blend spec");
  }

  // 4. The top one alone, then the blends of the top 2 and the top 3.
  const Candidate* top = nullptr;
  for (const Candidate* c : ranked) {
    if (specs[0].starts_with(c->family + ":")) {
      top = c;
      break;
    }
  }
  std::string best_spec = specs[0];
  result.validation_ndcg = top->tuned->validation_ndcg;
  result.validation_recall = top->tuned->validation_recall;
  TuneOptions blend_options = options;
  blend_options.family = "blend";
  for (size_t m = 2; m <= specs.size(); ++m) {
    if (m > 2 && options.budget_seconds > 0 &&
        clock.MonotonicSeconds() - start >= options.budget_seconds) {
      result.notes.push_back(absl::StrCat("blend of the top ", m, ": not run (time budget)"));
      break;
    }
    const std::string spec =
        absl::StrJoin(specs.begin(), specs.begin() + static_cast<std::ptrdiff_t>(m), ";");
    const TrialResult t = internal::RunSingleTrial(blend_options, *blend, folds, clock, "blend",
                                                   {{"components", spec}}, renumber);
    if (!t.status.ok()) {
      result.notes.push_back(
          absl::StrCat("blend of the top ", m, ": failed: ", t.status.ToString()));
      continue;
    }
    result.notes.push_back(
        absl::StrFormat("blend of the top %d: validation NDCG %.6f", m, t.report.ndcg));
    if (t.report.ndcg > result.validation_ndcg) {
      best_spec = spec;
      result.validation_ndcg = t.report.ndcg;
      result.validation_recall = t.report.recall;
    }
  }
  result.notes.push_back(absl::StrCat("chosen components: ", best_spec));
  result.family = "blend";
  result.method = SearchMethod::kAuto;
  result.best_params = {{"components", best_spec}};
  result.trials = trials;
  result.validation_users = folds.validation_users;
  result.seconds = clock.MonotonicSeconds() - start;
  return result;
}

}  // namespace recplat::eval
