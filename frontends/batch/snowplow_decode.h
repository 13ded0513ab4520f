// File: snowplow_decode.h
//
// Decoding of Snowplow enriched-event objects (gzip-compressed JSON lines, the layout of
// `enriched/good/YYYY/MM/DD/*` in the article_rec input bucket) into page views: who
// (`contexts_dev_amp_snowplow_amp_id_1[0].ampClientId`), which page (`page_urlpath`) and when
// (`collector_tstamp`). This is the codec half of the batch frontend: no I/O, no policy.
//
// Bad input is never fatal: an object that is empty, not gzip, corrupt or truncated is skipped
// whole (none of its rows are kept) and counted; a malformed line (not JSON, not an object, no
// or an unparsable `collector_tstamp`) is skipped and counted, the rest of the object is kept.
// Rows without a client id or a path are dropped and counted (the original drops them later:
// pandas' groupby ignores null clients, step 3 null paths).
//
// Thread-safety: PageViewTable is not thread-safe; decode each object into its own table or
// under the caller's lock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace recplat::batch {

// One page view; clients and paths are indices into PageViewTable's interned strings.
struct PageView {
  uint32_t client = 0;
  uint32_t path = 0;
  int64_t time_ms = 0;  // collector_tstamp, Unix epoch milliseconds (UTC)
};

// Page views with their client ids and paths interned (1M views of a few thousand articles
// take ~16 MB instead of ~100 MB of strings).
class PageViewTable {
 public:
  uint32_t InternClient(absl::string_view id);
  uint32_t InternPath(absl::string_view path);
  void Add(uint32_t client, uint32_t path, int64_t time_ms) {
    rows_.push_back({client, path, time_ms});
  }
  // Moves `other`'s rows in, re-interning its strings.
  void Append(const PageViewTable& other);

  const std::vector<PageView>& rows() const { return rows_; }
  std::vector<PageView>& mutable_rows() { return rows_; }
  const std::string& client(uint32_t i) const { return clients_[i]; }
  const std::string& path(uint32_t i) const { return paths_[i]; }
  size_t num_clients() const { return clients_.size(); }
  size_t num_paths() const { return paths_.size(); }

 private:
  std::vector<std::string> clients_;
  std::vector<std::string> paths_;
  absl::flat_hash_map<std::string, uint32_t> client_index_;
  absl::flat_hash_map<std::string, uint32_t> path_index_;
  std::vector<PageView> rows_;
};

// What decoding saw; sums over objects (operator+=).
struct DecodeStats {
  int64_t objects_decoded = 0;
  int64_t objects_empty = 0;
  int64_t objects_uncompressed = 0;
  int64_t objects_corrupt = 0;
  int64_t objects_truncated = 0;
  int64_t objects_too_large = 0;
  int64_t compressed_bytes = 0;
  int64_t decompressed_bytes = 0;
  int64_t lines = 0;
  int64_t lines_malformed = 0;
  int64_t rows_without_client = 0;
  int64_t rows_without_path = 0;
  int64_t rows = 0;

  int64_t objects_skipped() const {
    return objects_empty + objects_uncompressed + objects_corrupt + objects_truncated +
           objects_too_large;
  }
  DecodeStats& operator+=(const DecodeStats& o);
};

enum class GunzipResult { kOk, kEmpty, kNotGzip, kCorrupt, kTruncated, kTooLarge };

// Inflates a gzip stream (one or more concatenated members, as `cat a.gz b.gz` makes) into
// `out`. kNotGzip when the data does not start with the gzip magic; kCorrupt on a zlib data
// error, a bad trailer checksum or bytes after the last member that are not another member;
// kTruncated when the data ends inside a member; kTooLarge past `max_output` bytes.
GunzipResult Gunzip(absl::string_view data, size_t max_output, std::string* out);

// Parses one JSON line of a Snowplow enriched event into `table` (and `stats`). Blank lines
// are ignored; everything else is counted in stats->lines.
void DecodeSnowplowLine(absl::string_view line, PageViewTable* table, DecodeStats* stats);

// Decodes one object (the bytes GetObject returned): Gunzip, then every line. A skipped
// object adds nothing to `table` and one to the matching objects_* counter.
void DecodeSnowplowObject(absl::string_view object, size_t max_decompressed,
                          PageViewTable* table, DecodeStats* stats);

// Parses an ISO-8601 / Snowplow timestamp: "YYYY-MM-DD[T ]HH:MM:SS[.f...][Z|±HH:MM|±HHMM]"
// (no zone = UTC) into Unix epoch milliseconds. InvalidArgument otherwise.
absl::StatusOr<int64_t> ParseTimestampMs(absl::string_view text);

}  // namespace recplat::batch
