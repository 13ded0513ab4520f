// File: snowplow_reader.h
//
// ReadSnowplowWindow: the input step of the article_rec batch job (§4.2 of the seed spec).
// For each of the last `days` UTC days, today first, lists `<prefix>/YYYY/MM/DD` with
// ListObjectsV2 (every page) and reads every object with GetObject, decoding it with
// DecodeSnowplowObject (snowplow_decode.h). Objects are fetched by a few threads and merged
// in key order, so the result does not depend on timing.
//
// Bad objects (empty, not gzip, corrupt, truncated, too large, deleted between the listing and
// the read) are skipped and counted, never fatal. A listing or read that still fails after the
// S3 client's retries (the store is down, access denied) fails the read: the job cannot know
// what it missed.
//
// Thread-safety: one call at a time per output; the client is shared (it is thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/common/s3/s3_client.h"
#include "frontends/batch/snowplow_decode.h"

namespace recplat::batch {

struct SnowplowReadOptions {
  // Days of data, today (UTC, from `now`) included; >= 1.
  int days = 28;
  // Key prefix of the enriched events; the day is appended as "/YYYY/MM/DD".
  std::string prefix = "enriched/good";
  // Reference time for "today".
  absl::Time now;
  // Keys per ListObjectsV2 page, 1..1000 (small values only in tests).
  int list_page_size = 1000;
  // Objects read concurrently, >= 1.
  int fetch_threads = 4;
  // Objects larger than this once inflated are skipped (objects_too_large).
  size_t max_decompressed_bytes = size_t{2} << 30;
};

struct SnowplowReadStats {
  DecodeStats decode;
  int64_t days_listed = 0;
  int64_t list_pages = 0;
  int64_t objects_listed = 0;
  // Listed but gone by the time of the GetObject (NotFound): skipped.
  int64_t objects_missing = 0;

  int64_t objects_skipped() const { return decode.objects_skipped() + objects_missing; }
};

// Called after each object is read: (objects done, objects listed).
using SnowplowProgress = std::function<void(int64_t done, int64_t total)>;

// The day prefixes of the window, today first: "<prefix>/2021/03/01", ...
std::vector<std::string> DayPrefixes(const SnowplowReadOptions& options);

// Appends the window's page views to `table`. InvalidArgument for bad options; the S3
// client's status (naming the object) when a listing or read fails for good.
absl::Status ReadSnowplowWindow(const s3::S3Client& client, const SnowplowReadOptions& options,
                                PageViewTable* table, SnowplowReadStats* stats,
                                const SnowplowProgress& progress = nullptr);

}  // namespace recplat::batch
