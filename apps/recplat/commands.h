// File: commands.h
//
// The subcommands of the recplat executable, each taking the effective configuration (loaded
// with ConfigFrontends(), frontends.h).
#pragma once

#include <string>
#include <vector>

#include "core/config/config.h"

namespace recplat::app {

struct ServeArgs {
  std::string ports_file;
};

struct ImportArgs {
  std::string items;
  std::string users;
  std::string events;
  int batch = 1000;
};

struct EvalArgs {
  // "user" (per-user top-K, core/eval/eval.h) or "session" (next click, core/eval/session_eval.h).
  std::string protocol = "user";
  std::string train;
  // Required by the user protocol; the session protocol takes it or split_days.
  std::string test;
  std::string model;
  int k = 20;
  // Session protocol without a test file: the last N days of `train` become the test set
  // (0 = not given).
  int split_days = 0;
  // Session protocol split: items with fewer clicks are removed first.
  int min_item_support = 5;
  // A JSON object of params overriding the model's (e.g. `recplat tune`'s best_params).
  std::string params_json;
};

// `recplat tune` (core/eval/tune.h): search on a validation split of --train only.
struct TuneArgs {
  std::string train;
  std::string model;
  int k = 20;
  double budget_seconds = 0;
  uint64_t seed = 42;
  std::string search = "auto";
  int max_trials = 24;
  double holdout = 0.2;
  int folds = 1;
  // Blind blend choice (`--model blend` without components): candidate families (empty = the
  // default list) and trials per candidate.
  std::vector<std::string> blend_candidates;
  int blend_trials = 6;
};

struct TrainArgs {
  std::vector<std::string> models;
  std::string tenant;
};

// Each returns the process exit code (0 success; 1 runtime failure; 2 bad usage/config).
int RunServe(const config::Config& config, const std::string& profile_path, const ServeArgs& args);
int RunImport(const config::Config& config, const std::string& profile_path,
              const ImportArgs& args);
int RunEvalCommand(const config::Config& config, const EvalArgs& args);
int RunTuneCommand(const config::Config& config, const TuneArgs& args);
int RunTrain(const config::Config& config, const std::string& profile_path, const TrainArgs& args);
// One run of the article_rec batch job (sections `batch:` and `s3:`).
int RunBatch(const config::Config& config, const std::string& profile_path);

}  // namespace recplat::app
