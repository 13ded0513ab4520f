#include "apps/recplat/model_store.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/common/metrics/metrics.h"
#include "core/common/s3/aws_credentials.h"
#include "core/common/s3/s3_client.h"
#include "core/registry/s3_model_store.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace recplat::app {
namespace {

// recplat_registry_store_requests_total{operation, code} and
// recplat_registry_store_request_seconds{operation, code}: the S3 requests of the model store.
s3::RequestObserver StoreMetrics(prometheus::Registry& registry) {
  auto& requests = prometheus::BuildCounter()
                       .Name("recplat_registry_store_requests_total")
                       .Help("Requests of the registry to its S3 model store, by operation and "
                             "status code (retries included in one request)")
                       .Register(registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("recplat_registry_store_request_seconds")
                      .Help("Latency of the registry's S3 requests, retries included")
                      .Register(registry);
  auto series = std::make_shared<metrics::RequestSeries>(
      requests, latency, std::vector<std::string>{"operation", "code"});
  return [series](const s3::RequestRecord& record) {
    series->Record({record.operation, absl::StatusCodeToString(record.code)},
                   absl::ToDoubleSeconds(record.elapsed));
  };
}

}  // namespace

absl::Status ConfigureModelStore(const config::Config& config, prometheus::Registry* metrics,
                                 registry::RegistryOptions* options) {
  if (config.registry.store != "s3") return absl::OkStatus();
  const config::RegistryS3Config& s3_config = config.registry.s3;
  const s3::EnvLookup env = s3::ProcessEnvironment();
  absl::StatusOr<s3::Credentials> credentials = s3::ResolveCredentials(env);
  if (!credentials.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("registry.store s3: ", credentials.status().message()));
  }
  s3::S3ClientOptions client_options;
  client_options.endpoint = s3_config.endpoint;
  client_options.bucket = s3_config.bucket;
  client_options.region =
      s3_config.region.empty() ? s3::ResolveRegion(env) : s3_config.region;
  client_options.path_style = s3_config.path_style;
  client_options.credentials = *std::move(credentials);
  absl::StatusOr<std::unique_ptr<s3::S3Client>> client = s3::S3Client::Create(
      std::move(client_options), metrics != nullptr ? StoreMetrics(*metrics) : nullptr);
  if (!client.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("registry.s3: ", client.status().message()));
  }
  registry::S3ModelStoreOptions store;
  store.client = std::shared_ptr<const s3::S3Client>(*std::move(client));
  store.prefix = s3_config.prefix;
  // Beside the registry root, not in it (a directory there would read as a tenant).
  store.cache_dir = options->root.parent_path() / "models-s3-cache";
  options->source = registry::NewS3ModelSource(store);
  options->publisher = registry::NewS3ModelPublisher(std::move(store));
  return absl::OkStatus();
}

}  // namespace recplat::app
