#include "apps/recplat/runtime.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>
#include <random>

#include "absl/strings/str_cat.h"
#include "apps/recplat/cluster_coordination.h"
#include "apps/recplat/model_store.h"
#include "apps/recplat/runtime_metrics.h"
#include "core/common/clock.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "core/engine/engine.h"
#include "core/grpc/grpc_server.h"
#include "core/ingest/materializer.h"
#include "core/log/event_log.h"
#include "core/log/jetstream_event_log.h"
#include "core/common/metrics/metrics.h"
#include "core/registry/model_registry.h"
#include "core/state/state_store.h"
#include "core/training/trainer.h"
#include "prometheus/collectable.h"
#include "prometheus/gauge.h"
#include "prometheus/metric_family.h"
#include "trainers/article_rec/article_rec_families.h"
#include "trainers/ease/ease_family.h"
#include "trainers/blend/blend_family.h"
#include "trainers/ease/dlae_family.h"
#include "trainers/ials/ials_family.h"
#include "trainers/rp3beta/rp3beta_family.h"
#include "trainers/news/news_family.h"
#include "trainers/similarity/similarity_family.h"
#ifdef RECPLAT_HAVE_TORCH
#include "trainers/torch_gru4rec/gru4rec_family.h"
#include "trainers/torch_ncf/ncf_family.h"
#include "trainers/torch_rl/rl_family.h"
#include "trainers/torch_simplex/simplex_family.h"
#endif

namespace recplat::app {

absl::Status RegisterAllFamilies(models::ModelFamilyRegistry* registry) {
  RECPLAT_RETURN_IF_ERROR(models::RegisterBuiltinFamilies(registry));
  RECPLAT_RETURN_IF_ERROR(ease::RegisterEaseFamily(registry));
  RECPLAT_RETURN_IF_ERROR(ease::RegisterDlaeFamilies(registry));
  RECPLAT_RETURN_IF_ERROR(ials::RegisterIalsFamily(registry));
  RECPLAT_RETURN_IF_ERROR(rp3beta::RegisterRp3BetaFamily(registry));
  RECPLAT_RETURN_IF_ERROR(news::RegisterNewsFamily(registry));
  RECPLAT_RETURN_IF_ERROR(article_rec::RegisterArticleRecFamilies(registry));
#ifdef RECPLAT_HAVE_TORCH
  RECPLAT_RETURN_IF_ERROR(gru4rec::RegisterGru4RecFamily(registry));
  RECPLAT_RETURN_IF_ERROR(ncf::RegisterNcfFamily(registry));
  RECPLAT_RETURN_IF_ERROR(rl::RegisterEoscRlFamily(registry));
  RECPLAT_RETURN_IF_ERROR(simplex::RegisterSimplexFamily(registry));
#endif
  RECPLAT_RETURN_IF_ERROR(similarity::RegisterSimilarityFamily(registry));
  // Last: a blend's components are looked up in this same registry.
  return blend::RegisterBlendFamily(registry);
}

struct Runtime::Impl {
  RuntimeOptions options;
  std::shared_ptr<prometheus::Registry> metrics = std::make_shared<prometheus::Registry>();
  models::ModelFamilyRegistry families;
  std::unique_ptr<log::EventLog> log;
  std::unique_ptr<state::StateStore> state;
  std::unique_ptr<ingest::Materializer> materializer;
  std::unique_ptr<registry::ModelRegistry> registry;
  // log.backend jetstream: the training lease and promotion announcements. Declared between
  // the registry (which it calls) and the trainer (which uses its lease).
  std::unique_ptr<ClusterCoordination> cluster;
  std::unique_ptr<training::Trainer> trainer;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<service::LocalService> service;
  std::unique_ptr<grpc_frontend::GrpcServer> grpc;
  std::unique_ptr<metrics::MetricsExposer> exposer;
  // Scrape-time metrics (runtime_metrics.h), registered with `exposer`.
  std::vector<std::shared_ptr<prometheus::Collectable>> collectors;
  BoundPorts ports;
  // Set when the data directory is open as a follower of the process that holds it: this
  // process's own directory for the RocksDB secondaries, removed at shutdown.
  std::filesystem::path secondary_dir;
  bool started = false;
  bool shut_down = false;
};

Runtime::Runtime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Runtime::~Runtime() {
  Shutdown(absl::Seconds(5));
  // The secondaries' own directory goes once they are closed.
  const std::filesystem::path secondary_dir = impl_->secondary_dir;
  impl_.reset();
  if (!secondary_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_dir, ec);
  }
}

service::LocalService& Runtime::service() { return *impl_->service; }
training::Trainer& Runtime::trainer() { return *impl_->trainer; }
prometheus::Registry& Runtime::metrics() { return *impl_->metrics; }
metrics::MetricsExposer* Runtime::exposer() { return impl_->exposer.get(); }
const BoundPorts& Runtime::ports() const { return impl_->ports; }
const config::Config& Runtime::config() const { return impl_->options.config; }
bool Runtime::secondary() const { return !impl_->secondary_dir.empty(); }

