// `recplat train` (train once on the data directory) and `recplat eval` (offline evaluation:
// the per-user protocol, or the session-based next-click protocol with --protocol session) and
// `recplat tune` (hyper-parameter search on a validation split of the train file).
#include <cstdio>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "apps/recplat/commands.h"
#include "apps/recplat/runtime.h"
#include "core/eval/eval.h"
#include "core/eval/param_search.h"
#include "core/eval/session_eval.h"
#include "core/eval/tune.h"
#include "google/protobuf/util/json_util.h"

namespace recplat::app {

int RunTrain(const config::Config& config, const std::string& profile_path,
             const TrainArgs& args) {
  config::Config cfg = config;
  cfg.training.enabled = false;  // No background worker: this command trains on its own.
  cfg.registry.poll_seconds = 0;  // It serves nothing, so it follows nothing.
  // While a server holds the data directory, train from a read-only snapshot of it; the server
  // picks the promoted versions up from the registry directory.
  auto runtime = Runtime::Open({cfg, profile_path, /*secondary_if_locked=*/true});
  if (!runtime.ok()) {
    std::fprintf(stderr, "recplat train: %s\n", runtime.status().ToString().c_str());
    return 1;
  }
  if ((*runtime)->secondary()) {
    std::fprintf(stderr,
                 "recplat train: a server holds %s; training from a read-only snapshot of it "
                 "(the server serves what is promoted within registry.poll_seconds)\n",
                 cfg.data_dir.c_str());
  }
  api::Api& api = (*runtime)->service();
  std::vector<std::string> models = args.models;
  if (models.empty()) {
    for (const auto& [name, m] : cfg.models) {
      if (m.family != "random" && m.family != "recent") models.push_back(name);
    }
  }
  std::vector<std::string> tenants;
  if (!args.tenant.empty()) {
    tenants.push_back(args.tenant);
  } else {
    auto stats = api.GetStats({});
    if (stats.ok()) {
      for (const auto& t : stats->tenants()) {
        if (t.events() > 0) tenants.push_back(t.tenant());
      }
    }
  }
  int failures = 0;
  for (const std::string& tenant : tenants) {
    for (const std::string& model : models) {
      v1::TrainRequest req;
      req.set_tenant(tenant);
      req.set_model(model);
      req.set_wait(true);
      auto result = api.Train(req);
      if (!result.ok()) {
        std::fprintf(stderr, "recplat train: %s/%s: %s\n", tenant.c_str(), model.c_str(),
                     result.status().ToString().c_str());
        ++failures;
        continue;
      }
      std::string json;
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      (void)google::protobuf::util::MessageToJsonString(result->version(), &json, options);
      std::printf("%s\n", json.c_str());
    }
  }
  if (tenants.empty()) std::fprintf(stderr, "recplat train: no tenant has events yet\n");
  (*runtime)->Shutdown(absl::Seconds(5));
  return failures == 0 ? 0 : 1;
}

namespace {

// Prints an evaluation error; the exit code: 2 for bad input, 1 otherwise.
int EvalFailure(const absl::Status& status) {
  std::fprintf(stderr, "recplat eval: %s\n", status.ToString().c_str());
  return absl::IsInvalidArgument(status) || absl::IsNotFound(status) ? 2 : 1;
}

// A configured model, or else a family of that name with its default params; nullopt (after
// printing the known names) when it is neither.
std::optional<config::ModelConfig> ResolveModel(const config::Config& config,
                                                const std::string& name,
                                                const models::ModelFamilyRegistry& families,
                                                const char* command) {
  config::ModelConfig model;
  if (auto it = config.models.find(name); it != config.models.end()) {
    return it->second;
  }
  if (families.Find(name) != nullptr) {
    model.family = name;
    return model;
  }
  std::fprintf(stderr, "recplat %s: '%s' is neither a configured model nor a family "
               "(configured:", command, name.c_str());
  for (const auto& [n, m] : config.models) std::fprintf(stderr, " %s", n.c_str());
  std::fprintf(stderr, "; families:");
  for (const std::string& n : families.Names()) std::fprintf(stderr, " %s", n.c_str());
  std::fprintf(stderr, ")\n");
  return std::nullopt;
}

// `recplat eval --protocol session`: on --train/--test, or on --train split by --split-days.
int RunSessionEvalCommand(const EvalArgs& args, const config::ModelConfig& model,
                          const models::ModelFamilyRegistry& families) {
  if (args.test.empty() == (args.split_days == 0)) {
    std::fprintf(stderr, "recplat eval: the session protocol needs exactly one of --test and "
                 "--split-days\n");
    return 2;
  }
  eval::SessionEvalOptions options;
  options.train_path = args.train;
  options.test_path = args.test;
  options.split.test_days = args.split_days;
  options.split.min_item_support = args.min_item_support;
  options.family = model.family;
  options.params = models::ModelParams(model.params);
  options.k = args.k;
  auto report = eval::RunSessionEval(options, families);
  if (!report.ok()) {
    return EvalFailure(report.status());
  }
  report->model = args.model;
  std::printf("%s\n", eval::SessionEvalReportToJson(*report).c_str());
  return 0;
}

}  // namespace

int RunEvalCommand(const config::Config& config, const EvalArgs& args) {
  models::ModelFamilyRegistry families;
  if (absl::Status s = RegisterAllFamilies(&families); !s.ok()) {
    std::fprintf(stderr, "recplat eval: %s\n", s.ToString().c_str());
    return 1;
  }
  std::optional<config::ModelConfig> resolved = ResolveModel(config, args.model, families, "eval");
  if (!resolved.has_value()) {
    return 2;
  }
  config::ModelConfig model = *std::move(resolved);
  if (!args.params_json.empty()) {
    absl::StatusOr<eval::ParamSet> params = eval::ParseParamSetJson(args.params_json);
    if (!params.ok()) {
      return EvalFailure(params.status());
    }
    for (const auto& [key, value] : *params) model.params[key] = value;
  }
  if (args.protocol == "session") {
    return RunSessionEvalCommand(args, model, families);
  }
  if (args.test.empty() || args.split_days != 0) {
    std::fprintf(stderr, "recplat eval: the user protocol needs --test (--split-days is for "
                 "--protocol session)\n");
    return 2;
  }
  eval::EvalOptions options;
  options.train_path = args.train;
  options.test_path = args.test;
  options.family = model.family;
  options.params = models::ModelParams(model.params);
  options.k = args.k;
  auto report = eval::RunEval(options, families);
  if (!report.ok()) {
    return EvalFailure(report.status());
  }
  report->model = args.model;
  std::printf("%s\n", eval::EvalReportToJson(*report).c_str());
  return 0;
}

}  // namespace recplat::app

