// The article_rec data preparation (preprocess.h).
#include "frontends/batch/preprocess.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace recplat::batch {

void FilterArticles(std::vector<DwellRow>* rows) {
  auto distinct_per_key = [&](bool by_article) {
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    pairs.reserve(rows->size());
    for (const DwellRow& r : *rows) {
      pairs.push_back(by_article ? std::make_pair(r.article, r.client)
                                 : std::make_pair(r.client, r.article));
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    absl::flat_hash_map<uint32_t, int> count;
    for (const auto& p : pairs) {
      ++count[p.first];
    }
    return count;
  };
  while (true) {
    const size_t before = rows->size();
    auto clients_per_article = distinct_per_key(true);
    std::erase_if(*rows, [&](const DwellRow& r) { return clients_per_article[r.article] <= 1; });
    auto articles_per_client = distinct_per_key(false);
    std::erase_if(*rows, [&](const DwellRow& r) { return articles_per_client[r.client] <= 1; });
    if (rows->size() == before) {
      return;
    }
  }
}

namespace {

// Step a: the first and last view of each (client, path).
std::vector<PageView> FirstAndLast(const std::vector<PageView>& views) {
  std::vector<PageView> sorted = views;
  std::sort(sorted.begin(), sorted.end(), [](const PageView& a, const PageView& b) {
    return std::tie(a.client, a.path, a.time_ms) < std::tie(b.client, b.path, b.time_ms);
  });
  std::vector<PageView> out;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1].client == sorted[i].client &&
           sorted[j + 1].path == sorted[i].path) {
      ++j;
    }
    out.push_back(sorted[i]);
    if (sorted[j].time_ms != sorted[i].time_ms) {
      out.push_back(sorted[j]);
    }
    i = j + 1;
  }
  return out;
}

}  // namespace

DwellData Preprocess(const PageViewTable& views, const std::vector<Article>& articles,
                     const PreprocessOptions& options, PreprocessStats* stats) {
  stats->views = static_cast<int64_t>(views.rows().size());
  std::vector<PageView> rows = FirstAndLast(views.rows());
  stats->after_first_last = static_cast<int64_t>(rows.size());

  // b. newsletter paths; d. (computed here, applied after c) the article of each path.
  constexpr uint32_t kNoArticle = std::numeric_limits<uint32_t>::max();
  absl::flat_hash_map<absl::string_view, uint32_t> article_of_path;
  for (size_t i = 0; i < articles.size(); ++i) {
    article_of_path.emplace(articles[i].path, static_cast<uint32_t>(i));
  }
  std::vector<bool> newsletter(views.num_paths());
  std::vector<uint32_t> path_article(views.num_paths(), kNoArticle);
  for (uint32_t p = 0; p < views.num_paths(); ++p) {
    newsletter[p] = views.path(p).find(options.excluded_path_substring) != std::string::npos;
    if (auto it = article_of_path.find(views.path(p)); it != article_of_path.end()) {
      path_article[p] = it->second;
    }
  }
  std::erase_if(rows, [&](const PageView& v) { return newsletter[v.path]; });
  stats->after_newsletter = static_cast<int64_t>(rows.size());

  // c. flyby clients (rows are grouped by client after step a).
  std::vector<int> rows_per_client(views.num_clients(), 0);
  for (const PageView& v : rows) {
    ++rows_per_client[v.client];
  }
  std::erase_if(rows, [&](const PageView& v) { return rows_per_client[v.client] <= 1; });
  stats->after_flyby = static_cast<int64_t>(rows.size());

  // d. join on path.
  std::vector<DwellRow> joined;
  joined.reserve(rows.size());
  for (const PageView& v : rows) {
    if (path_article[v.path] != kNoArticle) {
      joined.push_back({v.client, path_article[v.path], v.time_ms, 0.0});
    }
  }
  rows = {};
  stats->after_join = static_cast<int64_t>(joined.size());

  // e.
  FilterArticles(&joined);
  stats->after_filter = static_cast<int64_t>(joined.size());

  // f. dwell times over each client's rows in time order.
  std::sort(joined.begin(), joined.end(), [](const DwellRow& a, const DwellRow& b) {
    return std::tie(a.client, a.time_ms, a.article) < std::tie(b.client, b.time_ms, b.article);
  });
  std::vector<DwellRow> timed;
  for (size_t i = 0; i < joined.size();) {
    size_t end = i;
    while (end < joined.size() && joined[end].client == joined[i].client) {
      ++end;
    }
    int64_t total_ms = 0;
    const size_t first_timed = timed.size();
    for (size_t k = i; k + 1 < end; ++k) {
      const int64_t d = joined[k + 1].time_ms - joined[k].time_ms;
      if (d > options.max_dwell_ms) {
        continue;  // unknown (NaN in the original): not counted in the client's total
      }
      total_ms += d;
      if (d > 0) {
        DwellRow r = joined[k];
        r.seconds = static_cast<double>(d) / 1000.0;
        timed.push_back(r);
      }
    }
    if (total_ms < options.min_client_total_ms) {
      timed.resize(first_timed);
      ++stats->clients_below_minimum;
    }
    i = end;
  }
  stats->dwell_rows = static_cast<int64_t>(timed.size());
  FilterArticles(&timed);
  stats->after_final_filter = static_cast<int64_t>(timed.size());

  // Renumber the clients that kept rows.
  DwellData out;
  absl::flat_hash_map<uint32_t, uint32_t> client_index;
  absl::flat_hash_map<uint32_t, bool> article_seen;
  for (DwellRow& r : timed) {
    auto [it, inserted] =
        client_index.try_emplace(r.client, static_cast<uint32_t>(out.clients.size()));
    if (inserted) {
      out.clients.push_back(views.client(r.client));
    }
    r.client = it->second;
    article_seen[r.article] = true;
  }
  stats->clients_kept = static_cast<int64_t>(out.clients.size());
  stats->articles_kept = static_cast<int64_t>(article_seen.size());
  out.rows = std::move(timed);
  return out;
}

}  // namespace recplat::batch
