#include "apps/recplat/frontends.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "apps/recplat/security.h"
#include "core/common/logging.h"
#include "core/common/status_macros.h"
#include "frontends/batch/batch_config.h"
#include "frontends/http_rest/article_rec/article_rec_config.h"
#include "frontends/http_rest/article_rec/article_rec_routes.h"
#include "frontends/http_rest/ecoseller/ecoseller_config.h"
#include "frontends/http_rest/ecoseller/ecoseller_routes.h"
#include "frontends/http_rest/eosc/eosc_config.h"
#include "frontends/http_rest/eosc/eosc_routes.h"
#include "frontends/http_rest/native_routes.h"
#include "frontends/renewal_ws/renewal_config.h"
#include "frontends/renewal_ws/renewal_frontend.h"

namespace recplat::app {
namespace {

// Native routes live on the router: nothing to stop.
class NativeFrontend final : public RunningFrontend {
 public:
  void Shutdown() override {}
};

class EcosellerFrontend final : public RunningFrontend {
 public:
  explicit EcosellerFrontend(std::unique_ptr<http::ecoseller::EcosellerFrontend> frontend)
      : frontend_(std::move(frontend)) {}
  // Destroying the frontend writes its pending monitoring records.
  void Shutdown() override { frontend_.reset(); }

 private:
  std::unique_ptr<http::ecoseller::EcosellerFrontend> frontend_;
};

class EoscFrontend final : public RunningFrontend {
 public:
  explicit EoscFrontend(std::unique_ptr<http::eosc::EoscFrontend> frontend)
      : frontend_(std::move(frontend)) {}
  // Destroying the frontend writes the dumps still queued.
  void Shutdown() override { frontend_.reset(); }

 private:
  std::unique_ptr<http::eosc::EoscFrontend> frontend_;
};

class RenewalFrontend final : public RunningFrontend {
 public:
  explicit RenewalFrontend(std::unique_ptr<renewal_ws::RenewalFrontend> frontend)
      : frontend_(std::move(frontend)) {}
  void Shutdown() override { frontend_->Shutdown(); }

 private:
  std::unique_ptr<renewal_ws::RenewalFrontend> frontend_;
};

absl::Status NeedRouter(const std::string& name, const FrontendContext& c) {
  if (c.router != nullptr) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("frontend '", name, "' mounts on the HTTP listener, which is off"));
}

template <typename T>
absl::StatusOr<const T*> SectionOf(const config::Config& config, const char* name) {
  const T* section = config.Section<T>(name);
  if (section == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the configuration has no '", name, "' section (loaded without ConfigFrontends())"));
  }
  return section;
}

absl::StatusOr<std::unique_ptr<RunningFrontend>> StartNative(const FrontendContext& c) {
  RECPLAT_RETURN_IF_ERROR(NeedRouter("native", c));
  RECPLAT_RETURN_IF_ERROR(http::AddNativeRoutes(c.api, c.router));
  return std::make_unique<NativeFrontend>();
}

absl::StatusOr<std::unique_ptr<RunningFrontend>> StartEcoseller(const FrontendContext& c) {
  namespace eco = http::ecoseller;
  RECPLAT_RETURN_IF_ERROR(NeedRouter(eco::kEcosellerFrontendName, c));
  RECPLAT_ASSIGN_OR_RETURN(const eco::EcosellerSection* section,
                           SectionOf<eco::EcosellerSection>(*c.config,
                                                            eco::kEcosellerFrontendName));
  eco::EcosellerOptions options;
  options.tenant = section->tenant;
  options.require_api_key = section->require_api_key;
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<eco::EcosellerFrontend> frontend,
                           eco::EcosellerFrontend::Create(c.api, options));
  RECPLAT_RETURN_IF_ERROR(frontend->AddRoutes(c.router));
  return std::make_unique<EcosellerFrontend>(std::move(frontend));
}

absl::StatusOr<std::unique_ptr<RunningFrontend>> StartEosc(const FrontendContext& c) {
  namespace eosc = http::eosc;
  RECPLAT_RETURN_IF_ERROR(NeedRouter(eosc::kEoscFrontendName, c));
  RECPLAT_ASSIGN_OR_RETURN(const eosc::EoscSection* section,
                           SectionOf<eosc::EoscSection>(*c.config, eosc::kEoscFrontendName));
  if (!c.config->surfaces.contains(section->surface)) {
    return absl::InvalidArgumentError(
        absl::StrCat("eosc.surface: no surface '", section->surface, "' is configured"));
  }
  eosc::EoscOptions options;
  options.tenant = section->tenant;
  options.surface = section->surface;
  options.default_engine = section->default_engine;
  options.engines = section->engines;
  options.random_engine = section->random_engine;
  options.train_models = section->train_models;
  if (section->databus_enabled) {
    eosc::DatabusOptions bus;
    bus.stomp.host = section->databus_host;
    bus.stomp.port = static_cast<uint16_t>(section->databus_port);
    bus.stomp.virtual_host = section->databus_virtual_host;
    bus.stomp.login = section->databus_login;
    bus.stomp.passcode = section->databus_passcode;
    bus.stomp.ack = section->databus_ack;
    bus.stomp.heartbeat_send_ms = section->databus_heartbeat_ms;
    bus.stomp.heartbeat_receive_ms = section->databus_heartbeat_ms;
    bus.stomp.max_queue = static_cast<size_t>(section->databus_queue);
    bus.stomp.tls.enabled = section->databus_tls;
    bus.stomp.tls.server_name = section->databus_tls_server_name;
    if (section->databus_tls && !section->databus_tls_ca_file.empty()) {
      RECPLAT_ASSIGN_OR_RETURN(bus.stomp.tls.ca_pem,
                               ReadPemFile(section->databus_tls_ca_file,
                                           "eosc.databus_tls_ca_file"));
    }
    bus.publish_topic = section->databus_publish_topic;
    bus.subscription_topic = section->databus_subscription_topic;
    bus.metrics = c.metrics;
    options.databus = std::move(bus);
  }
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<eosc::EoscFrontend> frontend,
                           eosc::EoscFrontend::Create(c.api, options));
  RECPLAT_RETURN_IF_ERROR(frontend->AddRoutes(c.router));
  return std::make_unique<EoscFrontend>(std::move(frontend));
}

