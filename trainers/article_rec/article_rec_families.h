// File: article_rec_families.h
//
// The two model families of the article_rec profile, fitted by the core's trainer on the dwell
// events the batch frontend writes (docs/article_rec.md), served by StoredRecsModel:
//
//   article_popularity  the default recommendations of §4.4 (DefaultRecs) as one list;
//   article_als         the decayed user×date dwell matrix of §4.3 step 9, its confidence,
//                       implicit ALS (§4.5) and each article's nearest articles (§4.6).
//
// Both read the interactions of type `event_type` (value = dwell seconds) from the last
// `days_of_data` days before the training time (0: all), and the items' publication times.
// FAILED_PRECONDITION when there is no such interaction (a failed version).
//
// Params (both): event_type (default "dwell"), days_of_data (28), max_recs (20, 1..1000),
//   publish_half_life_days (10).
// article_popularity: recent_reads (5000).
// article_als: factors (130), regularization (2.319952), iterations (2), solver ("cg" or
//   "cholesky"), cg_steps (10), seed (42), threads (0 = all cores), dwell_half_life_days
//   (59.631698).
//
// Thread-safety: the families are stateless; their models are immutable.
#pragma once

#include "core/models/model_family.h"

namespace recplat::article_rec {

// Registers article_popularity and article_als. ALREADY_EXISTS when a name is taken.
absl::Status RegisterArticleRecFamilies(models::ModelFamilyRegistry* registry);

}  // namespace recplat::article_rec
