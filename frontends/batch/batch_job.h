// File: batch_job.h
//
// RunBatchJob: one run of the article_rec training job (§4.3 of the seed spec) as the batch
// frontend: a codec from S3 Snowplow objects and the articles file to the core's Api.
//   1. articles: read the articles file;
//   2. fetch:    read the window's page views from S3 (snowplow_reader.h);
//   3. prepare:  first/last views, newsletters, flybys, join, article filter, dwell times
//                (preprocess.h);
//   4. write:    upsert the articles as items (id = external id, title, publication time,
//                attribute `path`) and append the dwell times as events (user = AMP client id,
//                value = seconds, idempotent event ids), so a re-run writes nothing twice;
//   5. train:    Api::Train (wait) of the popularity model, then the article model: the core
//                fits them (trainers/article_rec), stores them as registry versions and
//                promotes them (the older versions become stale), or records a failed version.
// A run that fails in steps 1-4 records a FAILED version of the popularity model, then of the
// article model, with the run's error (Api::Train with `record_failure`), so every run leaves
// one version of each.
// Progress goes to `progress` as one line per step; the figures are in the report.
//
// Thread-safety: one run at a time per report; `api` and `client` are shared (thread-safe).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/api/api.h"
#include "core/common/s3/s3_client.h"
#include "frontends/batch/preprocess.h"
#include "frontends/batch/snowplow_reader.h"

namespace recplat::batch {

struct BatchJobOptions {
  SnowplowReadOptions read;
  PreprocessOptions preprocess;
  std::string articles_file;
  std::string tenant = "default";
  std::string event_type = "dwell";
  std::string article_model = "article";
  std::string popularity_model = "popularity";
  // Records per UpsertItems / AppendEvents call (<= the core's api.max_batch).
  int write_batch = 5000;
};

struct BatchReport {
  SnowplowReadStats read;
  PreprocessStats preprocess;
  int64_t articles_in_file = 0;
  int64_t items_written = 0;
  int64_t events_written = 0;
  // (step, seconds) in order: articles, fetch, prepare, write, train_popularity, train_article
  // (the steps done, then record_failure, for a run that failed before training).
  std::vector<std::pair<std::string, double>> steps;
  // The versions the core trained or recorded (CURRENT on success, FAILED with `error`
  // otherwise).
  v1::ModelVersion popularity_version;
  v1::ModelVersion article_version;
};

// OK when both models trained and are current. Otherwise the first error: the articles file's
// or the S3 read's status, the core's status for a write or a training call, or INTERNAL
// naming the model whose version failed (its error included); when recording the failed
// versions fails too, its message is appended. `report` holds what was done.
absl::Status RunBatchJob(api::Api& api, const s3::S3Client& client,
                         const BatchJobOptions& options, BatchReport* report,
                         std::ostream* progress);

// The report in the Prometheus text exposition format (printed at the end of `recplat batch`):
// recplat_batch_step_seconds{step}, recplat_batch_objects_total{result},
// recplat_batch_rows{stage}, recplat_batch_articles_kept, recplat_batch_model_version{model}.
std::string BatchMetricsText(const BatchReport& report);

}  // namespace recplat::batch