namespace {

// The JetStream log of `cfg.nats` over the local copy at `local.path` (log.backend jetstream).
// FAILED_PRECONDITION when the local copy is held by another process (as the RocksDB log).
absl::StatusOr<std::unique_ptr<log::EventLog>> OpenJetStreamLog(
    const config::Config& cfg, const log::RocksDbEventLogOptions& local,
    prometheus::Registry* metrics) {
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<log::MirroredEventLog> copy,
                           log::OpenRocksDbMirroredEventLog(local));
  log::JetStreamOptions o;
  o.servers = cfg.nats.servers;
  o.stream = cfg.nats.stream;
  o.subject = cfg.nats.subject;
  o.replicas = cfg.nats.replicas;
  o.credentials_file = cfg.nats.credentials_file;
  o.tls_ca_file = cfg.nats.tls.ca_file;
  o.tls_cert_file = cfg.nats.tls.cert_file;
  o.tls_key_file = cfg.nats.tls.key_file;
  o.connect_timeout = absl::Milliseconds(cfg.nats.connect_timeout_ms);
  o.ack_timeout = absl::Milliseconds(cfg.nats.ack_timeout_ms);
  o.metrics = metrics;
  absl::StatusOr<std::unique_ptr<log::JetStreamEventLog>> js =
      log::JetStreamEventLog::Create(std::move(o), std::move(copy));
  if (!js.ok()) return js.status();
  return std::unique_ptr<log::EventLog>(*std::move(js));
}

