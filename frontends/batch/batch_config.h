// File: batch_config.h
//
// The configuration sections of the article_rec batch job (docs/article_rec.md), declared for
// the configuration loader (core/common/config_section.h):
//   batch:  the job (window, articles file, tenant, models, thresholds, parallelism);
//   s3:     the object store the Snowplow events are read from (endpoint, bucket, region,
//           addressing, retries). Credentials are not configuration: they come from the AWS
//           chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then
//           ~/.aws/credentials), the region from AWS_REGION when s3.region is empty.
// Neither is a serving frontend: `recplat batch` reads them; `frontends:` need not name them.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/common/config_section.h"

namespace recplat::batch {

inline constexpr char kBatchSectionName[] = "batch";
inline constexpr char kS3SectionName[] = "s3";

struct BatchSection final : common::CopyableSection<BatchSection> {
  // Days of events read, today (UTC) included (the job's DAYS_OF_DATA).
  int32_t days_of_data = 28;
  // JSON lines of article metadata (articles_file.h). Required by `recplat batch`.
  std::string articles_file;
  // Key prefix of the enriched events; the day is appended as /YYYY/MM/DD.
  std::string prefix = "enriched/good";
  // Tenant the articles, dwell events and models belong to.
  std::string tenant = "default";
  // Event type of the dwell times written to the core (value = seconds).
  std::string event_type = "dwell";
  // The configured models trained after the events are written: the nearest-articles model
  // (type `article`) and the default recommendations (type `popularity`).
  std::string article_model = "article";
  std::string popularity_model = "popularity";
  // Dwell times above this are unknown; readers with less in all are dropped.
  int32_t max_dwell_seconds = 600;
  int32_t min_reader_seconds = 60;
  // Objects read concurrently; records per core write.
  int32_t fetch_threads = 4;
  int32_t write_batch = 5000;

  void Bind(common::SectionBinder& binder) override;
};

struct S3Section final : common::CopyableSection<S3Section> {
  // scheme://host[:port]; empty: https://s3.<region>.amazonaws.com.
  std::string endpoint;
  // The bucket of the events (the job's GA_DATA_BUCKET). Required by `recplat batch`.
  std::string bucket;
  // Empty: AWS_REGION / AWS_DEFAULT_REGION / ~/.aws/config, else us-east-1.
  std::string region;
  // Path-style addressing (what custom endpoints need); false: virtual-hosted.
  bool path_style = true;
  // Attempts per request (retries with jittered exponential backoff).
  int32_t max_attempts = 4;
  // PEM CA bundle for https endpoints; empty: the system's.
  std::string ca_file;

  void Bind(common::SectionBinder& binder) override;
};

// Section-only registrations (no serving frontend) of `batch:` and `s3:`.
common::FrontendRegistration BatchRegistration();
common::FrontendRegistration S3Registration();

}  // namespace recplat::batch
