// File: news_family.h
//
// The `news` family: the default model of the renewal profile, a blend of content, co-click,
// popularity and freshness signals for a news feed (the serving formula is in news_model.h).
//
// Fitting (cheap: linear in the interactions and the articles' text):
//   - content: TF-IDF vectors of every live item's keywords (categories), title and the head
//     of its text (text_features.h), field weights keyword_weight / title_weight / text_weight;
//   - co-clicks: item-item cosine over the users' interactions with positive event-type weight
//     (core/models/item_similarity.h), `neighbors` per item, `shrink`;
//   - appeal: per item, the positive interest mass m(i) = Σ weight(type) × value over events of
//     positive weight, and the exposures e(i) = number of `exposure_event` events, both decayed
//     with popularity_half_life_hours to the newest interaction (or the fit time if earlier); appeal = (m + k·ρ) / (e + k), ρ = Σm/Σe,
//     k = prior_exposures (an empirical-Bayes click rate) when exposures were recorded, else m;
//     clamped at 0 and divided by the largest;
//   - the items' publication times.
// A fit needs live items, not interactions: on a fresh corpus it serves freshness (and content
// once users click). FAILED_PRECONDITION when there is no live item.
//
// Params:
//   w_content, w_coclick, w_popularity, w_freshness   doubles >= 0, defaults 1, 0.5, 0.5, 0.3
//   freshness_half_life_hours   double > 0, default 24
//   history_decay               double in (0, 1], default 0.9 (weight of the p-th newest item)
//   max_history                 int in [1, 10000], default 50
//   profile_terms               int >= 1, default 100 (strongest profile terms matched)
//   popularity_half_life_hours  double > 0, default 24
//   exposure_event              event type counted as an exposure, default "recommended"
//   prior_exposures             double >= 0, default 20
//   neighbors                   int in [1, 10000], default 50; shrink double >= 0, default 5
//   keyword_weight, title_weight, text_weight   doubles >= 0, defaults 3, 1, 0.3
//   max_document_frequency      double in (0, 1], default 0.5: words in more documents dropped
//   threads                     int >= 0, default 1 (co-click workers; 0 = all cores)
//
// Thread-safety: the family is stateless; its models are immutable.
#pragma once

#include <filesystem>
#include <memory>

#include "core/models/model_family.h"

namespace recplat::news {

class NewsFamily final : public models::ModelFamily {
 public:
  absl::string_view name() const override;
  bool uses_item_attributes() const override { return true; }
  absl::Status ValidateParams(const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Fit(
      const models::TrainingData& data, const models::ModelParams& params) const override;
  absl::StatusOr<std::unique_ptr<models::Model>> Load(
      const std::filesystem::path& dir, const models::ModelParams& params) const override;
};

// Registers NewsFamily under "news". ALREADY_EXISTS when the name is taken.
absl::Status RegisterNewsFamily(models::ModelFamilyRegistry* registry);

}  // namespace recplat::news