// Opens the log and the state of `root`: as their owner, or, when another process holds them
// and `secondary_if_locked`, as read-only secondaries under `*secondary_dir` (set then).
absl::Status OpenLogAndState(const config::Config& cfg, const std::filesystem::path& root,
                             bool secondary_if_locked, const common::Clock& clock,
                             prometheus::Registry* metrics,
                             std::unique_ptr<log::EventLog>* log,
                             std::unique_ptr<state::StateStore>* state,
                             std::filesystem::path* secondary_dir) {
  log::RocksDbEventLogOptions lo{.path = (root / "log").string(),
                                 .sync = cfg.log.sync == config::SyncPolicy::kAlways};
  state::StateStoreOptions so;
  so.path = (root / "state").string();
  so.counter_half_life_hours = cfg.state.counter_half_life_hours;
  so.block_cache_bytes = cfg.state.block_cache_mb << 20;
  so.max_open_files = cfg.state.max_open_files;
  so.clock = &clock;
  so.retention = {cfg.catalog.max_items, cfg.catalog.retention_order == "published_at"
      ? state::RetentionOrder::kPublishedAt : state::RetentionOrder::kIdNumeric,
      cfg.catalog.max_age_hours};
  for (const auto& [type, event_type] : cfg.event_types) {
    if (event_type.record) so.recorded_event_types.insert(type);
  }
  absl::StatusOr<std::unique_ptr<log::EventLog>> opened =
      cfg.log.backend == "jetstream" ? OpenJetStreamLog(cfg, lo, metrics)
                                     : log::OpenRocksDbEventLog(lo);
  if (opened.ok() || !absl::IsFailedPrecondition(opened.status()) || !secondary_if_locked) {
    RECPLAT_RETURN_IF_ERROR(opened.status());
    *log = *std::move(opened);
    RECPLAT_ASSIGN_OR_RETURN(*state, state::OpenRocksDbStateStore(so));
    return absl::OkStatus();
  }
  *secondary_dir = std::filesystem::temp_directory_path() /
                   absl::StrCat("recplat-secondary-", ::getpid());
  RECPLAT_LOG(Info, "the data directory is held by another process: reading it as a follower",
              {{"data_dir", root.string()}, {"secondary_dir", secondary_dir->string()}});
  lo.secondary = true;
  lo.secondary_path = (*secondary_dir / "log").string();
  RECPLAT_ASSIGN_OR_RETURN(*log, log::OpenRocksDbEventLog(lo));
  so.secondary = true;
  so.secondary_path = (*secondary_dir / "state").string();
  // Everything acknowledged before this process started is in the snapshot, unless the owner
  // is more than the timeout behind in applying it.
  so.min_applied_offset = (*log)->NextOffset();
  RECPLAT_ASSIGN_OR_RETURN(*state, state::OpenRocksDbStateStore(so));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Open(RuntimeOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const config::Config& cfg = impl->options.config;
  const common::Clock& clock = common::Clock::Default();
  RECPLAT_RETURN_IF_ERROR(RegisterAllFamilies(&impl->families));
  for (const auto& [name, model] : cfg.models) {
    const models::ModelFamily* family = impl->families.Find(model.family);
    if (family == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("models.", name, ".family: unknown family '",
                                                     model.family, "'"));
    }
    absl::Status valid = family->ValidateParams(models::ModelParams(model.params));
    if (!valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("models.", name, ".params: ", valid.message()));
    }
  }

  std::error_code ec;
  const std::filesystem::path root(cfg.data_dir);
  std::filesystem::create_directories(root, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create data_dir '", cfg.data_dir, "': ", ec.message()));
  }
  absl::Status opened =
      OpenLogAndState(cfg, root, impl->options.secondary_if_locked, clock, impl->metrics.get(),
                      &impl->log,
                      &impl->state, &impl->secondary_dir);
  if (!opened.ok()) {
    if (!impl->secondary_dir.empty()) std::filesystem::remove_all(impl->secondary_dir, ec);
    return opened;
  }
  const bool secondary = !impl->secondary_dir.empty();

  impl->materializer = std::make_unique<ingest::Materializer>(
      *impl->log, *impl->state,
      ingest::MaterializerOptions{.batch_size = static_cast<size_t>(cfg.log.apply_batch)});
  const uint64_t pending = impl->log->NextOffset() - impl->state->AppliedOffset();
  if (secondary) {
    RECPLAT_LOG(Info, "reading the owner's state",
                {{"applied_offset", impl->state->AppliedOffset()},
                 {"log_next_offset", impl->log->NextOffset()}});
  } else {
    if (pending > 0) {
      RECPLAT_LOG(Info, "applying the event log tail", {{"records", pending}});
    }
    RECPLAT_RETURN_IF_ERROR(impl->materializer->CatchUp());
  }

  registry::RegistryOptions ro;
  ro.root = root / "models";
  ro.families = &impl->families;
  ro.clock = &clock;
  ro.models = cfg.models;
  // The owner repairs the directory and follows what other processes publish into it.
  ro.repair = !secondary;
  ro.poll_interval = absl::Seconds(cfg.registry.poll_seconds);
  ro.metrics = impl->metrics.get();
  RECPLAT_RETURN_IF_ERROR(ConfigureModelStore(cfg, impl->metrics.get(), &ro));
  if (cfg.log.backend == "jetstream") {
    RECPLAT_ASSIGN_OR_RETURN(impl->cluster, ClusterCoordination::Create(cfg));
    if (cfg.registry.store == "s3") impl->cluster->AnnouncePromotions(&ro);
  }
  RECPLAT_ASSIGN_OR_RETURN(impl->registry, registry::ModelRegistry::Create(ro));
  if (impl->cluster != nullptr && cfg.registry.store == "s3") {
    impl->cluster->FollowPromotions(*impl->registry);
  }

  training::TrainerOptions trainer_options{cfg.event_types, cfg.training};
  if (impl->cluster != nullptr) trainer_options.lease = impl->cluster->lease();
  impl->trainer = std::make_unique<training::Trainer>(std::move(trainer_options), *impl->state,
                                                      *impl->registry, clock, *impl->metrics);
  impl->engine = std::make_unique<engine::Engine>(engine::EngineOptionsFromConfig(cfg),
                                                  *impl->state, *impl->registry, clock,
                                                  *impl->metrics);
  service::Components c;
  c.log = impl->log.get();
  c.state = impl->state.get();
  c.materializer = impl->materializer.get();
  c.registry = impl->registry.get();
  c.trainer = impl->trainer.get();
  c.engine = impl->engine.get();
  c.clock = &clock;
  c.metrics = impl->metrics.get();
  if (auto* js = dynamic_cast<log::JetStreamEventLog*>(impl->log.get()); js != nullptr) {
    c.log_ready = [js, max_lag = static_cast<uint64_t>(cfg.nats.max_ready_lag)] {
      return js->Stats().lag <= max_lag;
    };
  }
  service::ServiceOptions svc;
  svc.config = cfg;
  svc.profile_path = impl->options.profile_path;
  impl->service = std::make_unique<service::LocalService>(std::move(svc), c);

  // Materializer progress as metrics.
  auto& applied = prometheus::BuildGauge()
                      .Name("recplat_materializer_applied_offset")
                      .Help("Event-log offset applied to the state store (exclusive)")
                      .Register(*impl->metrics)
                      .Add({});
  auto& corrupt = prometheus::BuildGauge()
                      .Name("recplat_materializer_corrupt_records")
                      .Help("Log records skipped because they did not decode")
                      .Register(*impl->metrics)
                      .Add({});
  // The lag is computed at scrape time (LogLagCollector): a stalled materializer reports no
  // batch, and its lag must still grow.
  impl->materializer->AddListener([&applied, &corrupt](const ingest::AppliedBatch& b) {
    applied.Set(static_cast<double>(b.end_offset));
    corrupt.Increment(static_cast<double>(b.corrupt_records));
  });
  training::Trainer* trainer = impl->trainer.get();
  impl->materializer->AddListener(
      [trainer](const ingest::AppliedBatch& b) { trainer->OnApplied(b); });
  applied.Set(static_cast<double>(impl->materializer->AppliedOffset()));
  return std::unique_ptr<Runtime>(new Runtime(std::move(impl)));
}

