// `recplat batch`: one run of the article_rec training job (frontends/batch/batch_job.h) against
// the core of this data directory (in-process), or of a running server when `core.address` is
// set or the server holding the data directory left its address there (ServingPortsPath; its
// gRPC Api; the server serves the new models within registry.poll_seconds). Progress
// lines go to stderr; the run's metrics (Prometheus text format) to stdout at the end.
#include <cstdio>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "apps/recplat/commands.h"
#include "apps/recplat/runtime.h"
#include "apps/recplat/security.h"
#include "core/common/s3/aws_credentials.h"
#include "core/common/s3/s3_client.h"
#include "core/grpc/grpc_api_client.h"
#include "frontends/batch/batch_config.h"
#include "frontends/batch/batch_job.h"

namespace recplat::app {

namespace {

int Fail(absl::string_view what, const absl::Status& status, int code) {
  std::fprintf(stderr, "recplat batch: %s%s\n", std::string(what).c_str(),
               std::string(status.message()).c_str());
  return code;
}

absl::StatusOr<std::unique_ptr<s3::S3Client>> OpenS3(const batch::S3Section& section) {
  const s3::EnvLookup env = s3::ProcessEnvironment();
  s3::S3ClientOptions options;
  options.region = section.region.empty() ? s3::ResolveRegion(env) : section.region;
  options.endpoint = section.endpoint.empty()
                         ? absl::StrCat("https://s3.", options.region, ".amazonaws.com")
                         : section.endpoint;
  options.bucket = section.bucket;
  options.path_style = section.path_style;
  options.max_attempts = section.max_attempts;
  options.ca_file = section.ca_file;
  absl::StatusOr<s3::Credentials> credentials = s3::ResolveCredentials(env);
  if (!credentials.ok()) {
    return credentials.status();
  }
  options.credentials = *credentials;
  return s3::S3Client::Create(std::move(options));
}

}  // namespace

int RunBatch(const config::Config& config, const std::string& profile_path) {
  const auto* job = config.Section<batch::BatchSection>(batch::kBatchSectionName);
  const auto* store = config.Section<batch::S3Section>(batch::kS3SectionName);
  if (job == nullptr || store == nullptr) {
    std::fprintf(stderr, "recplat batch: the configuration has no batch/s3 sections\n");
    return 2;
  }
  if (job->articles_file.empty()) {
    std::fprintf(stderr, "recplat batch: batch.articles_file is required\n");
    return 2;
  }
  if (store->bucket.empty()) {
    std::fprintf(stderr, "recplat batch: s3.bucket is required\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<s3::S3Client>> client = OpenS3(*store);
  if (!client.ok()) {
    return Fail("s3: ", client.status(), 2);
  }

  // The core: a running server's (core.address), this data directory's, or, when a server
  // holds this data directory, that server's (the address it left there).
  std::unique_ptr<api::Api> remote;
  std::unique_ptr<Runtime> runtime;
  api::Api* api = nullptr;
  std::string address = config.core.address;
  if (address.empty()) {
    absl::StatusOr<std::unique_ptr<Runtime>> opened = Runtime::Open({config, profile_path});
    absl::Status started = opened.ok() ? (*opened)->Start(/*serve=*/false) : opened.status();
    if (started.ok()) {
      runtime = *std::move(opened);
      api = &runtime->service();
    } else {
      if (opened.ok()) {
        opened->reset();  // a follower (the directory is held): nothing to write through it
      }
      // A held directory is FAILED_PRECONDITION (at open, or at start for a follower).
      if (!absl::IsFailedPrecondition(started)) {
        return Fail("", started, 1);
      }
      absl::StatusOr<std::string> found = ReadGrpcAddress(ServingPortsPath(config.data_dir));
      if (!found.ok()) {
        return Fail("", absl::Status(started.code(),
                                     absl::StrCat(started.message(),
                                                  " (no running server left its address in "
                                                  "the data directory; set core.address to "
                                                  "its gRPC address)")),
                    1);
      }
      address = *found;
      std::fprintf(stderr, "recplat batch: the data directory is held; using the server at %s\n",
                   address.c_str());
    }
  }
  if (api == nullptr) {
    absl::StatusOr<Security> security = LoadSecurity(config);
    if (!security.ok()) {
      return Fail("", security.status(), 2);
    }
    grpc_frontend::GrpcApiClientOptions options;
    options.address = address;
    // Trainings are waited for: allow them their time.
    options.timeout = absl::Seconds(std::max(config.core.timeout_seconds, 3600.0));
    options.max_message_bytes = config.api.max_message_bytes;
    options.api_key = security->core_api_key;
    options.tls = security->core_tls;
    absl::StatusOr<std::unique_ptr<api::Api>> connected = grpc_frontend::ConnectGrpcApi(options);
    if (!connected.ok()) {
      return Fail("core: ", connected.status(), 1);
    }
    remote = *std::move(connected);
    api = remote.get();
  }

  batch::BatchJobOptions options;
  options.read.days = job->days_of_data;
  options.read.prefix = job->prefix;
  options.read.now = absl::Now();
  options.read.fetch_threads = job->fetch_threads;
  options.preprocess.max_dwell_ms = int64_t{job->max_dwell_seconds} * 1000;
  options.preprocess.min_client_total_ms = int64_t{job->min_reader_seconds} * 1000;
  options.articles_file = job->articles_file;
  options.tenant = job->tenant;
  options.event_type = job->event_type;
  options.article_model = job->article_model;
  options.popularity_model = job->popularity_model;
  options.write_batch = std::min(job->write_batch, config.api.max_batch);
  batch::BatchReport report;
  const absl::Status status = batch::RunBatchJob(*api, **client, options, &report, &std::cerr);
  if (runtime != nullptr) {
    runtime->Shutdown(absl::Seconds(5));
  }
  std::fputs(batch::BatchMetricsText(report).c_str(), stdout);
  std::fflush(stdout);
  if (!status.ok()) {
    return Fail("", status, 1);
  }
  return 0;
}

}  // namespace recplat::app
