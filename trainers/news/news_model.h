// File: news_model.h
//
// NewsModel: the serving half of the `news` family (news_family.h), a blend of four signals
// for news feeds, each scaled to [0, 1] within a request:
//
//   score(u, i) = w_content   * cos(profile(u), content(i))
//               + w_coclick   * coclick(u, i) / max over candidates
//               + w_popularity * appeal(i)
//               + w_freshness * 2^(-age(i) / freshness_half_life)
//
//   profile(u)  = sum over u's history h_p (most recent first, p = 0, 1, ...) of
//                 history_decay^p * content(h_p)            (TF-IDF vectors, text_features.h);
//                 only its profile_terms largest weights are matched (the cosine keeps the full
//                 profile's norm)
//   coclick(u,i)= sum over h_p of history_decay^p * sim(h_p, i)   (item-item cosine of clicks)
//   appeal(i)   = the item's smoothed click rate per exposure (or its decayed click mass when
//                 the profile records no exposures), divided by the largest one
//   age(i)      = reference - the item's publication time (from the live catalog, so items
//                 published after the fit still get their freshness); reference = the newest
//                 article's publication time, or the request time when that is earlier (the
//                 backend's clock is not ours: a skewed or simulated clock must not make every
//                 article look old)
//
// Users without history get popularity and freshness only. Items added after the fit have no
// content, co-clicks or appeal until the next fit, only freshness.
//
// Thread-safety: immutable after construction; all const methods may run concurrently (they
// use thread-local scratch buffers).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "core/models/item_similarity.h"
#include "core/models/model.h"
#include "trainers/news/text_features.h"

namespace recplat::news {

inline constexpr char kNewsFamilyName[] = "news";

struct BlendParams {
  double w_content = 1.0;
  double w_coclick = 0.5;
  double w_popularity = 0.5;
  double w_freshness = 0.3;
  double freshness_half_life_hours = 24.0;
  double history_decay = 0.9;
  uint32_t max_history = 50;
  // The profile's strongest terms matched against the articles (bounds the request's cost).
  uint32_t profile_terms = 100;
};

// What a fit produces; the model serves it as is.
struct NewsModelData {
  ContentIndex content;
  models::NeighborLists coclick;
  // By item index, in [0, 1]; size num_items (items past it have appeal 0).
  std::vector<float> appeal;
  // By item index: publication time at fit (used when the request has no catalog).
  std::vector<int64_t> published_at_ms;
  uint32_t num_items = 0;
  // Fit figures, reported by Metrics().
  std::vector<std::pair<std::string, double>> metrics;
};

class NewsModel final : public models::Model {
 public:
  NewsModel(NewsModelData data, BlendParams params);

  bool Ready(const models::RecommendContext& ctx) const override { return true; }
  absl::Status Retrieve(const models::RecommendContext& ctx, size_t n,
                        std::vector<models::ScoredItem>* out) const override;
  absl::Status Score(const models::RecommendContext& ctx,
                     std::span<models::ScoredItem> items) const override;
  absl::Status Similar(uint32_t item, size_t n, const models::CandidateFilter* filter,
                       std::vector<models::ScoredItem>* out) const override;
  absl::Status Save(const std::filesystem::path& dir) const override;
  std::vector<std::pair<std::string, double>> Metrics() const override { return data_.metrics; }

  // Reads what Save wrote; DATA_LOSS when missing or corrupt.
  static absl::StatusOr<std::unique_ptr<NewsModel>> Load(const std::filesystem::path& dir,
                                                         BlendParams params);

  const NewsModelData& data() const { return data_; }

 private:
  class Scorer;

  NewsModelData data_;
  BlendParams params_;
  // Term -> items, the transpose of data_.content.items.
  SparseRows postings_;
};

}  // namespace recplat::news
