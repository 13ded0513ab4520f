// File: preprocess.h
//
// The data preparation of the article_rec job (§4.2–4.3 of the seed spec, steps 3–7): from
// the page views read from S3 to the dwell times the core trains on. Pure functions, no I/O.
//
//   a. per (client, path) only the first and the last view are kept (one when their times are
//      equal);
//   b. paths containing "emailnewsletter" are dropped (null paths never get this far);
//   c. flyby clients, with a single remaining row, are dropped;
//   d. rows are joined to articles by exact path; rows of unknown paths are dropped;
//   e. FilterArticles to a fixed point: articles read by <= 1 distinct client are dropped,
//      then clients who read <= 1 distinct article, until nothing changes;
//   f. dwell time of a row = time of the client's next row - its time, over the client's rows
//      sorted by (time, article) (no session or article boundary, as the original); the last
//      row of each client has none; durations above `max_dwell_ms` (10 minutes) are unknown;
//      clients whose known durations sum to less than `min_client_total_ms` (1 minute) are
//      dropped; rows with an unknown or non-positive duration are dropped; then
//      FilterArticles again.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontends/batch/articles_file.h"
#include "frontends/batch/snowplow_decode.h"

namespace recplat::batch {

struct PreprocessOptions {
  int64_t max_dwell_ms = 10 * 60 * 1000;
  int64_t min_client_total_ms = 60 * 1000;
  std::string excluded_path_substring = "emailnewsletter";
};

// One timed read: `client` indexes DwellData::clients, `article` the articles given.
struct DwellRow {
  uint32_t client = 0;
  uint32_t article = 0;
  int64_t time_ms = 0;
  double seconds = 0.0;
};

struct DwellData {
  // Client ids of the rows (only clients that kept rows).
  std::vector<std::string> clients;
  // Sorted by (client, time_ms, article).
  std::vector<DwellRow> rows;
};

// Rows left after each step, for the job's progress lines and metrics.
struct PreprocessStats {
  int64_t views = 0;
  int64_t after_first_last = 0;
  int64_t after_newsletter = 0;
  int64_t after_flyby = 0;
  int64_t after_join = 0;
  int64_t after_filter = 0;
  int64_t dwell_rows = 0;
  int64_t clients_below_minimum = 0;
  int64_t after_final_filter = 0;
  int64_t articles_kept = 0;
  int64_t clients_kept = 0;
};

// Steps a–f above.
DwellData Preprocess(const PageViewTable& views, const std::vector<Article>& articles,
                     const PreprocessOptions& options, PreprocessStats* stats);

// Step e: keeps the rows of articles with >= 2 distinct clients and of clients with >= 2
// distinct articles, iterated to a fixed point. Keeps the rows' order.
void FilterArticles(std::vector<DwellRow>* rows);

}  // namespace recplat::batch