absl::Status Runtime::Start(bool serve, ListenerSecurity security) {
  Impl& s = *impl_;
  const config::Config& cfg = s.options.config;
  if (!s.secondary_dir.empty()) {
    return absl::FailedPreconditionError(
        "the data directory is held by another process: this one can only read it");
  }
  s.materializer->Start();
  s.trainer->Start();
  s.started = true;
  if (!serve) return absl::OkStatus();
  if (cfg.metrics.enabled) {
    RECPLAT_ASSIGN_OR_RETURN(s.exposer, metrics::MetricsExposer::Start(cfg.metrics.listen, s.metrics,
                                                                    std::move(security.metrics)));
    s.collectors = {std::make_shared<ModelCollector>(*s.registry),
                    std::make_shared<LogLagCollector>(*s.log, *s.materializer),
                    std::make_shared<DataDirCollector>(cfg.data_dir),
                    std::make_shared<StateMemoryCollector>(*s.state),
                    std::make_shared<LogMemoryCollector>(*s.log)};
    for (const auto& collector : s.collectors) s.exposer->Register(collector);
    s.ports.metrics = s.exposer->bound_address();
  }
  if (cfg.grpc.enabled) {
    grpc_frontend::GrpcServerOptions go;
    go.listen = cfg.grpc.listen;
    go.max_message_bytes = cfg.api.max_message_bytes;
    go.keys = std::move(security.keys);
    go.tls = std::move(security.tls);
    RECPLAT_ASSIGN_OR_RETURN(s.grpc, grpc_frontend::GrpcServer::Start(go, *s.service, *s.metrics));
    s.ports.grpc = s.grpc->bound_address();
  }
  return absl::OkStatus();
}

void Runtime::Shutdown(absl::Duration grace) {
  Impl& s = *impl_;
  if (s.shut_down) return;
  s.shut_down = true;
  const common::Clock& clock = common::Clock::Default();
  double t = clock.MonotonicSeconds();
  auto step = [&](const char* what) {
    const double now = clock.MonotonicSeconds();
    RECPLAT_LOG(Debug, "shutdown step done", {{"step", what}, {"seconds", now - t}});
    t = now;
  };
  if (s.service != nullptr) s.service->SetReady(false);
  if (s.grpc != nullptr) s.grpc->Shutdown(grace);
  step("grpc");
  // Writes the served lists the engine still queues, while the state store is open.
  if (s.engine != nullptr) s.engine->Stop();
  step("engine");
  if (s.trainer != nullptr) s.trainer->Stop();
  step("trainer");
  if (s.cluster != nullptr) s.cluster->Stop();
  if (s.materializer != nullptr) s.materializer->Stop();
  step("materializer");
  if (s.log != nullptr) s.log->Close();
  if (s.state != nullptr) {
    absl::Status flushed = s.state->Flush();
    if (!flushed.ok()) {
      RECPLAT_LOG(Warn, "state flush on shutdown failed", {{"error", flushed.ToString()}});
    }
  }
  step("flush");
  s.exposer.reset();
  step("metrics");
}

absl::Status WritePortsFile(const std::string& path, const BoundPorts& ports) {
  std::string json = "{";
  auto add = [&json](const char* key, const std::string& value) {
    if (value.empty()) return;
    if (json.size() > 1) json += ", ";
    absl::StrAppend(&json, "\"", key, "\": \"", value, "\"");
  };
  add("grpc", ports.grpc);
  add("http", ports.http);
  add("metrics", ports.metrics);
  json += "}\n";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json;
    if (!out.good()) return absl::UnavailableError(absl::StrCat("cannot write '", tmp, "'"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename '", tmp, "' to '", path, "'"));
  }
  return absl::OkStatus();
}

std::string ServingPortsPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "serving-ports.json").string();
}

absl::StatusOr<std::string> ReadGrpcAddress(const std::string& path) {
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The file is WritePortsFile's one-line object: "grpc": "<host:port>".
  constexpr std::string_view kKey = "\"grpc\": \"";
  const size_t start = text.find(kKey);
  const size_t end = start == std::string::npos ? start : text.find('"', start + kKey.size());
  if (end == std::string::npos || end == start + kKey.size()) {
    return absl::NotFoundError(absl::StrCat("no gRPC address in '", path, "'"));
  }
  return text.substr(start + kKey.size(), end - start - kKey.size());
}

}  // namespace recplat::app