namespace recplat::app {

int RunTuneCommand(const config::Config& config, const TuneArgs& args) {
  models::ModelFamilyRegistry families;
  if (absl::Status s = RegisterAllFamilies(&families); !s.ok()) {
    std::fprintf(stderr, "recplat tune: %s\n", s.ToString().c_str());
    return 1;
  }
  std::optional<config::ModelConfig> model = ResolveModel(config, args.model, families, "tune");
  if (!model.has_value()) {
    return 2;
  }
  eval::TuneOptions options;
  options.train_path = args.train;
  options.family = model->family;
  options.base_params = models::ModelParams(model->params);
  options.k = args.k;
  options.budget_seconds = args.budget_seconds;
  options.seed = args.seed;
  options.max_trials = args.max_trials;
  options.holdout.fraction = args.holdout;
  options.holdout.seed = args.seed;
  options.folds = args.folds;
  options.blend_candidates = args.blend_candidates;
  options.blend_candidate_trials = args.blend_trials;
  absl::StatusOr<eval::SearchMethod> method = eval::ParseSearchMethod(args.search);
  if (!method.ok()) {
    std::fprintf(stderr, "recplat tune: %s\n", method.status().ToString().c_str());
    return 2;
  }
  options.method = *method;
  auto result = eval::RunTune(options, families, [](const eval::TrialResult& t) {
    std::printf("%s\n", eval::TrialToJson(t).c_str());
    std::fflush(stdout);
  });
  if (!result.ok()) {
    std::fprintf(stderr, "recplat tune: %s\n", result.status().ToString().c_str());
    return absl::IsInvalidArgument(result.status()) || absl::IsNotFound(result.status()) ||
                   absl::IsFailedPrecondition(result.status())
               ? 2
               : 1;
  }
  for (const std::string& note : result->notes) {
    std::fprintf(stderr, "recplat tune: %s\n", note.c_str());
  }
  std::fprintf(stderr,
               "recplat tune: %s search, %d trials in %.1f s, %lld validation users\n",
               std::string(eval::SearchMethodName(result->method)).c_str(), result->trials,
               result->seconds, static_cast<long long>(result->validation_users));
  std::printf("%s\n", eval::TuneResultToJson(*result, args.model).c_str());
  return 0;
}

}  // namespace recplat::app