absl::StatusOr<std::unique_ptr<RunningFrontend>> StartRenewal(const FrontendContext& c) {
  namespace rws = renewal_ws;
  RECPLAT_ASSIGN_OR_RETURN(
      const rws::RenewalSection* section,
      SectionOf<rws::RenewalSection>(*c.config, rws::kRenewalFrontendName));
  const auto surface = c.config->surfaces.find(section->surface);
  if (surface == c.config->surfaces.end()) {
    std::vector<std::string> names;
    for (const auto& entry : c.config->surfaces) names.push_back(entry.first);
    return absl::InvalidArgumentError(absl::StrCat("renewal.surface: no surface '",
                                                   section->surface, "' is configured (surfaces: ",
                                                   absl::StrJoin(names, ", "), ")"));
  }
  RECPLAT_ASSIGN_OR_RETURN(rws::RenewalOptions options,
                           rws::RenewalOptionsFromSection(*section, surface->second.max_k));
  options.metrics = c.metrics;
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<rws::RenewalFrontend> frontend,
                           rws::RenewalFrontend::Start(c.api, std::move(options)));
  return std::make_unique<RenewalFrontend>(std::move(frontend));
}

class ArticleRecFrontend final : public RunningFrontend {
 public:
  explicit ArticleRecFrontend(std::unique_ptr<http::article_rec::ArticleRecFrontend> frontend)
      : frontend_(std::move(frontend)) {}
  void Shutdown() override {}

 private:
  std::unique_ptr<http::article_rec::ArticleRecFrontend> frontend_;
};

absl::StatusOr<std::unique_ptr<RunningFrontend>> StartArticleRec(const FrontendContext& c) {
  namespace ar = http::article_rec;
  RECPLAT_RETURN_IF_ERROR(NeedRouter(ar::kArticleRecFrontendName, c));
  RECPLAT_ASSIGN_OR_RETURN(const ar::ArticleRecSection* section,
                           SectionOf<ar::ArticleRecSection>(*c.config,
                                                            ar::kArticleRecFrontendName));
  ar::ArticleRecOptions options;
  options.tenant = section->tenant;
  options.article_model = section->article_model;
  options.popularity_model = section->popularity_model;
  options.admin_token = section->admin_token;
  RECPLAT_ASSIGN_OR_RETURN(std::unique_ptr<ar::ArticleRecFrontend> frontend,
                           ar::ArticleRecFrontend::Create(c.api, options));
  RECPLAT_RETURN_IF_ERROR(frontend->AddRoutes(c.router));
  return std::make_unique<ArticleRecFrontend>(std::move(frontend));
}

// `batch:` and `s3:` are the sections of `recplat batch`, not serving frontends.
absl::StatusOr<std::unique_ptr<RunningFrontend>> StartBatchOnly(const FrontendContext& c) {
  return absl::InvalidArgumentError(
      "frontends: 'batch' and 's3' are the sections of `recplat batch`, not served frontends");
}

struct FrontendEntry {
  const char* name;
  // Null for `native`, which the config loader knows without registration.
  common::FrontendRegistration (*registration)();
  absl::StatusOr<std::unique_ptr<RunningFrontend>> (*start)(const FrontendContext&);
};

constexpr FrontendEntry kFrontends[] = {
    {"native", nullptr, &StartNative},
    {http::ecoseller::kEcosellerFrontendName, &http::ecoseller::EcosellerRegistration,
     &StartEcoseller},
    {renewal_ws::kRenewalFrontendName, &renewal_ws::RenewalRegistration, &StartRenewal},
    {http::article_rec::kArticleRecFrontendName, &http::article_rec::ArticleRecRegistration,
     &StartArticleRec},
    {batch::kBatchSectionName, &batch::BatchRegistration, &StartBatchOnly},
    {batch::kS3SectionName, &batch::S3Registration, &StartBatchOnly},
    {http::eosc::kEoscFrontendName, &http::eosc::EoscRegistration, &StartEosc},
};

}  // namespace

absl::StatusOr<config::FrontendRegistry> ConfigFrontends() {
  config::FrontendRegistry registry;
  for (const FrontendEntry& entry : kFrontends) {
    if (entry.registration != nullptr) {
      RECPLAT_RETURN_IF_ERROR(registry.Register(entry.registration()));
    }
  }
  return registry;
}

absl::StatusOr<std::unique_ptr<RunningFrontend>> StartFrontend(const std::string& name,
                                                               const FrontendContext& context) {
  for (const FrontendEntry& entry : kFrontends) {
    if (name != entry.name) continue;
    absl::StatusOr<std::unique_ptr<RunningFrontend>> started = entry.start(context);
    if (started.ok()) RECPLAT_LOG(Info, "frontend started", {{"frontend", name}});
    return started;
  }
  return absl::NotFoundError(absl::StrCat("frontend '", name, "': not part of this binary"));
}

}  // namespace recplat::app
