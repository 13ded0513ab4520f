// The recplat executable: `recplat [serve] --profile FILE`, `recplat import`, `recplat eval`,
// `recplat train`, `recplat batch`, `recplat tune`. Configuration layering: built-in defaults,
// the profile, the selected frontends' environment aliases, RECPLAT_* environment variables,
// then --data-dir, --log-level, the renewal flags and --set flags.
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "apps/recplat/commands.h"
#include "apps/recplat/frontends.h"
#include "core/common/logging.h"
#include "core/config/config_loader.h"

int main(int argc, char** argv) {
  using namespace recplat;
  CLI::App app{"recplat: one recommendation engine, several deployment profiles"};
  app.require_subcommand(0, 1);
  app.fallthrough();
  std::string profile;
  std::string data_dir;
  std::vector<std::string> sets;
  app.add_option("--profile,-p", profile, "Profile YAML (built-in defaults when omitted)");
  app.add_option("--data-dir", data_dir, "Data directory (overrides data_dir)");
  app.add_option("--set", sets, "Override a configuration key: --set key=value (repeatable)");
  app.set_version_flag("--version", "recplat 0.1.0");

  app::ServeArgs serve_args;
  CLI::App* serve = app.add_subcommand("serve", "Serve (the default when no subcommand is given)");
  // The reference Renewal recsystem's flags, kept as overrides of the `renewal:` keys (its
  // RENEWAL_* variables are aliases of the same keys, registered by the frontend).
  std::string log_level, token, api_base_uri, ca_file;
  bool insecure = false;
  for (CLI::App* a : {&app, serve}) {
    a->add_option("--ports-file", serve_args.ports_file,
                  "Write {\"grpc\",\"http\",\"metrics\"} bound addresses here once listening");
    a->add_option("--token,-t", token,
                  "renewal frontend: the backend JWT, or a file holding it (renewal.token)");
    a->add_option("--api-base-uri,-a", api_base_uri,
                  "renewal frontend: backend API base URI (renewal.api_base_uri; default "
                  "https://api.renewal-research.com/v1/)");
    a->add_option("--ca-file", ca_file,
                  "renewal frontend: CA bundle to verify the backend's certificate "
                  "(renewal.ca_file)");
    a->add_flag("--insecure", insecure,
                "renewal frontend: do NOT verify the backend's TLS certificate "
                "(renewal.insecure_skip_verify)");
    a->add_option("--log-level", log_level, "Log level (overrides logging.level)");
  }

  app::ImportArgs import_args;
  CLI::App* import = app.add_subcommand("import", "Load items, users and events from JSON lines");
  import->add_option("--items", import_args.items, "JSON lines of recplat.v1.Item");
  import->add_option("--users", import_args.users, "JSON lines of recplat.v1.User");
  import->add_option("--events", import_args.events, "JSON lines of recplat.v1.Event");
  import->add_option("--batch", import_args.batch, "Records per write (1..10000)")
      ->check(CLI::Range(1, 10000));

  app::EvalArgs eval_args;
  CLI::App* eval = app.add_subcommand("eval", "Offline evaluation of a model on a train/test split");
  eval->add_option("--protocol", eval_args.protocol,
                   "user (top K per test user, the default) or session (next click at every "
                   "position of every test session)")
      ->check(CLI::IsMember({"user", "session"}));
  eval->add_option("--train", eval_args.train, "Training file")->required();
  eval->add_option("--test", eval_args.test,
                   "Test file (required, except for --protocol session with --split-days)");
  eval->add_option("--model", eval_args.model, "Configured model name (e.g. item_knn)")->required();
  eval->add_option("--k", eval_args.k, "Cut-off K")->check(CLI::Range(1, 10000));
  eval->add_option("--split-days", eval_args.split_days,
                   "--protocol session without --test: the last N days of --train are the test "
                   "set (SR-GNN style preprocessing, see docs/models.md)")
      ->check(CLI::Range(1, 3650));
  eval->add_option("--min-item-support", eval_args.min_item_support,
                   "--split-days: drop items with fewer clicks (default 5)")
      ->check(CLI::Range(1, 1000000));

  eval->add_option("--params", eval_args.params_json,
                   "JSON object of params overriding the model's, e.g. recplat tune's "
                   "best_params: --params '{\"l2\": 200}'");

  app::TuneArgs tune_args;
  CLI::App* tune = app.add_subcommand(
      "tune", "Hyper-parameter search on a validation split carved from --train (never a test "
              "file); prints one JSON line per trial, then the best params");
  tune->add_option("--train", tune_args.train, "Training file")->required();
  tune->add_option("--model", tune_args.model, "Family or configured model to tune")->required();
  tune->add_option("--k", tune_args.k, "Cut-off K of the objective NDCG@K")
      ->check(CLI::Range(1, 10000));
  tune->add_option("--budget-seconds", tune_args.budget_seconds,
                   "Start no new trial after this many seconds (0 = no limit)")
      ->check(CLI::Range(0.0, 1e9));
  tune->add_option("--seed", tune_args.seed, "Seeds the holdout and the random candidates");
  tune->add_option("--search", tune_args.search,
                   "auto (grid when small, else successive halving or random), grid, random, "
                   "halving")
      ->check(CLI::IsMember({"auto", "grid", "random", "halving"}));
  tune->add_option("--max-trials", tune_args.max_trials,
                   "Random candidates (random, halving's first rung); auto's grid-size limit")
      ->check(CLI::Range(1, 100000));
  tune->add_option("--holdout", tune_args.holdout,
                   "Share of each user's items held out for validation, in (0, 1)")
      ->check(CLI::Range(0.001, 0.999));
  tune->add_option("--folds", tune_args.folds,
                   "Independent seeded holdouts per trial, NDCG averaged (default 1)")
      ->check(CLI::Range(1, 20));
  tune->add_option("--blend-candidates", tune_args.blend_candidates,
                   "--model blend without components: candidate families, comma-separated "
                   "(default dlae,edlae,ease,ials,rp3beta,item_knn)")
      ->delimiter(',');
  tune->add_option("--blend-trials", tune_args.blend_trials,
                   "--model blend without components: trials per candidate family (default 6)")
      ->check(CLI::Range(1, 1000));

  app::TrainArgs train_args;
  CLI::App* train = app.add_subcommand("train", "Train models once on the data directory, then exit");
  train->add_option("--model", train_args.models, "Model to train (repeatable; default: all)");
  train->add_option("--tenant", train_args.tenant, "Tenant (default: every tenant with data)");

  CLI::App* batch = app.add_subcommand(
      "batch", "Run the article_rec batch job once (S3 Snowplow events -> dwell times -> models)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  absl::StatusOr<config::FrontendRegistry> frontends = app::ConfigFrontends();
  if (!frontends.ok()) {
    std::fprintf(stderr, "recplat: %s\n", frontends.status().ToString().c_str());
    return 1;
  }
  config::ConfigSources sources;
  sources.profile_path = profile;
  sources.frontends = &*frontends;
  sources.env = config::CurrentEnvironment(&*frontends);
  // Flags of their own are --set flags placed before the explicit ones.
  if (!data_dir.empty()) sources.set_flags.push_back(config::SetFlagLiteral("data_dir", data_dir));
  if (!log_level.empty()) sources.set_flags.push_back("logging.level=" + log_level);
  if (!token.empty()) sources.set_flags.push_back(config::SetFlagLiteral("renewal.token", token));
  if (!api_base_uri.empty()) {
    sources.set_flags.push_back(config::SetFlagLiteral("renewal.api_base_uri", api_base_uri));
  }
  if (!ca_file.empty()) {
    sources.set_flags.push_back(config::SetFlagLiteral("renewal.ca_file", ca_file));
  }
  if (insecure) sources.set_flags.push_back("renewal.insecure_skip_verify=true");
  for (const std::string& s : sets) sources.set_flags.push_back(s);
  absl::StatusOr<config::Config> cfg = config::LoadConfig(sources);
  if (!cfg.ok()) {
    std::fprintf(stderr, "recplat: %s\n", std::string(cfg.status().message()).c_str());
    return 2;
  }
  if (cfg->role == config::Role::kFrontend &&
      (import->parsed() || train->parsed() || batch->parsed() || tune->parsed())) {
    std::fprintf(stderr, "recplat: role 'frontend' has no data directory: only serve runs it\n");
    return 2;
  }
  common::LogLevel level;
  if (!common::ParseLogLevel(cfg->logging.level, &level).ok() ||
      !common::InitLogging(level, cfg->logging.format).ok()) {
    std::fprintf(stderr, "recplat: bad logging configuration\n");
    return 2;
  }

  if (import->parsed()) return app::RunImport(*cfg, profile, import_args);
  if (eval->parsed()) return app::RunEvalCommand(*cfg, eval_args);
  if (tune->parsed()) return app::RunTuneCommand(*cfg, tune_args);
  if (train->parsed()) return app::RunTrain(*cfg, profile, train_args);
  if (batch->parsed()) return app::RunBatch(*cfg, profile);
  return app::RunServe(*cfg, profile, serve_args);
}
