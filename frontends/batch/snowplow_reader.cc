// Reading the Snowplow window from S3 (snowplow_reader.h).
#include "frontends/batch/snowplow_reader.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"

namespace recplat::batch {

std::vector<std::string> DayPrefixes(const SnowplowReadOptions& options) {
  std::vector<std::string> out;
  const absl::CivilDay today = absl::ToCivilDay(options.now, absl::UTCTimeZone());
  for (int i = 0; i < options.days; ++i) {
    const absl::CivilDay d = today - i;
    out.push_back(absl::StrFormat("%s/%04d/%02d/%02d", options.prefix, d.year(), d.month(),
                                  d.day()));
  }
  return out;
}

namespace {

// What one object contributed.
struct ObjectResult {
  PageViewTable table;
  DecodeStats stats;
  bool missing = false;
};

}  // namespace

absl::Status ReadSnowplowWindow(const s3::S3Client& client, const SnowplowReadOptions& options,
                                PageViewTable* table, SnowplowReadStats* stats,
                                const SnowplowProgress& progress) {
  if (options.days < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch.days_of_data must be >= 1, got ", options.days));
  }
  if (options.fetch_threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch.fetch_threads must be >= 1, got ", options.fetch_threads));
  }
  if (options.list_page_size < 1 || options.list_page_size > 1000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the listing page size must be in 1..1000, got ", options.list_page_size));
  }
  std::vector<std::string> keys;
  for (const std::string& prefix : DayPrefixes(options)) {
    std::string token;
    do {
      absl::StatusOr<s3::ListPage> page =
          client.ListObjectsPage(prefix, token, options.list_page_size);
      if (!page.ok()) {
        return absl::Status(page.status().code(),
                            absl::StrCat("listing ", prefix, ": ", page.status().message()));
      }
      ++stats->list_pages;
      for (const s3::ObjectInfo& o : page->objects) {
        keys.push_back(o.key);
      }
      if (page->truncated && page->next_continuation_token.empty()) {
        return absl::DataLossError(absl::StrCat(
            "listing ", prefix, ": a truncated page without a continuation token"));
      }
      token = page->truncated ? page->next_continuation_token : "";
    } while (!token.empty());
    ++stats->days_listed;
  }
  stats->objects_listed += static_cast<int64_t>(keys.size());

  std::vector<ObjectResult> results(keys.size());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> done{0};
  absl::Mutex mu;
  absl::Status failure;  // the first read that failed for good
  auto worker = [&] {
    while (true) {
      const size_t i = next.fetch_add(1);
      if (i >= keys.size()) {
        return;
      }
      {
        absl::MutexLock lock(&mu);
        if (!failure.ok()) {
          return;
        }
      }
      absl::StatusOr<std::string> bytes = client.GetObject(keys[i]);
      if (absl::IsNotFound(bytes.status())) {
        results[i].missing = true;
      } else if (!bytes.ok()) {
        absl::MutexLock lock(&mu);
        if (failure.ok()) {
          failure = bytes.status();
        }
        return;
      } else {
        DecodeSnowplowObject(*bytes, options.max_decompressed_bytes, &results[i].table,
                             &results[i].stats);
      }
      const int64_t n = done.fetch_add(1) + 1;
      if (progress) {
        absl::MutexLock lock(&mu);
        progress(n, static_cast<int64_t>(keys.size()));
      }
    }
  };
  const int threads =
      static_cast<int>(std::min<size_t>(static_cast<size_t>(options.fetch_threads), keys.size()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    pool.emplace_back(worker);
  }
  worker();
  for (std::thread& t : pool) {
    t.join();
  }
  if (!failure.ok()) {
    return failure;
  }
  for (ObjectResult& r : results) {
    if (r.missing) {
      ++stats->objects_missing;
      continue;
    }
    stats->decode += r.stats;
    table->Append(r.table);
    r.table = PageViewTable();
  }
  return absl::OkStatus();
}

}  // namespace recplat::batch
